import { typed, type GroupInfo, type UserInfo } from '../../api/typed';
import { h } from '../../dom';
import type { MessageArea } from '../../messages';
import { act, loadInto, table } from './async-section';

const ROLES = ['admin', 'process-owner', 'staff', 'auditor', 'worker'] as const;

/** Users (create, roles, enable/disable) and groups (create, add and remove members). */
export function identityPanel(messages: MessageArea): HTMLElement {
  const users = h('div', { 'data-testid': 'admin-users' });
  const groups = h('div', { 'data-testid': 'admin-groups' });
  const el = h(
    'div',
    { class: 'admin-identity' },
    h('section', { 'aria-labelledby': 'admin-users-title' }, h('h2', { id: 'admin-users-title' }, 'Users'), newUserForm(), users),
    h('section', { 'aria-labelledby': 'admin-groups-title' }, h('h2', { id: 'admin-groups-title' }, 'Groups'), newGroupForm(), groups),
  );

  const loadUsers = () =>
    loadInto(
      users,
      () => typed.get('/api/users', { query: { size: 200 } }),
      (page) => table('admin-users-table', ['Username', 'Name', 'Roles', 'Groups', 'Status', ''], page.items.map(userRow)),
      (page) => (page.items.length ? null : 'No user.'),
    );
  const loadGroups = () =>
    loadInto(
      groups,
      () => typed.get('/api/groups'),
      (list) => table('admin-groups-table', ['Group', 'Members', 'Add a member'], list.map(groupRow)),
      (list) => (list.length ? null : 'No group yet.'),
    );

  function roleBoxes(prefix: string, checked: readonly string[]): { el: HTMLElement; value(): string[] } {
    const boxes = ROLES.map((role) => h('input', { type: 'checkbox', id: `${prefix}-${role}`, value: role, checked: checked.includes(role), 'data-role': role }));
    return {
      el: h('span', { class: 'roles-edit', role: 'group', 'aria-label': 'Roles' }, ...boxes.flatMap((b, i) => [h('label', { for: b.id }, b, ` ${ROLES[i]}`)])),
      value: () => boxes.filter((b) => b.checked).map((b) => b.value),
    };
  }

  function userRow(u: UserInfo): HTMLElement {
    const roles = roleBoxes(`user-${u.id}`, u.roles);
    const save: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'save-roles' }, 'Save roles');
    save.addEventListener('click', () =>
      void act(save, async () => {
        const changed = await typed.patch('/api/users/{id}', { params: { id: u.id }, body: { roles: roles.value() } });
        messages.show('success', `${changed.username} now holds: ${changed.roles.join(', ') || 'no role'}.`);
        await loadUsers();
      }, (e) => messages.error(e)),
    );
    const toggle: HTMLButtonElement = h('button', { type: 'button', 'data-testid': 'toggle-disabled' }, u.disabled ? 'Enable' : 'Disable');
    toggle.addEventListener('click', () =>
      void act(toggle, async () => {
        const changed = await typed.patch('/api/users/{id}', { params: { id: u.id }, body: { disabled: !u.disabled } });
        messages.show('success', `${changed.username} is ${changed.disabled ? 'disabled' : 'enabled'}.`);
        await loadUsers();
      }, (e) => messages.error(e)),
    );
    return h(
      'tr',
      { 'data-testid': 'admin-user', 'data-username': u.username },
      h('td', {}, u.username),
      h('td', {}, u.displayName ?? '—'),
      h('td', {}, roles.el),
      h('td', {}, u.groups.join(', ') || '—'),
      h('td', {}, u.disabled ? 'disabled' : 'enabled'),
      h('td', { class: 'actions' }, save, ' ', toggle),
    );
  }

  function groupRow(g: GroupInfo): HTMLElement {
    const input = h('input', { type: 'text', id: `member-${g.id}`, placeholder: 'username', 'aria-label': `Username to add to ${g.name}`, 'data-testid': 'member-input' });
    const add: HTMLButtonElement = h('button', { type: 'submit', 'data-testid': 'member-add' }, 'Add');
    const form = h('form', { class: 'inline-form' }, input, add);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!input.value.trim()) return input.focus();
      void act(add, async () => {
        const changed = await typed.post('/api/groups/{name}/members', { params: { name: g.name }, body: { username: input.value.trim() } });
        messages.show('success', `${input.value.trim()} is a member of ${changed.name}.`);
        await Promise.all([loadGroups(), loadUsers()]);
      }, (err) => messages.error(err));
    });
    const members = g.members.length
      ? h(
          'ul',
          { class: 'chips' },
          ...g.members.map((m) => {
            const remove: HTMLButtonElement = h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Remove ${m} from ${g.name}`, title: 'Remove', 'data-testid': 'member-remove' }, '×');
            remove.addEventListener('click', () =>
              void act(remove, async () => {
                await typed.delete('/api/groups/{name}/members/{username}', { params: { name: g.name, username: m } });
                messages.show('success', `${m} left ${g.name}.`);
                await Promise.all([loadGroups(), loadUsers()]);
              }, (err) => messages.error(err)),
            );
            return h('li', { class: 'chip', 'data-member': m }, m, remove);
          }),
        )
      : h('span', { class: 'empty' }, 'no member');
    return h('tr', { 'data-testid': 'admin-group', 'data-group': g.name }, h('td', {}, h('strong', {}, g.name), g.description ? h('div', { class: 'hint' }, g.description) : null), h('td', {}, members), h('td', {}, form));
  }

  function newUserForm(): HTMLElement {
    const username = h('input', { id: 'new-user-name', autocomplete: 'off', 'data-testid': 'new-user-name' });
    const displayName = h('input', { id: 'new-user-display', autocomplete: 'off' });
    const password = h('input', { id: 'new-user-password', type: 'password', minlength: 8, autocomplete: 'new-password' });
    const roles = roleBoxes('new-user', ['staff']);
    const create: HTMLButtonElement = h('button', { type: 'submit', class: 'primary', 'data-testid': 'new-user-create' }, 'Create user');
    const form = h(
      'form',
      { class: 'admin-form', 'aria-label': 'New user' },
      h('label', { for: 'new-user-name' }, 'Username'),
      username,
      h('label', { for: 'new-user-display' }, 'Display name'),
      displayName,
      h('label', { for: 'new-user-password' }, 'Password (8+)'),
      password,
      roles.el,
      create,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!username.value.trim()) return username.focus();
      void act(create, async () => {
        const created = await typed.post('/api/users', {
          body: { username: username.value.trim(), displayName: displayName.value.trim() || undefined, password: password.value || undefined, roles: roles.value() },
        });
        messages.show('success', `User ${created.username} created.`);
        form.reset();
        await loadUsers();
      }, (err) => messages.error(err));
    });
    return form;
  }

  function newGroupForm(): HTMLElement {
    const name = h('input', { id: 'new-group-name', autocomplete: 'off', 'data-testid': 'new-group-name' });
    const description = h('input', { id: 'new-group-description', autocomplete: 'off' });
    const create: HTMLButtonElement = h('button', { type: 'submit', class: 'primary', 'data-testid': 'new-group-create' }, 'Create group');
    const form = h('form', { class: 'admin-form', 'aria-label': 'New group' }, h('label', { for: 'new-group-name' }, 'Name'), name, h('label', { for: 'new-group-description' }, 'Description'), description, create);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!name.value.trim()) return name.focus();
      void act(create, async () => {
        const created = await typed.post('/api/groups', { body: { name: name.value.trim(), description: description.value.trim() || undefined } });
        messages.show('success', `Group ${created.name} created.`);
        form.reset();
        await loadGroups();
      }, (err) => messages.error(err));
    });
    return form;
  }

  void loadUsers();
  void loadGroups();
  return el;
}
