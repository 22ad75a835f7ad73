import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, EngineErrorCode } from '../errors';
import { closeFeelSandbox } from '../expressions';
import { evaluateDecision, mapDecisionResult } from './evaluate';
import { compileDecisions } from './parse';

const root = join(__dirname, '..', '..', 'processes');
const file = (path: string) => readFileSync(join(root, path));

/** A one-decision DMN 1.3 document. */
function dmn(opts: { hitPolicy?: string; aggregation?: string; inputs: [string, string?][]; outputs: string[]; rules: [string[], string[]][]; logic?: string; extra?: string }): string {
  const inputs = opts.inputs.map(([expression, typeRef], i) => `<input id="in${i}" label="in${i}"><inputExpression id="ie${i}" typeRef="${typeRef ?? 'string'}"><text>${esc(expression)}</text></inputExpression></input>`).join('');
  const outputs = opts.outputs.map((name, i) => `<output id="out${i}" name="${name}" typeRef="string"/>`).join('');
  const rules = opts.rules
    .map(([ins, outs], r) => `<rule id="r${r + 1}">${ins.map((t, i) => `<inputEntry id="r${r + 1}i${i}"><text>${esc(t)}</text></inputEntry>`).join('')}${outs.map((t, i) => `<outputEntry id="r${r + 1}o${i}"><text>${esc(t)}</text></outputEntry>`).join('')}</rule>`)
    .join('');
  const logic = opts.logic ?? `<decisionTable id="t" hitPolicy="${opts.hitPolicy ?? 'UNIQUE'}"${opts.aggregation ? ` aggregation="${opts.aggregation}"` : ''}>${inputs}${outputs}${rules}</decisionTable>`;
  return `<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="D" namespace="x"><decision id="d" name="D">${logic}</decision>${opts.extra ?? ''}</definitions>`;
}
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function table(source: Parameters<typeof dmn>[0]) {
  return (await compileDecisions(dmn(source))).decisions[0];
}

async function refusal(document: string): Promise<EngineError> {
  const error = await compileDecisions(document).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('reference decision tables', () => {
  it('incident-priority: the ITSM_REFERENCE §2.3 matrix', async () => {
    const [priority] = (await compileDecisions(file('incident/decisions/incident-priority.dmn'))).decisions;
    const expected: Record<string, string> = {
      'high/high': 'P1', 'high/medium': 'P2', 'high/low': 'P3', 'medium/high': 'P2', 'medium/medium': 'P3',
      'medium/low': 'P4', 'low/high': 'P3', 'low/medium': 'P4', 'low/low': 'P4',
    };
    for (const [pair, p] of Object.entries(expected)) {
      const [impact, urgency] = pair.split('/');
      expect(evaluateDecision(priority, { impact, urgency }).result).toEqual({ priority: p });
    }
    expect(evaluateDecision(priority, { impact: 'huge', urgency: 'high' })).toEqual({ result: null, resultList: [], matchedRules: [] });
  });

  it('incident-sla-targets and change-authority', async () => {
    const [sla] = (await compileDecisions(file('incident/decisions/incident-sla-targets.dmn'))).decisions;
    expect(evaluateDecision(sla, { priority: 'P1' }).result).toEqual({ responseTarget: 'PT15M', resolutionTarget: 'PT4H', calendar: '24x7' });
    expect(evaluateDecision(sla, { priority: 'P3' }).result).toEqual({ responseTarget: 'PT4H', resolutionTarget: 'PT24H', calendar: 'business-hours' });
    const [authority] = (await compileDecisions(file('change/decisions/change-authority.dmn'))).decisions;
    expect(evaluateDecision(authority, { changeType: 'emergency', risk: 'high' }).result).toEqual({ authority: 'ecab' });
    expect(evaluateDecision(authority, { changeType: 'normal', risk: 'medium' }).result).toEqual({ authority: 'cab' });
    expect(evaluateDecision(authority, { changeType: 'normal', risk: 'high' }).result).toEqual({ authority: 'senior_mgmt' });
  });
});

it('deploys a Camunda Modeler 5 export (modeler and camunda attributes, DMNDI) and honours camunda:inputVariable', async () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" xmlns:modeler="http://camunda.org/schema/modeler/1.0" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Definitions_1" name="DRD" namespace="http://camunda.org/schema/1.0/dmn" exporter="Camunda Modeler" exporterVersion="5.20.0" modeler:executionPlatform="Camunda Platform" modeler:executionPlatformVersion="7.20.0">
  <decision id="Decision_1" name="Dish" camunda:versionTag="v1">
    <decisionTable id="DecisionTable_1">
      <input id="Input_1" camunda:inputVariable="season"><inputExpression id="InputExpression_1" typeRef="string"><text>weather.season</text></inputExpression></input>
      <input id="Input_2"><inputExpression id="InputExpression_2" typeRef="number"><text>guests</text></inputExpression></input>
      <output id="Output_1" name="dish" typeRef="string" />
      <rule id="DecisionRule_1"><description>fall</description><inputEntry id="UnaryTests_1"><text>season = "Fall"</text></inputEntry><inputEntry id="UnaryTests_2"><text>cellInput &lt; 8</text></inputEntry><outputEntry id="LiteralExpression_1"><text>"Spareribs"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI><dmndi:DMNDiagram><dmndi:DMNShape dmnElementRef="Decision_1"><dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape></dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>`;
  const [dish] = (await compileDecisions(xml)).decisions;
  expect(evaluateDecision(dish, { weather: { season: 'Fall' }, guests: 4 }).result).toEqual({ dish: 'Spareribs' });
  expect(evaluateDecision(dish, { weather: { season: 'Fall' }, guests: 9 }).result).toBeNull();
});

describe('unary tests', () => {
  const one = (entry: string, typeRef = 'string') => table({ inputs: [['x', typeRef]], outputs: ['hit'], rules: [[[entry], ['true']]] });
  const hits = async (entry: string, x: unknown, typeRef?: string) => evaluateDecision(await one(entry, typeRef), { x }).matchedRules.length === 1;

  it('strings, lists and not()', async () => {
    expect(await hits('"high"', 'high')).toBe(true);
    expect(await hits('"high"', 'High')).toBe(false);
    expect(await hits('"a", "b"', 'b')).toBe(true);
    expect(await hits('"a", "b"', 'c')).toBe(false);
    expect(await hits('not("a", "b")', 'c')).toBe(true);
    expect(await hits('not("a", "b")', 'a')).toBe(false);
    expect(await hits('-', 'anything')).toBe(true);
    expect(await hits('', 'anything')).toBe(true);
  });

  it('numbers and ranges', async () => {
    expect(await hits('[1..5]', 5, 'number')).toBe(true);
    expect(await hits('[1..5)', 5, 'number')).toBe(false);
    expect(await hits('> 10', 11, 'number')).toBe(true);
    expect(await hits('> 10', 10, 'number')).toBe(false);
    expect(await hits('<= 10, > 100', 150, 'number')).toBe(true);
    expect(await hits('> 10', 'text', 'number')).toBe(false);
    expect(await hits('> 10', undefined, 'number')).toBe(false);
  });

  it('dates: a string input of typeRef date compares as a date', async () => {
    expect(await hits('< date("2024-01-01")', '2023-12-31', 'date')).toBe(true);
    expect(await hits('< date("2024-01-01")', '2024-01-01', 'date')).toBe(false);
    expect(await hits('[date("2024-01-01")..date("2024-12-31")]', '2024-06-30', 'date')).toBe(true);
    const error = await one('< date("2024-01-01")', 'date').then((t) => {
      try {
        evaluateDecision(t, { x: 'not a date' });
        return null;
      } catch (e) {
        return e as EngineError;
      }
    });
    expect(error?.code).toBe(EngineErrorCode.DecisionFailed);
    expect(error?.message).toMatch(/must be a date/);
  });

  it('input expressions are FEEL over the variables; unary tests may use variables', async () => {
    const t = await table({ inputs: [['ticket.score * 2', 'number']], outputs: ['level'], rules: [[['> limit'], ['"above"']], [['<= limit'], ['"below: " + string(ticket.score)']]] });
    expect(evaluateDecision(t, { ticket: { score: 6 }, limit: 10 }).result).toEqual({ level: 'above' });
    expect(evaluateDecision(t, { ticket: { score: 4 }, limit: 10 }).result).toEqual({ level: 'below: 4' });
  });
});

describe('hit policies', () => {
  const rules: [string[], string[]][] = [[['>= 1'], ['1']], [['>= 2'], ['2']], [['>= 3'], ['3']]];
  const run = async (hitPolicy: string, x: number, aggregation?: string) => evaluateDecision(await table({ hitPolicy, aggregation, inputs: [['x', 'number']], outputs: ['v'], rules }), { x });

  it('UNIQUE: several matches are an error naming the rules', async () => {
    expect((await run('UNIQUE', 1)).result).toEqual({ v: 1 });
    await expect(run('UNIQUE', 2)).rejects.toMatchObject({ code: EngineErrorCode.DecisionFailed, message: expect.stringContaining('r1, r2') });
  });

  it('FIRST, RULE ORDER, COLLECT and aggregations', async () => {
    expect(await run('FIRST', 3)).toEqual({ result: { v: 1 }, resultList: [{ v: 1 }], matchedRules: ['r1'] });
    expect((await run('RULE ORDER', 3)).result).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
    expect((await run('COLLECT', 2)).matchedRules).toEqual(['r1', 'r2']);
    expect((await run('COLLECT', 3, 'SUM')).result).toBe(6);
    expect((await run('COLLECT', 3, 'MIN')).result).toBe(1);
    expect((await run('COLLECT', 3, 'MAX')).result).toBe(3);
    expect((await run('COLLECT', 2, 'COUNT')).result).toBe(2);
    expect((await run('COLLECT', 0, 'COUNT')).result).toBe(0);
    expect((await run('COLLECT', 0, 'SUM')).result).toBeNull();
  });

  it('ANY: equal outputs pass, different outputs fail', async () => {
    const t = await table({ hitPolicy: 'ANY', inputs: [['x', 'number']], outputs: ['v'], rules: [[['> 0'], ['"yes"']], [['> 1'], ['"yes"']], [['> 2'], ['"no"']]] });
    expect(evaluateDecision(t, { x: 2 }).result).toEqual({ v: 'yes' });
    expect(() => evaluateDecision(t, { x: 3 })).toThrow(/different outputs/);
  });

  it('mapDecisionResult: Camunda 7 shapes', async () => {
    const t = await table({ hitPolicy: 'COLLECT', inputs: [['x', 'number']], outputs: ['v'], rules });
    const two = evaluateDecision(t, { x: 2 });
    expect(mapDecisionResult(t, two, 'collectEntries')).toEqual([1, 2]);
    expect(mapDecisionResult(t, two, 'resultList')).toEqual([{ v: 1 }, { v: 2 }]);
    expect(() => mapDecisionResult(t, two, 'singleResult')).toThrow(/at most one matched rule/);
    const one = evaluateDecision(t, { x: 1 });
    expect(mapDecisionResult(t, one, 'singleEntry')).toBe(1);
    expect(mapDecisionResult(t, one, 'singleResult')).toEqual({ v: 1 });
    expect(mapDecisionResult(t, evaluateDecision(t, { x: 0 }), 'singleResult')).toBeNull();
    const wide = await table({ inputs: [['x', 'number']], outputs: ['a', 'b'], rules: [[['-'], ['1', '2']]] });
    expect(() => mapDecisionResult(wide, evaluateDecision(wide, { x: 1 }), 'singleEntry')).toThrow(/exactly one output/);
  });

  it('outputs are plain data: dates as ISO text, empty entries null', async () => {
    const t = await table({ inputs: [['x', 'number']], outputs: ['due', 'none'], rules: [[['-'], ['date("2024-05-01")', '']]] });
    expect(evaluateDecision(t, { x: 1 }).result).toEqual({ due: '2024-05-01', none: null });
  });
});

describe('deploy refusals name the decision and the reason', () => {
  const problems = (e: EngineError) => (e.details?.problems as { rule: string; message: string; elementId?: string }[]).map((p) => `${p.rule}: ${p.message}`).join('\n');

  it('unsupported hit policies and aggregations', async () => {
    expect(problems(await refusal(dmn({ hitPolicy: 'PRIORITY', inputs: [['x']], outputs: ['v'], rules: [] })))).toMatch(/dmn-hit-policy: decision "d" uses hit policy PRIORITY/);
    expect(problems(await refusal(dmn({ hitPolicy: 'FIRST', aggregation: 'SUM', inputs: [['x']], outputs: ['v'], rules: [] })))).toMatch(/dmn-aggregation/);
    expect(problems(await refusal(dmn({ hitPolicy: 'COLLECT', aggregation: 'SUM', inputs: [['x']], outputs: ['a', 'b'], rules: [] })))).toMatch(/exactly one output/);
  });

  it('literal expressions, BKMs and required decisions', async () => {
    expect(problems(await refusal(dmn({ inputs: [], outputs: [], rules: [], logic: '<literalExpression id="le"><text>1</text></literalExpression>' })))).toMatch(/decision "d" has a LiteralExpression: only decision tables/);
    expect(problems(await refusal(dmn({ inputs: [['x']], outputs: ['v'], rules: [], extra: '<businessKnowledgeModel id="bkm"/>' })))).toMatch(/BusinessKnowledgeModel "bkm" is not supported/);
    const required = dmn({ inputs: [['x']], outputs: ['v'], rules: [] }).replace('<decisionTable', '<informationRequirement id="ir"><requiredDecision href="#other"/></informationRequirement><decisionTable');
    expect(problems(await refusal(required))).toMatch(/decision "d" requires other decisions/);
  });

  it('FEEL syntax in entries and expressions, other expression languages', async () => {
    expect(problems(await refusal(dmn({ inputs: [['x']], outputs: ['v'], rules: [[['[1..'], ['1']]] })))).toMatch(/rule "r1", input "in0" is not a valid FEEL unary test/);
    expect(problems(await refusal(dmn({ inputs: [['x']], outputs: ['v'], rules: [[['-'], ['foo(']]] })))).toMatch(/rule "r1", output "v" is not a valid FEEL expression/);
    expect(problems(await refusal(dmn({ inputs: [['a b c (']], outputs: ['v'], rules: [] })))).toMatch(/input expression of "in0"/);
    const juel = dmn({ inputs: [['x']], outputs: ['v'], rules: [] }).replace('<inputExpression id="ie0"', '<inputExpression id="ie0" expressionLanguage="juel"');
    expect(problems(await refusal(juel))).toMatch(/expression language "juel"/);
  });

  it('malformed documents, old namespaces, missing names, size limits', async () => {
    expect((await refusal('<definitions')).message).toMatch(/not a DMN 1.3 document/);
    expect((await refusal('<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="x"/>')).message).toMatch(/not a DMN 1.3 document/);
    expect((await refusal(dmn({ inputs: [['x']], outputs: [''], rules: [] }))).message).toMatch(/has no name/);
    expect((await refusal(dmn({ inputs: [['x']], outputs: ['v'], rules: [[['-', '-'], ['1']]] }))).message).toMatch(/rule "r1" has 2 input/);
    const big = dmn({ inputs: Array.from({ length: 10 }, () => ['x'] as [string]), outputs: ['v'], rules: Array.from({ length: 400 }, () => [Array(10).fill('-'), ['1']] as [string[], string[]]) });
    expect((await refusal(big)).message).toMatch(/has 4400 cells .* the limit is 2000/);
    const wordy = dmn({ inputs: [['x']], outputs: ['v'], rules: Array.from({ length: 100 }, (_, r) => [[`"${'a'.repeat(700)}${r}"`], ['1']] as [string[], string[]]) });
    expect((await refusal(wordy)).message).toMatch(/characters of FEEL entries; the limit is 65536/);
    const huge = await compileDecisions('x'.repeat(2000), { maxBytes: 1000 }).catch((e: EngineError) => e);
    expect((huge as EngineError).code).toBe(EngineErrorCode.PayloadTooLarge);
  });
});

describe('FEEL of decision tables under the sandbox limits', () => {
  afterAll(() => closeFeelSandbox());
  const budgetError = (run: () => unknown) => {
    try {
      run();
      return null;
    } catch (error) {
      return error as EngineError;
    }
  };

  it('cuts off a billion-step input expression with BUDGET_EXCEEDED instead of running it', async () => {
    const t = await table({ inputs: [['count(for i in 1..1000000000 return i)', 'number']], outputs: ['v'], rules: [[['> 0'], ['"many"']]] });
    const error = budgetError(() => evaluateDecision(t, {}));
    expect([error?.code, error?.details?.limit]).toEqual([EngineErrorCode.BudgetExceeded, expect.stringMatching(/^expression(Ms|MemoryMb)$/)]);
  });

  it('cuts off a billion-step input entry and output entry', async () => {
    const entry = await table({ inputs: [['x', 'number']], outputs: ['v'], rules: [[['count(for i in 1..1000000000 return i) > 0'], ['"yes"']]] });
    expect(budgetError(() => evaluateDecision(entry, { x: 1 }))?.code).toBe(EngineErrorCode.BudgetExceeded);
    const output = await table({ inputs: [['x', 'number']], outputs: ['v'], rules: [[['> 0'], ['string join(for i in 1..1000000000 return "x", "")']]] });
    expect(budgetError(() => evaluateDecision(output, { x: 1 }))?.code).toBe(EngineErrorCode.BudgetExceeded);
  });

  it('evaluates iterations in cells correctly in the sandbox, typeRef conversions included', async () => {
    const t = await table({
      inputs: [['sum(for c in costs return c)', 'number'], ['due', 'date']],
      outputs: ['v'],
      rules: [[['> 10', 'some d in [date("2024-06-30")] satisfies ? < d'], ['for c in costs return c * 2']], [['<= 10', '-'], ['"small"']]],
    });
    expect(evaluateDecision(t, { costs: [5, 7], due: '2024-01-01' }).result).toEqual({ v: [10, 14] });
    expect(evaluateDecision(t, { costs: [5, 7], due: '2024-12-01' }).result).toBeNull();
    expect(evaluateDecision(t, { costs: [1], due: '2024-12-01' }).result).toEqual({ v: 'small' });
  });
});
