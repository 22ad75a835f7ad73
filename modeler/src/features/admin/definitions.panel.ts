import { typed, type DefinitionInfo, type DefinitionOwners } from '../../api/typed';
import { formatDate, h, replace } from '../../dom';
import type { MessageArea } from '../../messages';
import { act, loadInto, table } from './async-section';

/** Definitions: the latest version of every key, its versions (suspend, activate) and its owners. */
export function definitionsPanel(messages: MessageArea): HTMLElement {
  const list = h('div', { 'data-testid': 'admin-definitions' });
  const el = h('section', { 'aria-labelledby': 'admin-definitions-title' }, h('h2', { id: 'admin-definitions-title' }, 'Process definitions'), list);

  const refresh = () =>
    loadInto(
      list,
      () => typed.get('/api/definitions'),
      (defs) => table('admin-definitions-table', ['Key', 'Name', 'Latest', 'State', 'Deployed', ''], defs.map(row)),
      (defs) => (defs.length ? null : 'No process is deployed yet.'),
    );

  function row(d: DefinitionInfo): DocumentFragment {
    const details = h('td', { colspan: 6, class: 'admin-details' });
    const detailRow = h('tr', { hidden: true }, details);
    const toggle = (what: 'versions' | 'owners') => {
      const open = !detailRow.hidden && detailRow.dataset.what === what;
      detailRow.hidden = open;
      detailRow.dataset.what = what;
      if (!open) void (what === 'versions' ? showVersions(d.key, details) : showOwners(d.key, details));
    };
    const tr = h(
      'tr',
      { 'data-testid': 'admin-definition', 'data-key': d.key },
      h('td', {}, h('code', {}, d.key)),
      h('td', {}, d.name ?? '—'),
      h('td', { class: 'num' }, `v${d.version}`),
      h('td', {}, h('span', { class: `state ${d.state}` }, d.state)),
      h('td', {}, `${formatDate(d.deployedAt)}${d.deployedBy ? ` by ${d.deployedBy}` : ''}`),
      h(
        'td',
        { class: 'actions' },
        h('button', { type: 'button', 'data-testid': 'show-versions', onclick: () => toggle('versions') }, 'Versions'),
        ' ',
        h('button', { type: 'button', 'data-testid': 'show-owners', onclick: () => toggle('owners') }, 'Owners'),
      ),
    );
    const rows = document.createDocumentFragment();
    rows.append(tr, detailRow);
    return rows;
  }

  async function showVersions(key: string, into: HTMLElement): Promise<void> {
    await loadInto(
      into,
      () => typed.get('/api/definitions/key/{key}/versions', { params: { key } }),
      (versions) =>
        table(
          'admin-versions',
          ['Version', 'Tag', 'State', 'Deployed', ''],
          versions.map((v) => {
            const suspend = v.state === 'suspended';
            const button: HTMLButtonElement = h(
              'button',
              {
                type: 'button',
                'data-testid': suspend ? 'activate-version' : 'suspend-version',
                onclick: () =>
                  void act(button, async () => {
                    const changed = await typed.post(suspend ? '/api/definitions/{id}/activate' : '/api/definitions/{id}/suspend', { params: { id: v.id } });
                    messages.show('success', `${changed.key} version ${changed.version} is ${changed.state}.`);
                    await showVersions(key, into);
                  }, (e) => messages.error(e)),
              },
              suspend ? 'Activate' : 'Suspend',
            );
            return h(
              'tr',
              { 'data-testid': 'admin-version', 'data-version': v.version },
              h('td', { class: 'num' }, `v${v.version}`),
              h('td', {}, v.versionTag ?? '—'),
              h('td', {}, h('span', { class: `state ${v.state}` }, v.state)),
              h('td', {}, `${formatDate(v.deployedAt)}${v.deployedBy ? ` by ${v.deployedBy}` : ''}`),
              h('td', { class: 'actions' }, h('a', { href: `#/modeler/${encodeURIComponent(v.id)}` }, 'Open'), ' ', button),
            );
          }),
        ),
    );
  }

  async function showOwners(key: string, into: HTMLElement): Promise<void> {
    await loadInto(into, () => typed.get('/api/definitions/key/{key}/owners', { params: { key } }), (owners) => ownersForm(key, owners, into), () => null);
  }

  function ownersForm(key: string, owners: DefinitionOwners, into: HTMLElement): HTMLElement {
    const id = `owners-${key}`;
    const input = h('input', { id, type: 'text', value: owners.owners.map((o) => o.username).join(', '), 'data-testid': 'owners-input', placeholder: 'usernames, comma-separated' });
    const save: HTMLButtonElement = h('button', { type: 'submit', class: 'primary', 'data-testid': 'owners-save' }, 'Save owners');
    const form = h(
      'form',
      { class: 'inline-form' },
      h('label', { for: id }, `Process owners of ${key}`),
      input,
      save,
      owners.owners.length
        ? h(
            'ul',
            { class: 'owners', 'data-testid': 'owners-list' },
            ...owners.owners.map((o) => h('li', {}, o.username, o.displayName ? ` (${o.displayName})` : '', o.processOwner ? '' : h('span', { class: 'warn' }, ' lacks the process-owner role'))),
          )
        : h('p', { class: 'empty' }, 'No owner yet.'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const usernames = input.value.split(',').map((u) => u.trim()).filter(Boolean);
      void act(save, async () => {
        const saved = await typed.put('/api/definitions/key/{key}/owners', { params: { key }, body: { usernames } });
        messages.show('success', `Owners of ${key}: ${saved.owners.map((o) => o.username).join(', ') || 'none'}.`);
        replace(into, ownersForm(key, saved, into));
      }, (err) => messages.error(err));
    });
    return form;
  }

  void refresh();
  return el;
}
