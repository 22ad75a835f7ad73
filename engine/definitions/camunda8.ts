import type { ModdleElement } from './model';
import type { RuleContext } from './rule-context';

/** The Camunda 8 (Zeebe) namespace. Our zeebe descriptor reads `<zeebe:subscription>` and `<zeebe:taskDefinition>` (external tasks). */
const ZEEBE_URI = 'http://camunda.org/schema/zeebe/1.0';

/** True when the document declares the Camunda 8 namespace on its root (Camunda Modeler 5 for Camunda 8). */
export function declaresCamunda8(definitions: ModdleElement): boolean {
  return Object.values(definitions.$attrs ?? {}).includes(ZEEBE_URI);
}

/**
 * A sentence naming the Camunda 8 extension a refusal is probably about (moddle drops unknown
 * zeebe elements while reading, so the element itself cannot be seen), or '' for other documents.
 */
export function camunda8Hint(context: RuleContext, what: 'job worker' | 'multi-instance'): string {
  if (!declaresCamunda8(context.parsed.definitions)) return '';
  return what === 'job worker'
    ? ' (for a Camunda 8 job worker, give it a <zeebe:taskDefinition type="<topic>">: it becomes an external task)'
    : ' (a Camunda 8 <zeebe:loopCharacteristics inputCollection> is not read: use loopCardinality or camunda:collection)';
}
