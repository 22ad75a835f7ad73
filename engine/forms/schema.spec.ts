import { compileForm, MAX_FORM_BYTES, MAX_FORM_COMPONENTS } from './schema';

const form = (components: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ id: 'triage', type: 'default', components, ...extra });
const messages = (content: string) => compileForm('triage.form', content).problems.map((p) => p.message);

describe('form-js schema checks at deploy', () => {
  it('compiles a form-js schema into the fields the server validates', () => {
    const { form: compiled, problems } = compileForm(
      'triage.form',
      form([
        { type: 'text', text: '# Triage' },
        { type: 'textfield', key: 'summary', label: 'Summary', validate: { required: true, maxLength: 80 } },
        { type: 'number', key: 'impact', validate: { min: 1, max: 3 } },
        { type: 'select', key: 'category', values: [{ label: 'Network', value: 'network' }, { label: 'Hardware', value: 'hardware' }] },
        { type: 'group', components: [{ type: 'checkbox', key: 'major' }] },
        { type: 'textfield', key: 'number', readonly: true },
      ]),
    );
    expect(problems).toEqual([]);
    expect(compiled!.id).toBe('triage');
    expect(compiled!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(compiled!.fields.map((f) => [f.key, f.type])).toEqual([
      ['summary', 'textfield'],
      ['impact', 'number'],
      ['category', 'select'],
      ['major', 'checkbox'],
      ['number', 'textfield'],
    ]);
    expect(compiled!.fields[0]).toMatchObject({ required: true, maxLength: 80 });
    expect(compiled!.fields[2]!.options).toEqual(['network', 'hardware']);
    expect(compiled!.fields[4]!.locked).toBe(true);
  });

  it('refuses what is not a form-js schema', () => {
    expect(messages('{not json')[0]).toMatch(/not valid JSON/);
    expect(messages('[]')[0]).toMatch(/top-level "id"|JSON object/);
    expect(messages(JSON.stringify({ type: 'default', components: [] }))[0]).toMatch(/top-level "id"/);
    expect(messages(JSON.stringify({ id: 'x', type: 'other', components: [] }))).toEqual([expect.stringMatching(/"type" must be "default"/)]);
    expect(messages(JSON.stringify({ id: 'x', type: 'default' }))).toEqual([expect.stringMatching(/"components" must be an array/)]);
  });

  it('refuses unknown and unsupported component types, bad keys and duplicate keys', () => {
    expect(messages(form([{ type: 'fancy', key: 'a' }]))[0]).toMatch(/unknown component type "fancy"/);
    expect(messages(form([{ type: 'filepicker', key: 'a' }]))[0]).toMatch(/file uploads/);
    expect(messages(form([{ type: 'textfield', key: 'a.b' }]))[0]).toMatch(/plain variable name/);
    expect(messages(form([{ type: 'textfield', key: '__proto__' }]))[0]).toMatch(/plain variable name/);
    expect(messages(form([{ type: 'textfield', key: 'a' }, { type: 'number', key: 'a' }]))[0]).toMatch(/used by two fields/);
    expect(messages(form([{ type: 'select', key: 'a' }]))[0]).toMatch(/static "values" or a "valuesKey"/);
  });

  it('refuses validation rules the server cannot enforce and unsafe patterns', () => {
    expect(messages(form([{ type: 'number', key: 'a', validate: { min: 'x' } }]))[0]).toMatch(/validate.min must be a number/);
    expect(messages(form([{ type: 'number', key: 'a', validate: { min: '=limit' } }]))[0]).toMatch(/FEEL expression/);
    expect(messages(form([{ type: 'textfield', key: 'a', validate: { pattern: '^(a)\\1$' } }]))[0]).toMatch(/validate.pattern refused: back-references/);
    expect(messages(form([{ type: 'textfield', key: 'a', conditional: { hide: '=a >' } }]))[0]).toMatch(/conditional.hide/);
  });

  it('enforces size, depth and component-count limits', () => {
    expect(messages(' '.repeat(MAX_FORM_BYTES + 1))[0]).toMatch(/limit is/);
    let nested: unknown = { type: 'textfield', key: 'deep' };
    for (let i = 0; i < 9; i++) nested = { type: 'group', components: [nested] };
    expect(messages(form([nested]))[0]).toMatch(/nested deeper/);
    const many = Array.from({ length: MAX_FORM_COMPONENTS + 1 }, (_, i) => ({ type: 'textfield', key: `f${i}` }));
    expect(messages(form(many)).join()).toMatch(/at most 500 are accepted/);
    let json: unknown = 1;
    for (let i = 0; i < 40; i++) json = [json];
    expect(messages(form([], { deep: json }))[0]).toMatch(/nested deeper than 32/);
  });
});
