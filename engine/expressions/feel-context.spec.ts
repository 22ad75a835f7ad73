import { evaluate, unaryTest } from 'feelin';
import { feelContextFor } from './feel-context';

const variables: Record<string, unknown> = {
  branch: 3,
  res: 'short',
  resolution: 'long',
  'first name': 'Ada',
  'first name length': 99,
  'a+b': 7,
  'x-y': 11,
  'order.total': 5,
  count: 42,
  customer: { 'last name': 'Lovelace', tier: 'gold', address: { city: 'London' } },
  list: [1, 2, 3],
  unused: 'never read',
  'unused with spaces': 1,
  impact: 'high',
  urgency: 'low',
  '?': 'high',
  ' padded': 'p',
  _under: 'u',
  Mixed: 'm',
};

/** What feelin answers: the value and the kinds of warnings. */
const outcome = (result: { value: unknown; warnings: { type: string }[] }) => ({ value: result.value, warnings: result.warnings.map((w) => w.type) });

describe('feelContextFor', () => {
  it('leaves out the entries whose leading identifier the expression does not contain, keeps the others', () => {
    const narrowed = feelContextFor('branch = 3', variables);
    expect(narrowed).toMatchObject({ branch: 3, '?': 'high' });
    for (const dropped of ['res', 'resolution', 'first name', 'unused', 'unused with spaces', 'customer', 'count']) expect(narrowed).not.toHaveProperty([dropped]);
    expect(feelContextFor('"high"', variables)).toEqual({ '?': 'high' });
    // Nothing to leave out: the same object.
    const small = { branch: 1 };
    expect(feelContextFor('branch', small)).toBe(small);
  });

  it.each([
    'branch = 3',
    'branch = 2',
    'res',
    'resolution',
    'resolution = "long" and res = "short"',
    'first name',
    'first name length',
    'first name + " x"',
    'a+b',
    'a + b',
    'x-y',
    'x - y',
    'order.total',
    'count',
    'count(list)',
    'customer.last name',
    'customer.address.city',
    'customer.tier = "gold"',
    'missing',
    'missing.deeper',
    'if impact = "high" then 1 else 2',
    'impact = "high" and urgency = "low"',
    '{ res: resolution }.res',
    'for x in list return x * branch',
    'list[item > 1]',
    '_under',
    'Mixed',
    'date("2024-01-01") + duration("P1D")',
    'string length(first name)',
  ])('evaluates %s the same over the narrowed context', (source) => {
    expect(outcome(evaluate(source, feelContextFor(source, variables)))).toEqual(outcome(evaluate(source, variables)));
  });

  it.each(['"high"', '"low", "high"', 'not("high")', '-', '? = "high"', 'impact', '"high", impact', 'count > 1'])('answers the unary tests %s the same over the narrowed context', (source) => {
    expect(outcome(unaryTest(source, feelContextFor(source, variables)))).toEqual(outcome(unaryTest(source, variables)));
  });
});
