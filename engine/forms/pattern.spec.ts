import { checkPattern, MAX_PATTERN_LENGTH } from './pattern';

describe('form field patterns (untrusted regular expressions)', () => {
  it.each(['^[A-Z]{3}[0-9]{7}$', '^INC\\d{7}$', '^[^@]+@[^@]+\\.[a-z]{2,}$', '^(\\+\\d{1,3})?\\d{6,12}$', '^(yes|no)$', '[a-z]+'])('accepts the linear pattern %s', (p) => {
    expect(checkPattern(p)).toBeNull();
  });

  it.each([
    ['(a+)+$', /repeated group/],
    ['^(a|aa)*$', /repeated group/],
    ['^(\\w+\\s?)*$', /repeated group/],
    ['(x+x+)+y', /repeated group/],
    ['^(a)\\1$', /back-references/],
    ['(?<n>a)\\k<n>', /back-references/],
    ['^(?=a)a$', /lookahead/],
    ['(?<!a)b', /lookahead/],
    ['a*a*a*a*b', /unbounded quantifiers/],
    ['[', /not a valid regular expression/],
    ['a'.repeat(MAX_PATTERN_LENGTH + 1), /at most/],
  ])('refuses %s', (p, reason) => {
    expect(checkPattern(p)).toMatch(reason);
  });

  it('does not mistake escaped or class characters for groups and quantifiers', () => {
    expect(checkPattern('^\\(\\d+\\)+$')).toBeNull(); // \( \) are literals: "\)+" repeats a character
    expect(checkPattern('^[(a+)]+$')).toBeNull(); // inside a class
  });
});
