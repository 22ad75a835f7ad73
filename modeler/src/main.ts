import './styles.css';
import { session, type SessionChange, type SessionUser } from './auth/session';
import { h, type View } from './dom';
import { lazyView } from './lazy';
import { HashRouter } from './router';
import { definitionsView } from './views/definitions.view';
import { loginView } from './views/login.view';

const NAV: { href: string; label: string; section: string; roles?: string[] }[] = [
  { href: '#/definitions', label: 'Definitions', section: '/definitions' },
  { href: '#/modeler', label: 'Modeler', section: '/modeler' },
  { href: '#/tasks', label: 'Tasks', section: '/tasks' },
  { href: '#/start', label: 'Start', section: '/start' },
  { href: '#/records', label: 'Records', section: '/records' },
  { href: '#/instances', label: 'Instances', section: '/instances' },
  { href: '#/replay', label: 'Replay', section: '/replay' },
  { href: '#/kpis', label: 'KPIs', section: '/kpis' },
  { href: '#/admin', label: 'Admin', section: '/admin', roles: ['admin'] },
];

function header(user: SessionUser): { el: HTMLElement; highlight(path: string): void } {
  const links = NAV.filter((item) => !item.roles || item.roles.some((r) => user.roles.includes(r))).map((item) => h('a', { href: item.href, 'data-section': item.section }, item.label));
  const logout = h(
    'button',
    {
      type: 'button',
      class: 'logout',
      'data-testid': 'logout',
      onclick: () => {
        logout.disabled = true;
        void session.logout();
      },
    },
    'Sign out',
  );
  const el = h(
    'header',
    { class: 'app-header' },
    h('a', { href: '#/definitions', class: 'brand' }, 'ITSM Orchestrator'),
    h('nav', { 'aria-label': 'Main' }, ...links),
    h(
      'div',
      { class: 'session', 'data-testid': 'session' },
      h('span', { class: 'user', title: `Signed in as ${user.username}`, 'data-testid': 'current-user', 'data-username': user.username }, user.displayName || user.username),
      h(
        'span',
        { class: 'roles', 'aria-label': 'Roles', 'data-testid': 'user-roles' },
        ...(user.roles.length ? user.roles.map((role) => h('span', { class: 'role' }, role)) : [h('span', { class: 'role none' }, 'no role')]),
      ),
      logout,
    ),
  );
  return {
    el,
    highlight(path) {
      for (const link of links) {
        const active = path.startsWith(link.dataset.section ?? '\0');
        if (active) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
  };
}

const app = document.getElementById('app');
if (!app) throw new Error('index.html has no #app element');
// The header field of the pre-authentication versions kept the acting user here.
localStorage.removeItem('itsm.actingUser');

let router: HashRouter | null = null;
let login: View | null = null;

/** The app for a signed-in user: header, and the routed view below it. */
function showApp(user: SessionUser): void {
  unmount();
  const top = header(user);
  const main = h('main', { id: 'main' });
  app!.replaceChildren(top.el, main);
  router = new HashRouter(
    main,
    [
      { path: '/definitions', render: () => definitionsView() },
      // Every page but the first is its own chunk (dynamic import): the task list never loads the
      // modeller, form-js, echarts or the diagram viewer.
      { path: '/modeler', render: () => lazyView(async () => (await import('./views/modeler.view')).modelerView()) },
      { path: '/modeler/:definitionId', render: ({ definitionId }) => lazyView(async () => (await import('./views/modeler.view')).modelerView(definitionId)) },
      { path: '/modeler/draft/:draftId', render: ({ draftId }) => lazyView(async () => (await import('./views/modeler.view')).modelerView(undefined, draftId)) },
      { path: '/tasks', render: () => lazyView(async () => (await import('./features/tasks/tasks.view')).tasksView()) },
      { path: '/tasks/:id', render: ({ id }) => lazyView(async () => (await import('./features/task/task.view')).taskView(id ?? '')) },
      { path: '/start', render: () => lazyView(async () => (await import('./features/start/start.view')).startListView()) },
      { path: '/start/:key', render: ({ key }) => lazyView(async () => (await import('./features/start/start.view')).startFormView(key ?? '')) },
      { path: '/records', render: () => lazyView(async () => (await import('./features/records/records.view')).recordsView()) },
      { path: '/records/:number', render: ({ number }) => lazyView(async () => (await import('./features/records/record.view')).recordView(number ?? '')) },
      { path: '/instances', render: () => lazyView(async () => (await import('./features/instances/instances.view')).instancesView()) },
      { path: '/instances/:id', render: ({ id }) => lazyView(async () => (await import('./features/instances/instance.view')).instanceView(id ?? '')) },
      { path: '/instances/:id/replay', render: ({ id }) => lazyView(async () => (await import('./features/replay/replay.view')).replayView(id ?? '')) },
      { path: '/replay', render: () => lazyView(async () => (await import('./features/replay/find.view')).findView()) },
      { path: '/admin', render: () => lazyView(async () => (await import('./features/admin/admin.view')).adminView()) },
      { path: '/admin/:tab', render: ({ tab }) => lazyView(async () => (await import('./features/admin/admin.view')).adminView(tab)) },
      { path: '/kpis', render: () => lazyView(async () => (await import('./features/kpis/kpis.view')).kpisView()) },
    ],
    '/definitions',
    top.highlight,
  );
  router.start();
}

function showLogin(notice?: string): void {
  unmount();
  login = loginView(notice);
  app!.replaceChildren(login.el);
}

function unmount(): void {
  router?.stop();
  router = null;
  login?.destroy?.();
  login = null;
}

const NOTICES: Record<string, string> = {
  logout: 'You have signed out.',
  expired: 'Your session has ended. Please sign in again.',
};

session.onChange((change: SessionChange) => {
  if (change.user) showApp(change.user);
  else showLogin(NOTICES[change.reason]);
});

app.replaceChildren(h('p', { class: 'splash', 'data-testid': 'splash' }, 'Loading…'));
void session.restore().then((user) => {
  // restore() announced a restored session already; without one, ask to sign in
  if (!user && !login) showLogin();
});
