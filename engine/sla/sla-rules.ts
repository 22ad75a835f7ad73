import { is, isAny, text, type ModdleElement } from '../definitions/model';
import type { RuleContext } from '../definitions/rule-context';
import { pausedClockNames } from './sla-pause';

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Elements that wait, and so can hold a clock paused while they run. */
const WAITING = ['bpmn:Activity', 'bpmn:IntermediateCatchEvent'];

/**
 * `itsm:pauseSla` (engine/sla/sla-pause.ts): only on activities and intermediate catch events (a
 * start, end, throw or boundary event or a gateway does not wait, so a pause there would end at
 * once), a comma-separated list of SLA clock names that are identifiers; `itsm:pauseReason` only
 * beside it. A name no `startSla` task of the process starts is a warning (the clock may come from
 * a calling process through `camunda:in`; at run time a missing clock is left alone).
 */
export function checkSlaPauses(context: RuleContext): void {
  const started = startedClocks(context);
  for (const element of context.elements) {
    if (!is(element, 'bpmn:FlowNode')) continue;
    const value = text(element, 'itsm:pauseSla');
    const reason = text(element, 'itsm:pauseReason');
    if (value === undefined) {
      if (reason !== undefined) context.sink.refuse('sla-pause', 'itsm:pauseReason needs itsm:pauseSla on the same element', element.id);
      continue;
    }
    if (!isAny(element, WAITING)) {
      context.sink.refuse('sla-pause', `itsm:pauseSla is only allowed on an activity or an intermediate catch event (not ${element.$type})`, element.id);
      continue;
    }
    const names = pausedClockNames(value);
    if (!names.length) {
      context.sink.refuse('sla-pause', 'itsm:pauseSla names no SLA clock (write e.g. itsm:pauseSla="resolution")', element.id);
      continue;
    }
    const bad = names.filter((n) => !NAME.test(n));
    if (bad.length) {
      context.sink.refuse('sla-pause', `itsm:pauseSla: ${bad.map((n) => `"${n}"`).join(', ')} is not an SLA clock name (letters, digits and _; not starting with a digit)`, element.id);
      continue;
    }
    if (reason !== undefined && (!reason.trim() || reason.length > 200)) {
      context.sink.refuse('sla-pause', 'itsm:pauseReason must be 1 to 200 characters', element.id);
      continue;
    }
    for (const name of names) {
      if (!started.has(name)) context.sink.warn('sla-pause-unknown-clock', `itsm:pauseSla names the SLA clock "${name}", which no startSla task of this process starts (nothing is paused unless the clock exists when the element runs)`, element.id);
    }
  }
}

/** Names of the clocks the `startSla` tasks of the document start (literal `name` input parameters). */
function startedClocks(context: RuleContext): Set<string> {
  const names = new Set<string>();
  for (const element of context.elements) {
    if (!is(element, 'bpmn:ServiceTask') || !/^\$\{\s*startSla\s*\}$/.test(text(element, 'camunda:delegateExpression') ?? '')) continue;
    for (const parameter of inputParameters(element)) {
      if (parameter.get('name') === 'name' && typeof parameter.get('value') === 'string') names.add(String(parameter.get('value')).trim());
    }
  }
  return names;
}

function inputParameters(element: ModdleElement): ModdleElement[] {
  const extensions = element.get('extensionElements') as ModdleElement | undefined;
  const values = (extensions?.get('values') ?? []) as ModdleElement[];
  const io = values.find((v) => is(v, 'camunda:InputOutput'));
  return ((io?.get('inputParameters') ?? []) as ModdleElement[]);
}
