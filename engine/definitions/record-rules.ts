import { MAX_STATE_LENGTH, RECORD_TYPES, STATE_PATTERN, isRecordType } from '../records/types';
import { is, text } from './model';
import type { RuleContext } from './rule-context';

/**
 * ITSM records: `itsm:recordType` on a process must be a known type; `itsm:recordState` on a
 * flow node a short state name, and only in a process that keeps a record (it would be ignored).
 */
export function checkRecords(context: RuleContext): void {
  const keepsRecord = new Set<string>();
  for (const element of context.elements) {
    if (!is(element, 'bpmn:Process')) continue;
    const type = text(element, 'itsm:recordType');
    if (type === undefined) continue;
    if (!isRecordType(type)) {
      context.sink.refuse('record-type', `itsm:recordType "${type}" is not one of ${RECORD_TYPES.join(', ')}`, element.id);
    } else keepsRecord.add(String(element.id));
  }
  for (const element of context.elements) {
    if (!is(element, 'bpmn:FlowNode')) continue;
    const state = text(element, 'itsm:recordState');
    if (state === undefined) continue;
    const trimmed = state.trim();
    if (!trimmed || trimmed.length > MAX_STATE_LENGTH || !STATE_PATTERN.test(trimmed)) {
      context.sink.refuse('record-state', `itsm:recordState "${state}" must be 1 to ${MAX_STATE_LENGTH} letters, digits, spaces, _ or -`, element.id);
    } else if (!keepsRecord.has(String(processOf(element)?.id))) {
      context.sink.refuse('record-state', 'itsm:recordState needs itsm:recordType on its process (there is no record whose state it could set)', element.id);
    }
  }
}

function processOf(element: { $parent?: unknown }): { id?: unknown } | undefined {
  let current = element.$parent as { $type?: string; $parent?: unknown; id?: unknown } | undefined;
  while (current && current.$type !== 'bpmn:Process') current = current.$parent as typeof current;
  return current;
}
