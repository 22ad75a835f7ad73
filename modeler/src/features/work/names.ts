import { work, type RecordDetail } from './api';

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';

/**
 * The names of a diagram's elements by id, read from its XML with the browser's DOMParser (no
 * modeler in the work pages). Only BPMN model elements with a non-empty name; whitespace (line
 * breaks in labels) collapses to one space. An unreadable document gives an empty map.
 */
export function elementNames(xml: string): Map<string, string> {
  const names = new Map<string, string>();
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) return names;
  for (const el of Array.from(doc.getElementsByTagNameNS(BPMN, '*'))) {
    const id = el.getAttribute('id');
    const name = el.getAttribute('name')?.replace(/\s+/g, ' ').trim();
    if (id && name && !names.has(id)) names.set(id, name);
  }
  return names;
}

/**
 * A lookup of element names for a record's timeline: each event's element is named after the
 * diagram of the definition version its own instance runs (a called instance runs another one).
 * What cannot be loaded falls back to the element id.
 */
export async function recordElementNames(record: RecordDetail): Promise<(elementId: string, instanceId?: string) => string> {
  const byVersion = new Map<string, Promise<Map<string, string>>>();
  const versions = new Map<string, ReturnType<typeof work.versions>>();
  const namesOf = (key: string, version: number): Promise<Map<string, string>> => {
    const at = `${key}\u0000${version}`;
    let names = byVersion.get(at);
    if (!names) {
      let list = versions.get(key);
      if (!list) versions.set(key, (list = work.versions(key)));
      names = list
        .then((all) => all.find((d) => d.version === version))
        .then(async (d) => (d ? elementNames(await work.definitionXml(d.id)) : new Map<string, string>()))
        .catch(() => new Map<string, string>());
      byVersion.set(at, names);
    }
    return names;
  };
  const byInstance = new Map<string, Map<string, string>>();
  await Promise.all(record.instances.map(async (i) => byInstance.set(i.id, await namesOf(i.definitionKey, i.definitionVersion))));
  const fallback = byInstance.get(record.instanceId);
  return (elementId, instanceId) => (instanceId ? byInstance.get(instanceId) : fallback)?.get(elementId) ?? fallback?.get(elementId) ?? elementId;
}
