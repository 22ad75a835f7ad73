import { compileForm, type FieldSpec } from './schema';
import { validateSubmission } from './validate';

function fields(components: unknown[]): FieldSpec[] {
  const { form, problems } = compileForm('f.form', JSON.stringify({ id: 'f', type: 'default', components }));
  expect(problems).toEqual([]);
  return form!.fields;
}

const triage = fields([
  { type: 'textfield', key: 'summary', validate: { required: true, minLength: 3, maxLength: 20 } },
  { type: 'number', key: 'impact', validate: { min: 1, max: 3 } },
  { type: 'select', key: 'category', values: [{ label: 'Network', value: 'network' }, { label: 'Hardware', value: 'hardware' }] },
  { type: 'checkbox', key: 'confirmed', validate: { required: true } },
  { type: 'checklist', key: 'services', values: [{ label: 'Mail', value: 'mail' }, { label: 'Web', value: 'web' }] },
  { type: 'datetime', key: 'due', subtype: 'date' },
  { type: 'datetime', key: 'at', subtype: 'datetime' },
  { type: 'textfield', key: 'ref', validate: { pattern: '^INC\\d{7}$' } },
  { type: 'textfield', key: 'email', validate: { validationType: 'email' } },
  { type: 'textfield', key: 'phone', validate: { validationType: 'phone' } },
  { type: 'textfield', key: 'number', disabled: true },
  { type: 'textarea', key: 'reason', validate: { required: true }, conditional: { hide: '=confirmed = true' } },
]);

const good = { summary: 'Mail down', impact: 2, category: 'network', confirmed: true, services: ['mail'], due: '2026-12-31', at: '2026-12-31T14:30:00Z' };

describe('server-side form validation (form-js rules)', () => {
  it('accepts a submission that satisfies the form', () => {
    expect(validateSubmission(triage, good, {})).toEqual([]);
    expect(validateSubmission(triage, { ...good, ref: 'INC0001234', email: 'a.b@example.org', phone: '+4930664040900' }, {})).toEqual([]);
  });

  it('answers one error per field naming it', () => {
    const errors = validateSubmission(
      triage,
      { summary: 'ab', impact: 7, category: 'plumbing', confirmed: 'yes', services: ['fax'], due: '2026-02-30', at: 'tomorrow', ref: 'INC12', email: 'nope', phone: '12', extra: 1 },
      {},
    );
    expect(Object.fromEntries(errors.map((e) => [e.field, e.message]))).toEqual({
      extra: 'is not a field of this form',
      summary: 'must have at least 3 characters',
      impact: 'must be at most 3',
      category: 'must be one of "network", "hardware"',
      confirmed: 'must be true or false',
      services: 'contains "fax", which is not one of the options',
      due: 'is not a valid date',
      at: expect.stringMatching(/date-time/),
      ref: 'must match the pattern ^INC\\d{7}$',
      email: 'must be a valid email address',
      phone: expect.stringMatching(/phone/),
      reason: 'is required', // confirmed is not true: the field shows and is required
    });
  });

  it('checks types: numbers are numbers, text is text', () => {
    expect(validateSubmission(triage, { ...good, impact: '2' }, {})).toEqual([{ field: 'impact', message: 'must be a number' }]);
    expect(validateSubmission(triage, { ...good, summary: 42 }, {})).toEqual([{ field: 'summary', message: 'must be a string' }]);
  });

  it('required: missing, empty and an unchecked checkbox fail; a value left by someone else does not count', () => {
    expect(validateSubmission(triage, { confirmed: true }, {})).toEqual([{ field: 'summary', message: 'is required' }]);
    expect(validateSubmission(triage, { confirmed: true, summary: '' }, {})).toEqual([{ field: 'summary', message: 'is required' }]);
    expect(validateSubmission(triage, { summary: 'Mail down', confirmed: false, reason: 'x' }, {})).toEqual([{ field: 'confirmed', message: 'is required' }]);
    expect(validateSubmission(triage, { confirmed: true }, { summary: 'set by an earlier task' })).toEqual([{ field: 'summary', message: 'is required' }]);
    const locked = fields([{ type: 'textfield', key: 'number', readonly: true, validate: { required: true } }]);
    expect(validateSubmission(locked, {}, { number: 'INC1' })).toEqual([]); // a readonly field is checked on its current value
    expect(validateSubmission(locked, {}, {})).toEqual([{ field: 'number', message: 'is required' }]);
  });

  it('refuses values for disabled or readonly fields unless unchanged', () => {
    expect(validateSubmission(triage, { ...good, number: 'INC9' }, { number: 'INC1' })).toEqual([{ field: 'number', message: 'is read-only in this form' }]);
    expect(validateSubmission(triage, { ...good, number: 'INC1' }, { number: 'INC1' })).toEqual([]);
  });

  it('guards pattern input length', () => {
    const long = 'INC' + '1'.repeat(10_000);
    expect(validateSubmission(triage, { ...good, ref: long }, {})).toEqual([{ field: 'ref', message: expect.stringMatching(/longer than 10000/) }]);
  });

  it('validates the items of a dynamic list', () => {
    const list = fields([{ type: 'dynamiclist', path: 'actions', components: [{ type: 'textfield', key: 'owner', validate: { required: true } }, { type: 'number', key: 'days' }] }]);
    expect(validateSubmission(list, { actions: [{ owner: 'bob', days: 3 }] }, {})).toEqual([]);
    expect(validateSubmission(list, { actions: [{ owner: 'bob' }, { days: 'x', foo: 1 }] }, {})).toEqual([
      { field: 'actions[1].foo', message: 'is not a field of this list' },
      { field: 'actions[1].owner', message: 'is required' },
      { field: 'actions[1].days', message: 'must be a number' },
    ]);
    expect(validateSubmission(list, { actions: 'x' }, {})).toEqual([{ field: 'actions', message: 'must be a list of objects' }]);
  });

  it('reads options from a variable (valuesKey)', () => {
    const dyn = fields([{ type: 'select', key: 'team', valuesKey: 'teams' }]);
    expect(validateSubmission(dyn, { team: 'a' }, { teams: [{ label: 'A', value: 'a' }] })).toEqual([]);
    expect(validateSubmission(dyn, { team: 'z' }, { teams: [{ label: 'A', value: 'a' }] })).toEqual([{ field: 'team', message: 'must be one of "a"' }]);
  });
});
