import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A reference decision table from processes/ (e.g. `incident/decisions/incident-priority.dmn`). */
export function processDmn(path: string): string {
  return readFileSync(join(__dirname, '..', '..', 'processes', path), 'utf8');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A DMN 1.3 document with one decision table `key`: `inputs` are input expressions, each rule is
 * [input entries, output entries].
 */
export function dmnTable(key: string, opts: { hitPolicy?: string; inputs: string[]; outputs: string[]; rules: [string[], string[]][] }): string {
  const inputs = opts.inputs.map((e, i) => `<input id="${key}_in${i}" label="${esc(e)}"><inputExpression id="${key}_ie${i}" typeRef="string"><text>${esc(e)}</text></inputExpression></input>`);
  const outputs = opts.outputs.map((name, i) => `<output id="${key}_out${i}" name="${name}" typeRef="string"/>`);
  const rules = opts.rules.map(
    ([ins, outs], r) =>
      `<rule id="${key}_r${r + 1}">${ins.map((t, i) => `<inputEntry id="${key}_r${r + 1}i${i}"><text>${esc(t)}</text></inputEntry>`).join('')}` +
      `${outs.map((t, i) => `<outputEntry id="${key}_r${r + 1}o${i}"><text>${esc(t)}</text></outputEntry>`).join('')}</rule>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="${key}_defs" name="${key}" namespace="https://itsm-orchestrator.dev/test">
  <decision id="${key}" name="${key}"><decisionTable id="${key}_table" hitPolicy="${opts.hitPolicy ?? 'UNIQUE'}">${inputs.join('')}${outputs.join('')}${rules.join('')}</decisionTable></decision>
</definitions>`;
}
