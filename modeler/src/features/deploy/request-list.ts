/** Deploy requests with their decisions; administrators approve or reject pending ones here. */
import { formatDate, h } from '../../dom';
import type { DeployRequest } from '../drafts/drafts-api';

const STATE_LABEL: Record<DeployRequest['state'], string> = { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn' };

export interface RequestActions {
  mayDecide(r: DeployRequest): boolean;
  approve(r: DeployRequest, button: HTMLButtonElement): void;
  reject(r: DeployRequest, reason: string, button: HTMLButtonElement): void;
}

export function requestList(requests: DeployRequest[] | null, actions: RequestActions): HTMLElement {
  if (requests === null) return h('p', { class: 'empty', 'data-testid': 'requests-loading' }, 'Loading requests…');
  if (!requests.length) return h('p', { class: 'empty', 'data-testid': 'requests-empty' }, 'No deploy requests.');
  return h('ul', { class: 'side-list', 'data-testid': 'request-list' }, ...requests.map((r) => item(r, actions)));
}

function item(r: DeployRequest, actions: RequestActions): HTMLElement {
  const outcome =
    r.state === 'approved'
      ? r.created
        ? `deployed as version ${r.definitionVersion}`
        : `identical to version ${r.definitionVersion} (no new version)`
      : null;
  const li = h(
    'li',
    { 'data-testid': 'request-item', 'data-request-id': r.id, 'data-state': r.state },
    h('span', { class: `badge ${r.state}` }, r.kind === 'direct' ? 'Deployed directly' : STATE_LABEL[r.state]),
    ' ',
    h('a', { href: `#/modeler/draft/${encodeURIComponent(r.draftId)}` }, `${r.key} · revision ${r.draftRevision}`),
    h('span', { class: 'comment' }, r.comment),
    h('span', { class: 'meta' }, `${r.kind === 'direct' ? 'by' : 'submitted by'} ${r.submittedBy} · ${formatDate(r.submittedAt)}`),
    r.decidedBy && r.kind === 'request'
      ? h('span', { class: 'meta', 'data-testid': 'request-decision' }, `${STATE_LABEL[r.state].toLowerCase()} by ${r.decidedBy} · ${formatDate(r.decidedAt)}${outcome ? ` · ${outcome}` : ''}`)
      : outcome
        ? h('span', { class: 'meta', 'data-testid': 'request-decision' }, outcome)
        : null,
    r.reason ? h('span', { class: 'reason' }, `Reason: ${r.reason}`) : null,
  );
  if (r.state === 'pending' && actions.mayDecide(r)) {
    const approve = h('button', { type: 'button', class: 'primary', 'data-testid': 'approve-request', onclick: () => actions.approve(r, approve) }, 'Approve and deploy');
    const reasonId = `reject-reason-${r.id}`;
    const reason = h('input', { id: reasonId, 'data-testid': 'reject-reason', maxlength: 2000, placeholder: 'reason', required: true });
    const reject = h(
      'button',
      {
        type: 'button',
        'data-testid': 'reject-request',
        onclick: () => {
          if (!reason.value.trim()) {
            reason.setAttribute('aria-invalid', 'true');
            reason.focus();
            return;
          }
          actions.reject(r, reason.value.trim(), reject);
        },
      },
      'Reject',
    );
    li.append(h('div', { class: 'decide' }, approve, h('label', { for: reasonId, class: 'sr-only' }, 'Reason for rejecting'), reason, reject));
  }
  return li;
}
