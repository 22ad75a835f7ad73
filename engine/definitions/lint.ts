import { createRequire } from 'node:module';
import { flag, is, list, type ModdleElement } from './model';
import type { ProblemSink } from './problems';

/**
 * The bpmnlint rules we run, chosen from its `recommended` config. `error` rules refuse the deploy:
 * they catch models the engine would run wrongly (it starts every element that has no incoming
 * flow, runs a task once per arriving token, follows the first true condition...). `warn` rules
 * are modelling hygiene and only become warnings. Left out on purpose: `no-complex-gateway` (our
 * own rule refuses it with a clearer message) and `no-inclusive-gateway` (inclusive splits and
 * joins both run: runtime/elements/joins.ts).
 */
export const LINT_RULES: Readonly<Record<string, 'error' | 'warn'>> = Object.freeze({
  // Refusals: correctness.
  'start-event-required': 'error',
  'no-disconnected': 'error',
  'no-implicit-start': 'error',
  'no-duplicate-sequence-flows': 'error',
  'single-blank-start-event': 'error',
  'single-event-definition': 'error',
  'sub-process-blank-start-event': 'error',
  'event-sub-process-typed-start-event': 'error',
  'event-based-gateway': 'error',
  'link-event': 'error',
  // Warnings: style and hygiene.
  // An unconditional flow beside conditional ones is valid BPMN: it is always taken (issue 7 item 10).
  'conditional-flows': 'warn',
  // A task with several incoming flows is an uncontrolled merge (BPMN 2.0 §13.2.1): valid, it runs
  // once per arriving token (a second token waits until the running execution ends).
  'fake-join': 'warn',
  'end-event-required': 'warn',
  'no-implicit-end': 'warn',
  'no-implicit-split': 'warn',
  'no-gateway-join-fork': 'warn',
  'superfluous-gateway': 'warn',
  'superfluous-termination': 'warn',
  'ad-hoc-sub-process': 'warn',
  'label-required': 'warn',
  'superfluous-label': 'warn',
  'no-bpmndi': 'warn',
  'no-overlapping-elements': 'warn',
  global: 'warn',
});

/**
 * bpmnlint 11 is CommonJS without type declarations, and it depends on the ESM-only min-dash 5,
 * which Node >= 20.19 `require`s natively. We load it with Node's own loader, taken from
 * `process.getBuiltinModule`: in production that is the plain `require`; under jest (whose
 * module system also wraps `node:module`) it keeps bpmnlint out of the transform pipeline, which
 * does not transpile ESM nested in `node_modules/bpmnlint/node_modules`.
 */
const nodeModule = (process.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined) ?? { createRequire };
const nodeRequire = nodeModule.createRequire(__filename);

/**
 * Reports we drop although their rule is on. `fake-join` on an end event: several flows into one
 * end event is the usual way to close alternative paths, and bpmn-engine handles it (each token
 * ends there; after a parallel split the instance still ends with the last token). On a task it
 * stays a warning: the task runs once per arriving token, as BPMN says, which a modeller who meant
 * a join may not expect.
 */
const EXEMPTIONS: Readonly<Record<string, (element: ModdleElement) => boolean>> = {
  'fake-join': (element) => is(element, 'bpmn:EndEvent'),
  // An empty, non-executable process is a black-box pool: it needs no start event.
  'start-event-required': (element) => is(element, 'bpmn:Process') && flag(element, 'isExecutable') !== true && list(element, 'flowElements').length === 0,
};

interface LintReport {
  id?: string;
  message: string;
  category: string;
}

interface BpmnLinter {
  lint(root: unknown): Promise<Record<string, LintReport[]>>;
}

type LinterConstructor = new (options: { config: object; resolver: object }) => BpmnLinter;

/**
 * Resolves rules straight from bpmnlint's own `rules/` folder: no configs, no plugins, nothing
 * looked up relative to the working directory.
 */
const resolver = {
  resolveRule(pkg: string, ruleName: string): unknown {
    if (pkg !== 'bpmnlint' || !Object.hasOwn(LINT_RULES, ruleName)) throw new Error(`lint rule <${pkg}/${ruleName}> is not in LINT_RULES`);
    return nodeRequire(`bpmnlint/rules/${ruleName}`);
  },
  resolveConfig(pkg: string, configName: string): never {
    throw new Error(`lint configs are not used (asked for ${pkg}:${configName})`);
  },
};

/** Runs {@link LINT_RULES} over the model; rules report as `bpmnlint/<rule>`. */
export async function lintModel(
  definitions: ModdleElement,
  elementsById: Readonly<Record<string, ModdleElement>>,
  sink: ProblemSink,
): Promise<void> {
  const { Linter } = nodeRequire('bpmnlint') as { Linter: LinterConstructor };
  const linter = new Linter({ config: { rules: LINT_RULES }, resolver });
  const results = await linter.lint(definitions);
  if (results['no-bpmndi'] && list(definitions, 'diagrams').length === 0) {
    // Without any diagram, "missing bpmndi" on every element is one fact, not hundreds.
    results['no-bpmndi'] = [{ message: 'the document has no diagram (BPMN DI): the modeler cannot display it', category: 'warn' }];
  }
  for (const [name, reports] of Object.entries(results)) {
    for (const report of reports) {
      const element = report.id === undefined ? undefined : elementsById[report.id];
      if (element && EXEMPTIONS[name]?.(element)) continue;
      const rule = `bpmnlint/${name}`;
      if (report.category === 'error') sink.refuse(rule, report.message, report.id);
      // 'warn', and 'rule-error' (the rule itself crashed: not the modeller's fault).
      else sink.warn(rule, report.category === 'rule-error' ? `the lint rule failed: ${report.message}` : report.message, report.id);
    }
  }
}
