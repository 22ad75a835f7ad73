/** Reference attributes that may carry a QName (`prefix:id`) in exports of some tools. */
const REFERENCE_ATTRIBUTES = ['bpmnElement', 'sourceRef', 'targetRef', 'attachedToRef', 'default', 'processRef', 'sourceElement', 'targetElement', 'calledElement', 'messageRef', 'signalRef', 'errorRef'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Rewrites references written as QNames (`bpmnElement="bpmn2:Task_1"`, as GenMyModel exports) to
 * plain ids when the prefix is bound to the document's own targetNamespace: they point into this
 * document (the server resolves them the same way, engine/definitions/qname-references.ts).
 * bpmn-moddle resolves ids only, so without this such a diagram imports with nothing drawn.
 * Anything else is left as it is.
 */
export function resolveOwnQNameReferences(xml: string): string {
  const targetNamespace = /<([\w.-]+:)?definitions\b[^>]*\btargetNamespace="([^"]*)"/.exec(xml)?.[2];
  if (!targetNamespace) return xml;
  const prefixes = [...xml.matchAll(/\bxmlns:([\w.-]+)="([^"]*)"/g)].filter((m) => m[2] === targetNamespace).map((m) => m[1] as string);
  if (!prefixes.length) return xml;
  const attributes = REFERENCE_ATTRIBUTES.join('|');
  const pattern = new RegExp(`\\b(${attributes})="(?:${prefixes.map(escapeRegExp).join('|')}):([A-Za-z_][\\w.-]*)"`, 'g');
  return xml.replace(pattern, (_m, attribute: string, id: string) => `${attribute}="${id}"`);
}
