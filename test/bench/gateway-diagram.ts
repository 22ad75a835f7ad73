/** The generated diagrams of the bench's small and large flows: the server's (bench.ts), the bare engine's (engine-profile.ts) and the broker differential's (test/broker). */

/** start → first → exclusive split into `branches` tasks → exclusive join → last → end: small (1 branch), large (30). */
export function gatewayDiagram(key: string, branches: number): string {
  const parts: string[] = [
    '<bpmn:startEvent id="start"/>',
    '<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="first"/>',
    '<bpmn:userTask id="first" name="First" camunda:candidateGroups="bench"/>',
    '<bpmn:sequenceFlow id="f_first" sourceRef="first" targetRef="split"/>',
    `<bpmn:exclusiveGateway id="split" default="to_b${branches - 1}"/>`,
  ];
  for (let i = 0; i < branches; i++) {
    const condition = i === branches - 1 ? '' : `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=branch = ${i}</bpmn:conditionExpression>`;
    parts.push(`<bpmn:sequenceFlow id="to_b${i}" sourceRef="split" targetRef="b${i}">${condition}</bpmn:sequenceFlow>`);
    parts.push(`<bpmn:userTask id="b${i}" name="Branch ${i}" camunda:candidateGroups="bench"/>`);
    parts.push(`<bpmn:sequenceFlow id="from_b${i}" sourceRef="b${i}" targetRef="join"/>`);
  }
  parts.push(
    '<bpmn:exclusiveGateway id="join"/>',
    '<bpmn:sequenceFlow id="f_join" sourceRef="join" targetRef="last"/>',
    '<bpmn:userTask id="last" name="Last" camunda:candidateGroups="bench"/>',
    '<bpmn:sequenceFlow id="f_last" sourceRef="last" targetRef="end"/>',
    '<bpmn:endEvent id="end"/>',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_${key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${key}" isExecutable="true">
    ${parts.join('\n    ')}
  </bpmn:process>
</bpmn:definitions>`;
}
