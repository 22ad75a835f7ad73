import type Canvas from 'diagram-js/lib/core/Canvas';
import { api, ApiError, type Definition } from '../api/client';
import { can } from '../auth/permissions';
import { createModeler, problemMarkersOf, wasLaidOut } from '../bpmn/create-modeler';
import { DEFAULT_DIAGRAM } from '../bpmn/default-diagram';
import { h, type View } from '../dom';
import { MessageArea } from '../messages';

/** #/modeler (new diagram) and #/modeler/:definitionId (a deployed version, as a starting point). */
export function modelerView(definitionId?: string): View {
  const canvasEl = h('div', { class: 'canvas', 'data-testid': 'canvas' });
  const propertiesEl = h('aside', { class: 'itsm-properties', 'data-testid': 'properties-panel', 'aria-label': 'Properties' });
  const modeler = createModeler(canvasEl, { propertiesParent: propertiesEl });
  const markers = problemMarkersOf(modeler);
  const messages = new MessageArea((problem) => {
    if (problem.elementId && !markers.focus(problem.elementId)) messages.show('info', `${problem.elementId} is not on this diagram`);
  });
  let left = false;

  const versionTag = h('input', { id: 'version-tag', name: 'versionTag', maxlength: 64, placeholder: 'optional', 'data-testid': 'version-tag' });
  const openInput = h('input', {
    type: 'file',
    id: 'open-file',
    accept: '.bpmn,.xml,application/xml,text/xml',
    'data-testid': 'open-file',
    onchange: () => void openFile(),
  });
  const deployButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'deploy', onclick: () => void deploy() }, 'Deploy');

  const el = h(
    'section',
    { class: 'view modeler-view', 'aria-labelledby': 'modeler-title' },
    h(
      'div',
      { class: 'toolbar' },
      h('h1', { id: 'modeler-title' }, definitionId ? 'Edit process' : 'New process'),
      h('button', { type: 'button', 'data-testid': 'new-diagram', onclick: () => void newDiagram() }, 'New diagram'),
      h('label', { for: 'open-file', class: 'button' }, 'Open .bpmn…'),
      openInput,
      ...(can.deploy()
        ? [h('label', { for: 'version-tag' }, 'Version tag'), versionTag, deployButton]
        : [h('span', { class: 'hint', 'data-testid': 'deploy-hint' }, 'Deploying needs the admin role.')]),
      h('button', { type: 'button', 'data-testid': 'download', onclick: () => void download() }, 'Download .bpmn'),
    ),
    messages.el,
    h('div', { class: 'modeler-workspace' }, canvasEl, propertiesEl),
  );

  async function load(): Promise<void> {
    try {
      await show(definitionId ? await api.definitions.xml(definitionId) : DEFAULT_DIAGRAM, Boolean(definitionId));
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  async function show(xml: string, fit: boolean): Promise<void> {
    if (left) return;
    delete el.dataset.ready;
    messages.clear();
    const { warnings } = await modeler.importXML(xml);
    if (left) return;
    if (fit) modeler.get<Canvas>('canvas').zoom('fit-viewport', 'auto' as never); // centred, clear of the palette (Canvas.js centres on any truthy centre; its typings want a Point)
    if (warnings.length) messages.show('info', `Imported with ${warnings.length} warning(s); check the diagram before deploying.`);
    else if (wasLaidOut(modeler)) messages.show('info', 'The document had no diagram layout: it was laid out automatically.');
    el.dataset.ready = 'true';
  }

  async function newDiagram(): Promise<void> {
    if (definitionId) {
      location.hash = '#/modeler';
      return;
    }
    try {
      await show(DEFAULT_DIAGRAM, false);
    } catch (error) {
      if (!left) messages.error(error);
    }
  }

  /** Opens a local file in the modeler (it is deployed only when "Deploy" is pressed). */
  async function openFile(): Promise<void> {
    const file = openInput.files?.[0];
    if (!file) return;
    try {
      await show(await file.text(), true);
    } catch (error) {
      if (!left) messages.error(new Error(`${file.name} could not be opened: ${(error as Error).message}`));
    } finally {
      openInput.value = '';
    }
  }

  async function deploy(): Promise<void> {
    deployButton.disabled = true;
    markers.clear();
    messages.show('info', 'Deploying…');
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const { status, body } = await api.definitions.deployXml(xml ?? '', versionTag.value.trim() || undefined);
      if (left) return;
      showDeployed(status, body);
    } catch (error) {
      if (left) return;
      messages.error(error);
      if (error instanceof ApiError) {
        markers.show((error.problem.problems ?? []).flatMap((p) => (p.elementId ? [p.elementId] : [])));
      }
    } finally {
      deployButton.disabled = false;
    }
  }

  function showDeployed(status: number, d: Definition): void {
    const open = h('a', { href: '#/definitions' }, 'Definitions');
    if (status === 201) {
      const warnings = d.warnings.length ? [h('p', {}, 'Warnings:'), messages.problemList(d.warnings, 'warnings')] : [];
      messages.show('success', `Deployed ${d.key} version ${d.version}`, ...warnings, h('p', {}, 'See ', open, '.'));
    } else {
      messages.show('info', `Identical to version ${d.version} (not redeployed)`, h('p', {}, 'See ', open, '.'));
    }
  }

  async function download(): Promise<void> {
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const url = URL.createObjectURL(new Blob([xml ?? ''], { type: 'application/xml' }));
      const link = h('a', { href: url, download: `${processId() ?? 'diagram'}.bpmn` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      messages.error(error);
    }
  }

  /** The id of the diagram's process, which becomes the definition key on deploy. */
  function processId(): string | undefined {
    const root = modeler.get<Canvas>('canvas').getRootElement() as { businessObject?: { id?: string } };
    return root.businessObject?.id;
  }

  void load();
  return {
    el,
    destroy() {
      left = true;
      modeler.destroy();
    },
  };
}
