import { checkPattern, matchesPattern, MAX_PATTERN_LENGTH } from './pattern';

describe('form field patterns (untrusted regular expressions, run without backtracking)', () => {
  const patterns = [
    '^[A-Z]{3}[0-9]{7}$', '^INC\\d{7}$', '^[^@]+@[^@]+\\.[a-z]{2,}$', '^(\\+\\d{1,3})?\\d{6,12}$', '^(yes|no)$', '[a-z]+', 'b', '^$', '^a*$', '(a|ab)(c|bcd)(d*)',
    '^(?:\\d{1,3}\\.){3}\\d{1,3}$', '\\bcat\\b', '\\Bat', '^.{2,4}$', '^[\\w.-]+$', '^\\s*\\S+\\s*$', 'colou?r', '^(?<year>\\d{4})-\\d{2}$', '^[]', '^[^]$', 'a{,2}', 'x{2', '\\x41\\u0042', '^\\0$', '(a*)*b', '(|a)+c', '^[\\]a-]+$',
  ];
  const inputs = ['', 'a', 'b', 'ab', 'abcd', 'INC0001234', 'INC12', 'ABC1234567', 'a.b@example.org', '+4930664040900', 'yes', 'no', 'maybe', '10.0.0.1', '1.2.3', 'the cat sat', 'concatenate', 'color', 'colour', '2026-12', ' x ', 'aab', 'aaaa', 'AB', '\0', 'c', ']-a', 'a{,2}', 'x{2', 'line\nbreak'];

  it('answers exactly what JavaScript RegExp.test answers (form-js semantics)', () => {
    for (const p of patterns) {
      expect(checkPattern(p)).toBeNull();
      for (const s of inputs) expect([p, s, matchesPattern(p, s)]).toEqual([p, s, new RegExp(p).test(s)]);
    }
  });

  it('stays linear on patterns that make a backtracking engine explode', () => {
    const started = Date.now();
    expect(matchesPattern('(a+)+$', `${'a'.repeat(5000)}!`)).toBe(false); // V8: exponential (hours from about 30 characters)
    expect(matchesPattern('(a+)+$', `${'a'.repeat(5000)}`)).toBe(true);
    expect(matchesPattern('[a-z]*[a-z]*[a-z]*!', 'a'.repeat(5000))).toBe(false); // V8: about 20 s on 500 characters
    expect(matchesPattern('^(\\w+\\s?)*$', `${'word '.repeat(1000)}!`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it.each([
    ['^(a)\\1$', /back-references/],
    ['(?<n>a)\\k<n>', /back-references/],
    ['^(?=a)a$', /lookahead/],
    ['(?<!a)b', /lookahead/],
    ['[', /not a valid regular expression/],
    ['a{3000}', /too complex/],
    ['(a{1,50}){1,50}', /too complex/],
    ['a'.repeat(MAX_PATTERN_LENGTH + 1), /at most/],
  ])('refuses %s', (p, reason) => {
    expect(checkPattern(p)).toMatch(reason);
  });
});
