import './admin.css';
import { h, type View } from '../../dom';
import { MessageArea } from '../../messages';
import { approvalsPanel } from './approvals.panel';
import { definitionsPanel } from './definitions.panel';
import { identityPanel } from './identity.panel';
import { operationsPanel } from './operations.panel';

const TABS = [
  { id: 'definitions', label: 'Definitions', panel: definitionsPanel },
  { id: 'identity', label: 'Users and groups', panel: identityPanel },
  { id: 'operations', label: 'Incidents and timers', panel: operationsPanel },
  { id: 'approvals', label: 'Deploy approvals', panel: () => approvalsPanel() },
] as const;

/** #/admin/:tab: what administrators run (definitions, identity, operations, approvals). */
export function adminView(tab = 'definitions'): View {
  const messages = new MessageArea();
  const active = TABS.find((t) => t.id === tab) ?? TABS[0];
  const nav = h(
    'nav',
    { class: 'admin-tabs', 'aria-label': 'Administration' },
    ...TABS.map((t) => h('a', { href: `#/admin/${t.id}`, 'aria-current': t.id === active.id ? 'page' : null, 'data-testid': `admin-tab-${t.id}` }, t.label)),
  );
  const el = h(
    'section',
    { class: 'view admin', 'aria-labelledby': 'admin-title', 'data-testid': 'admin', 'data-tab': active.id },
    h('div', { class: 'toolbar' }, h('h1', { id: 'admin-title' }, 'Administration')),
    nav,
    messages.el,
    active.panel(messages),
  );
  return { el };
}
