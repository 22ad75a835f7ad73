import './replay.css';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import itsmModdle from '../../../../processes/moddle/itsm.json';
import { api } from '../../api/client';
import { typed, type ChainVerdict, type HistoryEvent, type Replay } from '../../api/typed';
import { formatDate, h, replace, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { elementLabel, eventData, eventLabel, formatValue, visitedUpTo, type NameOf } from './describe';
import tokenMarkers from './token-markers';
import type TokenMarkers from './token-markers/TokenMarkers';

/**
 * #/instances/:id/replay: an instance's history step by step on the diagram version it ran on.
 * Each step shows its event (element name, actor, time, submitted data), the tokens after it,
 * the variables as committed at that point, and the hash-chain verification of the whole history.
 * Keys: ← → step, Home / End first and last.
 */
export function replayView(instanceId: string): View {
  const messages = new MessageArea();
  const title = h('h1', { id: 'replay-title' }, 'Replay');
  const meta = h('p', { class: 'replay-meta', 'data-testid': 'replay-meta' }, 'Loading…');
  const verdict = h('p', { class: 'replay-verdict pending', role: 'status', 'data-testid': 'replay-verify' }, 'Verifying the hash chain…');
  const canvasEl = h('div', { class: 'canvas viewer replay-canvas', 'data-testid': 'replay-diagram', 'aria-label': 'Process diagram' });
  const viewer = new NavigatedViewer({ container: canvasEl, moddleExtensions: { camunda: camundaModdle, itsm: itsmModdle }, additionalModules: [tokenMarkers] });
  const position = h('span', { class: 'replay-position', 'data-testid': 'replay-position', 'aria-live': 'polite' }, '');
  const slider = h('input', { type: 'range', min: 0, max: 0, value: 0, 'aria-label': 'Step', 'data-testid': 'replay-slider', disabled: true });
  const button = (label: string, testId: string, keys: string, go: () => void) =>
    h('button', { type: 'button', 'data-testid': testId, 'aria-keyshortcuts': keys, disabled: true, onclick: go }, label);
  const first = button('◀◀ First', 'replay-first', 'Home', () => goTo(0));
  const back = button('◀ Back', 'replay-back', 'ArrowLeft', () => goTo(index - 1));
  const forward = button('Forward ▶', 'replay-forward', 'ArrowRight', () => goTo(index + 1));
  const last = button('Last ▶▶', 'replay-last', 'End', () => goTo(steps().length - 1));
  const current = h('div', { class: 'replay-event', 'data-testid': 'replay-current' });
  const variablesBody = h('tbody');
  const variablesEl = h(
    'table',
    { class: 'replay-variables', 'data-testid': 'replay-variables' },
    h('caption', {}, 'Variables at this step'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
    variablesBody,
  );
  const timeline = h('ol', { class: 'replay-timeline', 'data-testid': 'replay-timeline', 'aria-label': 'History events' });

  const el = h(
    'section',
    { class: 'view replay', 'aria-labelledby': 'replay-title', 'data-testid': 'replay' },
    h('div', { class: 'toolbar' }, title, h('a', { href: `#/instances/${encodeURIComponent(instanceId)}` }, 'Instance page'), h('a', { href: '#/replay' }, 'Find another')),
    meta,
    verdict,
    messages.el,
    h('div', { class: 'replay-controls', role: 'group', 'aria-label': 'Replay controls' }, first, back, position, forward, last, slider),
    h(
      'div',
      { class: 'replay-layout' },
      h('figure', { class: 'diagram replay-figure' }, canvasEl, legend()),
      h('div', { class: 'replay-side' }, current, variablesEl),
    ),
    h('h2', { id: 'replay-timeline-title' }, 'Timeline'),
    timeline,
  );

  let replay: Replay | null = null;
  let events: HistoryEvent[] = [];
  let index = 0;
  let diagramReady = false;
  let left = false;
  let nameOf: NameOf = () => null;
  const steps = () => replay?.steps ?? [];

  slider.addEventListener('input', () => goTo(Number(slider.value)));
  // A narrower window (a phone turned, a sidebar opened) fits the diagram again.
  let width = 0;
  const resized = new ResizeObserver(([entry]) => {
    const now = Math.round(entry?.contentRect.width ?? 0);
    if (!diagramReady || !now || Math.abs(now - width) < 2) return;
    width = now;
    const canvas = viewer.get<Canvas>('canvas');
    canvas.resized();
    canvas.zoom('fit-viewport');
  });
  resized.observe(canvasEl);
  const onKey = (e: KeyboardEvent) => {
    if (!replay || e.altKey || e.ctrlKey || e.metaKey) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: steps().length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    goTo(to);
  };
  window.addEventListener('keydown', onKey);

  async function load(): Promise<void> {
    try {
      replay = await typed.get('/api/instances/{id}/replay', { params: { id: instanceId } });
      if (left) return;
      events = replay.steps.map((s) => s.event);
      renderMeta(replay);
      void verify();
      const xml = await api.definitions.xml(replay.instance.definitionId).catch((error: unknown) => {
        messages.error(error);
        return null;
      });
      if (left) return;
      if (xml) {
        await viewer.importXML(xml);
        if (left) return;
        const registry = viewer.get<ElementRegistry>('elementRegistry');
        nameOf = (id) => {
          const name = registry.get(id)?.businessObject?.name;
          return typeof name === 'string' && name.trim() ? name : null;
        };
        viewer.get<Canvas>('canvas').zoom('fit-viewport');
        diagramReady = true;
      }
      renderTimeline();
      slider.max = String(Math.max(0, events.length - 1));
      slider.disabled = events.length < 2;
      goTo(0);
      el.dataset.ready = 'true';
    } catch (error) {
      if (!left) {
        messages.error(error);
        meta.textContent = 'The history could not be loaded.';
      }
    }
  }

  async function verify(): Promise<void> {
    try {
      const v = await typed.get('/api/instances/{id}/history/verify', { params: { id: instanceId } });
      if (!left) showVerdict(v);
    } catch (error) {
      if (left) return;
      verdict.className = 'replay-verdict invalid';
      verdict.textContent = `The hash chain could not be verified: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  function showVerdict(v: ChainVerdict): void {
    verdict.dataset.valid = String(v.valid);
    verdict.className = `replay-verdict ${v.valid ? 'valid' : 'invalid'}`;
    replace(
      verdict,
      v.valid
        ? `✔ Hash chain verified: all ${v.checked} events are intact and in order.`
        : `✘ Hash chain broken at event #${v.firstInvalid?.seq ?? '?'}: ${v.firstInvalid?.reason ?? 'unknown reason'}. Events from there on cannot be trusted.`,
    );
    if (!v.valid && v.firstInvalid) timeline.querySelector(`[data-seq="${v.firstInvalid.seq}"]`)?.classList.add('tampered');
  }

  function renderMeta(r: Replay): void {
    const i = r.instance;
    const record = typeof i.variables.recordNumber === 'string' ? i.variables.recordNumber : null;
    title.textContent = `Replay of ${record ?? i.businessKey ?? i.definitionKey}`;
    replace(
      meta,
      h('span', {}, `${i.definitionKey} version ${i.definitionVersion}`),
      ' · ',
      h('span', { class: `status ${i.status}` }, i.status),
      i.businessKey ? ` · business key ${i.businessKey}` : null,
      ` · started ${formatDate(i.startedAt)}${i.startedBy ? ` by ${i.startedBy}` : ''}`,
      i.endedAt ? ` · ended ${formatDate(i.endedAt)}` : null,
      ` · ${r.steps.length} events`,
    );
    if (!r.consistent) {
      messages.show('info', 'The variables replayed from the history differ from the instance’s stored variables; the variables shown per step may be incomplete.');
    }
  }

  function renderTimeline(): void {
    if (!events.length) {
      replace(timeline, h('li', { class: 'empty' }, 'This instance has no history events.'));
      return;
    }
    replace(
      timeline,
      ...events.map((e, i) =>
        h(
          'li',
          { 'data-seq': e.seq },
          h(
            'button',
            { type: 'button', class: 'replay-step', 'data-testid': 'replay-step', 'data-seq': e.seq, onclick: () => goTo(i) },
            h('span', { class: 'seq' }, `#${e.seq}`),
            h('span', { class: 'what' }, eventLabel(e.type)),
            h('span', { class: 'element' }, elementLabel(e, nameOf)),
            h('span', { class: 'actor' }, e.actor ?? ''),
            h('time', { datetime: e.occurredAt }, formatDate(e.occurredAt)),
          ),
        ),
      ),
    );
  }

  function goTo(to: number): void {
    const all = steps();
    if (!all.length) {
      position.textContent = 'No events';
      return;
    }
    index = Math.max(0, Math.min(all.length - 1, to));
    const step = all[index]!;
    const e = step.event;
    position.textContent = `Step ${index + 1} of ${all.length}`;
    position.dataset.index = String(index);
    slider.value = String(index);
    first.disabled = back.disabled = index === 0;
    forward.disabled = last.disabled = index === all.length - 1;
    renderCurrent(e);
    renderVariables(index);
    for (const item of timeline.querySelectorAll<HTMLButtonElement>('button.replay-step')) {
      if (item.dataset.seq === String(e.seq)) {
        item.setAttribute('aria-current', 'step');
        item.scrollIntoView({ block: 'nearest' });
      } else item.removeAttribute('aria-current');
    }
    if (diagramReady) {
      const onDiagram = e.elementId && viewer.get<ElementRegistry>('elementRegistry').get(e.elementId) ? e.elementId : null;
      viewer.get<TokenMarkers>('tokenMarkers').show({ visited: visitedUpTo(events, index), current: onDiagram, tokens: step.tokens });
      el.dataset.tokens = step.tokens.join(' ');
    }
    el.dataset.step = String(index);
  }

  function renderCurrent(e: HistoryEvent): void {
    const data = eventData(e);
    const element = elementLabel(e, nameOf);
    replace(
      current,
      h('h2', {}, eventLabel(e.type), element ? h('span', { class: 'element', 'data-testid': 'replay-element' }, ` · ${element}`) : null),
      h(
        'dl',
        {},
        h('dt', {}, 'Event'),
        h('dd', {}, `#${e.seq} `, h('code', {}, e.type)),
        e.elementId ? h('dt', {}, 'Element') : null,
        e.elementId ? h('dd', {}, h('code', {}, e.elementId), e.elementType ? ` (${e.elementType.replace(/^bpmn:/, '')})` : '') : null,
        h('dt', {}, 'Actor'),
        h('dd', { 'data-testid': 'replay-actor' }, e.actor ?? 'the engine'),
        h('dt', {}, 'Time'),
        h('dd', {}, h('time', { datetime: e.occurredAt }, formatDate(e.occurredAt))),
        h('dt', {}, 'Hash'),
        h('dd', {}, h('code', { title: e.hash }, `${e.hash.slice(0, 16)}…`)),
      ),
      data ? h('h3', {}, data.label) : null,
      data ? h('pre', { 'data-testid': 'replay-data' }, formatValue(data.data)) : null,
    );
  }

  function renderVariables(at: number): void {
    const all = steps();
    let vars: Record<string, unknown> = {};
    for (let j = at; j >= 0; j--) {
      const v = all[j]!.variables;
      if (v) {
        vars = v;
        break;
      }
    }
    const changed = new Set(all[at]!.changed);
    const names = Object.keys(vars).sort();
    if (!names.length) {
      replace(variablesBody, h('tr', {}, h('td', { colspan: 2, class: 'empty' }, 'No variables yet.')));
      return;
    }
    replace(
      variablesBody,
      ...names.map((name) =>
        h(
          'tr',
          { class: changed.has(name) ? 'changed' : null, 'data-testid': 'replay-variable', 'data-name': name, 'data-changed': changed.has(name) ? 'true' : null },
          h('th', { scope: 'row' }, name, changed.has(name) ? h('span', { class: 'badge' }, 'changed') : null),
          h('td', {}, h('pre', {}, formatValue(vars[name]))),
        ),
      ),
    );
  }

  void load();
  return {
    el,
    destroy() {
      left = true;
      resized.disconnect();
      window.removeEventListener('keydown', onKey);
      viewer.destroy();
    },
  };
}

function legend(): HTMLElement {
  return h(
    'figcaption',
    { class: 'legend' },
    h('span', { class: 'swatch replay-visited' }),
    'done before',
    h('span', { class: 'swatch replay-current' }),
    'this step',
    h('span', { class: 'replay-token legend-token', 'aria-hidden': 'true' }),
    'token',
  );
}
