/**
 * The dmn-js editor in a modal dialog, for the decision table a business rule task names
 * (camunda:decisionRef). Loaded on demand.
 */
import { h } from '../../dom';
import { modalDialog } from '../deploy/dialog';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A one-rule decision table `id` to start from. */
export function newDecisionXml(id: string, name: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="${esc(id)}_definitions" name="${esc(name)}" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="${esc(id)}" name="${esc(name)}">
    <decisionTable id="${esc(id)}_table" hitPolicy="FIRST">
      <input id="${esc(id)}_input" label="Impact">
        <inputExpression id="${esc(id)}_input_expression" typeRef="string"><text>impact</text></inputExpression>
      </input>
      <output id="${esc(id)}_output" label="Result" name="result" typeRef="string" />
      <rule id="${esc(id)}_rule1">
        <inputEntry id="${esc(id)}_rule1_in"><text>-</text></inputEntry>
        <outputEntry id="${esc(id)}_rule1_out"><text>"default"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <dmndi:DMNDI><dmndi:DMNDiagram id="${esc(id)}_diagram"><dmndi:DMNShape id="${esc(id)}_shape" dmnElementRef="${esc(id)}"><dc:Bounds height="80" width="180" x="150" y="80" /></dmndi:DMNShape></dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>
`;
}

/** Opens the decision table `decisionId` of `xml` in the editor; resolves with the saved XML, or null when cancelled. */
export async function editDecision(xml: string, decisionId: string, title: string): Promise<string | null> {
  const [{ default: DmnModeler }] = await Promise.all([
    import('dmn-js/lib/Modeler'),
    import('dmn-js/dist/assets/diagram-js.css'),
    import('dmn-js/dist/assets/dmn-js-shared.css'),
    import('dmn-js/dist/assets/dmn-js-drd.css'),
    import('dmn-js/dist/assets/dmn-js-decision-table.css'),
    import('dmn-js/dist/assets/dmn-js-decision-table-controls.css'),
    import('dmn-js/dist/assets/dmn-js-literal-expression.css'),
    import('dmn-js/dist/assets/dmn-font/css/dmn.css'),
  ]);
  const container = h('div', { class: 'decision-editor-host', 'data-testid': 'decision-editor' });
  const dialog = modalDialog(title, container, { confirm: 'Use this table', testId: 'decision-editor-dialog' });
  const modeler = new DmnModeler({ container });
  try {
    await modeler.importXML(xml);
    const view = modeler.getViews().find((v) => v.type === 'decisionTable' && v.element.id === decisionId);
    if (view) await modeler.open(view);
    const saved = await dialog.result;
    if (!saved) return null;
    return (await modeler.saveXML({ format: true })).xml;
  } finally {
    modeler.destroy();
    dialog.close();
  }
}
