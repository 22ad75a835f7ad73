import BpmnModdle from 'bpmn-moddle';
import camundaDescriptor from 'camunda-bpmn-moddle/resources/camunda.json';
import itsmDescriptor from '../../processes/moddle/itsm.json';
import zeebeDescriptor from '../../processes/moddle/zeebe.json';

/**
 * The moddle extensions used to parse at deploy time AND given to bpmn-engine as `moddleOptions`.
 * Both sides must agree: without the camunda descriptor, `camunda:*` attributes silently vanish.
 * `itsm` (processes/moddle/itsm.json) is ours: segregation of duties on user tasks; the browser
 * modeler loads the same descriptor. `zeebe` (processes/moddle/zeebe.json) is a minimal Camunda 8
 * descriptor: only `<zeebe:subscription correlationKey>` on messages, which we read as the
 * message's correlation key.
 */
export const moddleExtensions: Readonly<Record<string, object>> = Object.freeze({ camunda: camundaDescriptor, itsm: itsmDescriptor, zeebe: zeebeDescriptor });

/** What we use of a bpmn-moddle 9 instance. */
export interface BpmnModdleInstance {
  fromXML(xml: string): Promise<unknown>;
  getPackages(): { prefix: string; uri: string }[];
}

/** A fresh bpmn-moddle 9 instance configured with {@link moddleExtensions}. */
export function createModdle(): BpmnModdleInstance {
  return new BpmnModdle(moddleExtensions) as unknown as BpmnModdleInstance;
}
