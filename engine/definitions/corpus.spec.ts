import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { EngineError, EngineErrorCode, type DefinitionProblem } from '../errors';
import { compileDefinition, decodeBpmnBytes, type CompiledDefinition } from './index';

/**
 * Every real third-party file of the shared corpus must either deploy or be refused with a
 * coded EngineError listing its problems: never a TypeError, never a 500.
 */
const CORPUS = path.resolve(__dirname, '../../../shared/corpus');

interface CatalogEntry {
  dest: string;
  expectKind: string;
  expected: string;
}

type Outcome = { file: string; compiled: CompiledDefinition } | { file: string; error: EngineError };

/** A trivial expression checker: the real one lives in engine/expressions and is not under test here. */
const options = { knownHandlers: new Set(['calculatePriority']), checkExpression: (): string | null => null };

function bpmnFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? bpmnFiles(full) : /\.bpmn(20\.xml)?$/.test(entry) ? [full] : [];
    })
    .sort();
}

const firstRule = (outcome: Outcome): string => ('compiled' in outcome ? 'deployed' : String((outcome.error.details?.problems as DefinitionProblem[] | undefined)?.[0]?.rule));
const rulesOf = (outcome: Outcome | undefined): string[] =>
  outcome && 'error' in outcome ? ((outcome.error.details?.problems as DefinitionProblem[]) ?? []).map((problem) => problem.rule) : [];

describe('deploy validation over the public BPMN corpus', () => {
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    for (const file of bpmnFiles(CORPUS)) {
      const relative = path.relative(CORPUS, file);
      try {
        outcomes.set(relative, { file: relative, compiled: await compileDefinition(readFileSync(file), options) });
      } catch (error) {
        // Anything else than an EngineError fails the suite right here, with the file name.
        if (!(error instanceof EngineError)) throw new Error(`${relative}: ${String(error)}`, { cause: error });
        outcomes.set(relative, { file: relative, error });
      }
    }
    const table = [...outcomes.values()].map((outcome) => `${outcome.file.padEnd(62)} ${'compiled' in outcome ? 'deployed' : `refused: ${firstRule(outcome)}`}`);
    const counts = new Map<string, number>();
    for (const outcome of outcomes.values()) counts.set(firstRule(outcome), (counts.get(firstRule(outcome)) ?? 0) + 1);
    const summary = [...counts].sort((a, b) => b[1] - a[1]).map(([rule, count]) => `${rule} ${count}`).join(', ');
    console.log(`corpus deploy results (${outcomes.size} files)\n${table.join('\n')}\n\nby first rule: ${summary}`);
  });

  it('gives every file a deploy or a coded refusal with problems', () => {
    // Given every corpus file, When compiled, Then each either deployed or was refused properly
    expect(outcomes.size).toBeGreaterThanOrEqual(48);
    for (const outcome of outcomes.values()) {
      if ('compiled' in outcome) {
        expect(outcome.compiled.processId).toEqual(expect.any(String));
        continue;
      }
      const { error } = outcome;
      expect([EngineErrorCode.InvalidDefinition, EngineErrorCode.PayloadTooLarge]).toContain(error.code);
      const problems = error.details?.problems as DefinitionProblem[];
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) {
        expect(problem.message).toEqual(expect.any(String));
        expect(problem.message.length).toBeGreaterThan(0);
        expect(problem.rule).toMatch(/^[a-z][a-z0-9/-]*$/);
      }
    }
  });

  it('meets the catalog expectations that apply to a deploy', () => {
    const catalog = JSON.parse(readFileSync(path.join(CORPUS, 'catalog.json'), 'utf8')) as CatalogEntry[];
    for (const entry of catalog) {
      const outcome = outcomes.get(entry.dest);
      expect(outcome).toBeDefined();
      const rules = rulesOf(outcome);
      switch (entry.expectKind) {
        case 'deploy-fail':
        case 'validation-errors':
        case 'lint':
          // Given a file a validator must reject, Then it is refused
          expect({ file: entry.dest, refused: rules.length > 0 }).toEqual({ file: entry.dest, refused: true });
          break;
        case 'deploy-ok':
          // Given a file that "must import", Then it is at least read (not refused as unreadable)
          expect({ file: entry.dest, rules: rules.filter((rule) => ['xml-malformed', 'not-bpmn'].includes(rule)) }).toEqual({ file: entry.dest, rules: [] });
          break;
        default:
          break;
      }
      // "MUST FAIL ... failed to parse document as <bpmn:Definitions>"
      if (/MUST FAIL/.test(entry.expected) && /Definitions/.test(entry.expected)) expect({ file: entry.dest, rules }).toEqual({ file: entry.dest, rules: ['not-bpmn'] });
      // "has isExecutable=false -> must not be startable"
      if (/isExecutable=false/.test(entry.expected)) expect({ file: entry.dest, rules }).toEqual({ file: entry.dest, rules: ['not-executable'] });
    }
  });

  it('answers "not executable" for files whose process lacks isExecutable', () => {
    // The catalog says Carpet_Plus has isExecutable=true, but the attribute is absent from the file
    // (absent means false for bpmn-engine too), so the answer is "not executable", saying why.
    const outcome = outcomes.get('flowable/othertoolimport.bpmn');
    expect(rulesOf(outcome)).toEqual(['not-executable']);
    expect(outcome && 'error' in outcome && outcome.error.message).toContain('no isExecutable attribute on process "Carpet_Plus"');
  });

  it('refuses the lint fixtures that cannot run with the lint rule they were written for', () => {
    expect(rulesOf(outcomes.get('bpmnlint/no-disconnected-incorrect.bpmn'))).toContain('bpmnlint/no-disconnected');
    // A fake join is an uncontrolled merge (valid BPMN, a warning); this fixture has no start event.
    expect(rulesOf(outcomes.get('bpmnlint/fake-join-incorrect.bpmn'))).toEqual(expect.arrayContaining(['bpmnlint/start-event-required']));
    expect(rulesOf(outcomes.get('bpmnlint/fake-join-incorrect.bpmn'))).not.toContain('bpmnlint/fake-join');
  });

  it('refuses the parser error fixtures with the matching rule', () => {
    expect(rulesOf(outcomes.get('bpmn-moddle/error__duplicate-ids.bpmn'))).toContain('duplicate-id');
    expect(rulesOf(outcomes.get('bpmn-moddle/error__invalid-attributes.bpmn'))).toContain('xml-malformed');
    expect(rulesOf(outcomes.get('flowable/invalid_process_xsd_error.bpmn20.xml'))).toEqual(expect.arrayContaining(['unknown-attribute', 'unknown-element']));
    expect(rulesOf(outcomes.get('flowable/invalidMultiInstanceActivity.bpmn20.xml'))).toContain('multi-instance-unbounded');
    expect(rulesOf(outcomes.get('flowable/intermediateTimerThrowEvent.bpmn20.xml'))).toContain('event-definition-placement');
    expect(rulesOf(outcomes.get('bpmn-js/kitchen-sink.bpmn'))).toEqual(expect.arrayContaining(['no-script-task', 'no-complex-gateway', 'call-activity']));
  });

  it('decodes the encoding trap as UTF-8 despite its ISO-8859-1 declaration', () => {
    // Given flowable/encoding.bpmn (declares ISO-8859-1, holds UTF-8), When decoded, Then the name survives
    const xml = decodeBpmnBytes(readFileSync(path.join(CORPUS, 'flowable/encoding.bpmn')));
    expect(xml).toContain('name="Fazer relatório"');
  });
});
