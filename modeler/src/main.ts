import './styles.css';
import { session, type SessionChange, type SessionUser } from './auth/session';
import { h, type View } from './dom';
import { HashRouter } from './router';
import { definitionsView } from './views/definitions.view';
import { instanceView } from './views/instance.view';
import { loginView } from './views/login.view';
import { modelerView } from './views/modeler.view';
import { tasksView } from './views/tasks.view';

const NAV = [
  { href: '#/definitions', label: 'Definitions', section: '/definitions' },
  { href: '#/modeler', label: 'Modeler', section: '/modeler' },
  { href: '#/tasks', label: 'Tasks', section: '/tasks' },
];

function header(user: SessionUser): { el: HTMLElement; highlight(path: string): void } {
  const links = NAV.map((item) => h('a', { href: item.href, 'data-section': item.section }, item.label));
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
      { path: '/modeler', render: () => modelerView() },
      { path: '/modeler/:definitionId', render: ({ definitionId }) => modelerView(definitionId) },
      { path: '/modeler/draft/:draftId', render: ({ draftId }) => modelerView(undefined, draftId) },
      { path: '/tasks', render: () => tasksView() },
      { path: '/instances/:id', render: ({ id }) => instanceView(id ?? '') },
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
