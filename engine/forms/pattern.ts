/**
 * Guards for `validate.pattern` of a form field. A diagram's form is untrusted: a pattern such as
 * `(a+)+$` makes a backtracking engine (V8's irregexp) run for hours on a 30-character input.
 * We add no native dependency (RE2) and do not run patterns in a sandbox; instead a pattern is
 * accepted at deploy only if it stays in a subset whose worst case is a small polynomial:
 *  - at most {@link MAX_PATTERN_LENGTH} characters, and it compiles as a JavaScript RegExp;
 *  - no back-references (`\1`, `\k<name>`) and no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`);
 *  - no repeated group (`*`, `+`, `{n,m}` with m > 1) that itself contains a quantifier or an
 *    alternation (star height 1, the source of exponential backtracking);
 *  - at most {@link MAX_WIDE_QUANTIFIERS} "wide" quantifiers (`*`, `+`, `{n,}`, `{n,m}` with m > 16);
 * and at run time a value is tested against a pattern only if it has at most
 * {@link MAX_PATTERN_INPUT} characters (longer: a field error), so the worst case stays around
 * 500^3 / 6 steps.
 */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_WIDE_QUANTIFIERS = 3;
export const MAX_PATTERN_INPUT = 500;

/** Null when the pattern is safe to run on the server, else the reason it is refused. */
export function checkPattern(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `the pattern has ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are accepted`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `the pattern is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  // One frame per open group: does its body contain a quantifier / an alternation?
  const groups: { quantified: boolean; alternation: boolean }[] = [{ quantified: false, alternation: false }];
  let wide = 0;
  let lastWasGroup: { quantified: boolean; alternation: boolean } | null = null;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const top = groups[groups.length - 1]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'back-references are not accepted in patterns (they can make matching exponential)';
      i++;
      lastWasGroup = null;
      continue;
    }
    if (c === '[') {
      // skip the character class (escapes inside included)
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      lastWasGroup = null;
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] === '?') {
        const kind = pattern.slice(i + 2, i + 4);
        if (kind.startsWith('=') || kind.startsWith('!') || kind === '<=' || kind === '<!') return 'lookahead and lookbehind are not accepted in patterns';
      }
      groups.push({ quantified: false, alternation: false });
      lastWasGroup = null;
      continue;
    }
    if (c === ')') {
      const closed = groups.pop()!;
      const parent = groups[groups.length - 1]!;
      parent.quantified ||= closed.quantified;
      parent.alternation ||= closed.alternation;
      lastWasGroup = closed;
      continue;
    }
    if (c === '|') {
      top.alternation = true;
      lastWasGroup = null;
      continue;
    }
    const quantifier = readQuantifier(pattern, i);
    if (quantifier) {
      if (quantifier.max === Infinity || quantifier.max > 16) wide++;
      if (wide > MAX_WIDE_QUANTIFIERS) return `the pattern has more than ${MAX_WIDE_QUANTIFIERS} unbounded quantifiers (* + {n,})`;
      if (lastWasGroup && quantifier.max > 1 && (lastWasGroup.quantified || lastWasGroup.alternation)) {
        return 'a repeated group may not contain a quantifier or an alternation (nested repetition can make matching exponential), e.g. (a+)+ or (a|ab)*';
      }
      top.quantified = true;
      i = quantifier.end;
      if (pattern[i + 1] === '?') i++; // lazy
      lastWasGroup = null;
      continue;
    }
    lastWasGroup = null;
  }
  return null;
}

function readQuantifier(pattern: string, i: number): { max: number; end: number } | null {
  const c = pattern[i];
  if (c === '*' || c === '+') return { max: Infinity, end: i };
  if (c === '?') return { max: 1, end: i };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!m) return null;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    return { max, end: i + m[0].length - 1 };
  }
  return null;
}

/** form-js semantics: `new RegExp(pattern).test(value)` (not anchored unless the pattern is). */
export function matchesPattern(pattern: string, value: string): boolean {
  return new RegExp(pattern).test(value);
}
