import './kpis.css';
import type { EChartsType } from 'echarts/core';
import { typed, type KpiReport } from '../../api/typed';
import { h, replace, type Child, type View } from '../../dom';
import { barChart } from './charts';

const FLOWS = [
  { value: '', label: 'All flows' },
  { value: 'incident', label: 'Incidents' },
  { value: 'request', label: 'Service requests' },
  { value: 'problem', label: 'Problems' },
  { value: 'change', label: 'Changes' },
  { value: 'nc', label: 'Nonconformities' },
] as const;

type Ratio = { count: number; total: number; pct: number | null };
const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / 3_600_000) * 10) / 10);
const pct = (r: Ratio) => (r.pct === null ? '—' : `${r.pct} %`);
const ratioText = (r: Ratio) => `${r.count} of ${r.total}`;

/**
 * #/kpis: the ITSM KPIs of one flow (or all) over a period, as charts with the numbers behind
 * them in tables beside (GET /api/kpis?flow=&from=&to=).
 */
export function kpisView(): View {
  const today = new Date();
  const flow = h('select', { id: 'kpi-flow', 'data-testid': 'kpi-flow' }, ...FLOWS.map((f) => h('option', { value: f.value }, f.label)));
  const from = h('input', { type: 'date', id: 'kpi-from', value: day(new Date(today.getTime() - 30 * DAY)), required: true, 'data-testid': 'kpi-from' });
  const to = h('input', { type: 'date', id: 'kpi-to', value: day(today), required: true, 'data-testid': 'kpi-to' });
  const apply = h('button', { type: 'submit', class: 'primary', 'data-testid': 'kpi-apply' }, 'Show');
  const form = h(
    'form',
    { class: 'kpi-form', 'aria-label': 'Flow and period' },
    h('label', { for: 'kpi-flow' }, 'Flow'),
    flow,
    h('label', { for: 'kpi-from' }, 'From'),
    from,
    h('label', { for: 'kpi-to' }, 'To'),
    to,
    apply,
  );
  const output = h('div', { class: 'kpi-output', 'data-testid': 'kpi-output', 'aria-live': 'polite' });
  const el = h('section', { class: 'view kpis', 'aria-labelledby': 'kpi-title', 'data-testid': 'kpis' }, h('div', { class: 'toolbar' }, h('h1', { id: 'kpi-title' }, 'KPI dashboard')), form, output);

  let charts: EChartsType[] = [];
  let left = false;
  let generation = 0;
  const resize = new ResizeObserver(() => charts.forEach((c) => c.resize()));
  resize.observe(output);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });

  function dispose(): void {
    charts.forEach((c) => c.dispose());
    charts = [];
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    if (from.value && to.value && from.value > to.value) {
      replace(output, h('p', { class: 'load-error', role: 'alert' }, 'The period must start before it ends.'));
      return;
    }
    apply.disabled = true;
    output.setAttribute('aria-busy', 'true');
    replace(output, h('p', { class: 'hint', 'data-testid': 'loading' }, 'Loading…'));
    try {
      // The end date is included: the period runs to the start of the next day.
      const end = new Date(Date.parse(`${to.value}T00:00:00Z`) + DAY).toISOString();
      const report = await typed.get('/api/kpis', { query: { flow: (flow.value || undefined) as never, from: `${from.value}T00:00:00.000Z`, to: end } });
      if (left || mine !== generation) return;
      dispose();
      render(report);
    } catch (error) {
      if (!left && mine === generation) replace(output, h('p', { class: 'load-error', role: 'alert' }, error instanceof Error ? error.message : String(error)));
    } finally {
      apply.disabled = false;
      output.removeAttribute('aria-busy');
    }
  }

  /** A chart and the table of its numbers, side by side (stacked on narrow screens). */
  function panel(title: string, testId: string, draw: ((into: HTMLElement) => EChartsType) | null, numbers: HTMLElement): HTMLElement {
    const chartEl = h('div', { class: 'kpi-chart', 'data-testid': `${testId}-chart`, role: 'img', 'aria-label': `${title} (chart; the numbers are in the table)` });
    const section = h('section', { class: 'kpi-panel', 'data-testid': testId }, h('h2', {}, title), h('div', { class: 'kpi-panel-body' }, draw ? chartEl : null, numbers));
    if (draw) queueMicrotask(() => charts.push(draw(chartEl)));
    return section;
  }

  function render(r: KpiReport): void {
    const last = new Date(Date.parse(r.to) - 1);
    const parts: Child[] = [
      h('p', { class: 'hint', 'data-testid': 'kpi-period' }, `${formatDay(r.from)} to ${formatDay(last.toISOString())}: records opened (changes and nonconformities: closed) in this period; the backlog at its end.`),
    ];
    const ratios: [string, Ratio][] = [];
    const inc = r.incident;
    if (inc) {
      parts.push(
        h(
          'div',
          { class: 'kpi-cards', 'data-testid': 'kpi-cards' },
          card('Incidents opened', String(inc.opened)),
          card('Mean time to acknowledge', inc.mttaMs === null ? '—' : `${hours(inc.mttaMs)} h`),
          card('Mean time to resolve', inc.mttrMs === null ? '—' : `${hours(inc.mttrMs)} h`),
          card('Response SLA met', pct(inc.responseMet)),
          card('Resolution SLA met', pct(inc.resolutionMet)),
          card('Open backlog', String(inc.backlog.total)),
        ),
      );
      const priorities = inc.byPriority.map((p) => p.priority ?? 'none');
      parts.push(
        panel(
          'Incidents by priority',
          'kpi-incidents',
          inc.byPriority.length
            ? (into) =>
                barChart(into, {
                  categories: priorities,
                  series: [
                    { name: 'Response SLA met', values: inc.byPriority.map((p) => p.responseMet.pct) },
                    { name: 'Resolution SLA met', values: inc.byPriority.map((p) => p.resolutionMet.pct) },
                  ],
                  unit: ' %',
                  max: 100,
                })
            : null,
          numbersTable(
            'kpi-incidents-table',
            ['Priority', 'Opened', 'MTTA (h)', 'MTTR (h)', 'Response met', 'Resolution met'],
            [
              ...inc.byPriority.map((p) => [p.priority ?? 'none', p.opened, hours(p.mttaMs) ?? '—', hours(p.mttrMs) ?? '—', `${pct(p.responseMet)} (${ratioText(p.responseMet)})`, `${pct(p.resolutionMet)} (${ratioText(p.resolutionMet)})`]),
              ['All', inc.opened, hours(inc.mttaMs) ?? '—', hours(inc.mttrMs) ?? '—', `${pct(inc.responseMet)} (${ratioText(inc.responseMet)})`, `${pct(inc.resolutionMet)} (${ratioText(inc.resolutionMet)})`],
            ],
          ),
        ),
      );
      const buckets = ['0-2d', '3-7d', '>7d'] as const;
      parts.push(
        panel(
          'Open incident backlog by age (at the end of the period)',
          'kpi-backlog',
          (into) => barChart(into, { categories: ['0–2 days', '3–7 days', 'over 7 days'], series: [{ name: 'Open incidents', values: buckets.map((b) => inc.backlog[b]) }] }),
          numbersTable('kpi-backlog-table', ['Age', 'Open incidents'], [['0–2 days', inc.backlog['0-2d']], ['3–7 days', inc.backlog['3-7d']], ['over 7 days', inc.backlog['>7d']], ['Total', inc.backlog.total]]),
        ),
      );
      ratios.push(['Incidents: response SLA met', inc.responseMet], ['Incidents: resolution SLA met', inc.resolutionMet], ['Incidents: reopened', inc.reopenRate]);
    }
    const counts: [string, number][] = [];
    if (inc) counts.push(['Incidents opened', inc.opened]);
    if (r.request) {
      counts.push(['Requests opened', r.request.opened]);
      ratios.push(['Requests: fulfilled within target', r.request.fulfilledWithinTarget]);
    }
    if (r.problem) {
      counts.push(['Problems opened', r.problem.opened]);
      ratios.push(['Problems: root cause on time', r.problem.rcaOnTime]);
    }
    if (r.change) {
      counts.push(['Changes closed', r.change.closed]);
      ratios.push(['Changes: successful', r.change.successRate], ['Changes: emergency', r.change.emergency], ['Changes: review completed', r.change.reviewCompleted]);
    }
    if (r.nc) {
      counts.push(['Nonconformities closed', r.nc.closed]);
      ratios.push(['Nonconformities: effective at first check', r.nc.effectiveAtFirstCheck]);
    }
    if (ratios.length) {
      parts.push(
        panel(
          'Rates',
          'kpi-rates',
          (into) => barChart(into, { categories: ratios.map(([name]) => name), series: [{ name: 'Rate', values: ratios.map(([, v]) => v.pct) }], unit: ' %', horizontal: true, max: 100 }),
          numbersTable('kpi-rates-table', ['KPI', 'Rate', 'Count', 'Of'], ratios.map(([name, v]) => [name, pct(v), v.count, v.total])),
        ),
      );
    }
    if (counts.length) {
      parts.push(
        panel(
          'Volumes',
          'kpi-volumes',
          counts.length > 1 ? (into) => barChart(into, { categories: counts.map(([n]) => n), series: [{ name: 'Records', values: counts.map(([, v]) => v) }], horizontal: true }) : null,
          numbersTable(
            'kpi-volumes-table',
            ['KPI', 'Records'],
            [...counts, ...(r.nc ? ([['Nonconformities: mean days to close', r.nc.avgClosureMs === null ? '—' : Math.round((r.nc.avgClosureMs / DAY) * 10) / 10]] as [string, string | number][]) : [])],
          ),
        ),
      );
    }
    if (!inc && !ratios.length && !counts.length) parts.push(h('p', { class: 'empty', 'data-testid': 'empty' }, 'No KPI for this flow and period.'));
    replace(output, ...parts);
  }

  void load();
  return {
    el,
    destroy() {
      left = true;
      resize.disconnect();
      dispose();
    },
  };
}

function formatDay(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
}

function card(label: string, value: string): HTMLElement {
  return h('div', { class: 'kpi-card', 'data-testid': 'kpi-card' }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, label));
}

function numbersTable(testId: string, headers: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll kpi-numbers' },
    h(
      'table',
      { 'data-testid': testId },
      h('thead', {}, h('tr', {}, ...headers.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, String(cell)) : h('td', { class: 'num' }, cell)))))),
    ),
  );
}
