import { ApiError, request } from '../../api/client';
import { formatDate, h } from '../../dom';
import { loadInto, table } from './async-section';

/**
 * The audit of deploy approvals: who submitted which draft, who approved or rejected it and
 * when (GET /api/deploy-requests). Its shape is not in this app's generated types yet, so each
 * entry is read field by field; a server without the endpoint gets a clear empty state.
 */
type Entry = Record<string, unknown>;

const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v));
const pick = (e: Entry, ...names: string[]): unknown => names.map((n) => e[n]).find((v) => v !== undefined && v !== null);
const when = (v: unknown) => (typeof v === 'string' ? formatDate(v) : text(v));

export function approvalsPanel(): HTMLElement {
  const list = h('div', { 'data-testid': 'admin-approvals' });
  void loadInto(
    list,
    async (): Promise<Entry[] | null> => {
      // Ask the server's OpenAPI document first, so that a server without deploy approvals is not
      // asked for them (a 404 in the browser console on every visit).
      const doc = (await request<{ paths?: Record<string, unknown> }>('/api/docs/openapi.json')).body;
      if (!doc.paths?.['/api/deploy-requests']) return null;
      try {
        const body = (await request<unknown>('/api/deploy-requests')).body;
        const items = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items) ? (body as { items: unknown[] }).items : [];
        return items.filter((i): i is Entry => Boolean(i) && typeof i === 'object');
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
        throw error;
      }
    },
    (entries) =>
      table(
        'admin-approvals-table',
        ['Process', 'Status', 'Submitted', 'Decided', 'Comment'],
        (entries ?? []).map((e) =>
          h(
            'tr',
            { 'data-testid': 'admin-approval' },
            h('td', {}, h('code', {}, text(pick(e, 'definitionKey', 'key'))), pick(e, 'draftId') ? h('div', { class: 'hint' }, `draft ${text(e.draftId)}`) : null),
            h('td', {}, text(pick(e, 'status', 'state', 'decision'))),
            h('td', {}, `${when(pick(e, 'submittedAt', 'requestedAt', 'createdAt'))} by ${text(pick(e, 'submittedBy', 'requestedBy', 'createdBy'))}`),
            h('td', {}, pick(e, 'decidedAt', 'reviewedAt') ? `${when(pick(e, 'decidedAt', 'reviewedAt'))} by ${text(pick(e, 'decidedBy', 'reviewedBy'))}` : '—'),
            h('td', { class: 'wrap' }, text(pick(e, 'comment', 'reason', 'decisionComment'))),
          ),
        ),
      ),
    (entries) => (entries === null ? 'Deploy approvals are not recorded by this server (GET /api/deploy-requests is not available).' : entries.length ? null : 'No deploy request yet.'),
  );
  return h('section', { 'aria-labelledby': 'admin-approvals-title' }, h('h2', { id: 'admin-approvals-title' }, 'Deploy approvals'), list);
}
