/**
 * `validate.pattern` of a form field, run on the server without backtracking.
 *
 * A diagram's form is untrusted: with V8's backtracking engine, `(a+)+$` or even
 * `[a-z]*[a-z]*[a-z]*!` runs for seconds to hours on a few hundred characters. We add no native
 * dependency (RE2) and run no sandbox: the pattern is compiled to a Thompson NFA and simulated
 * breadth-first (Pike VM without captures), so a test costs at most O(input length × NFA states).
 *
 * Semantics are those of form-js, `new RegExp(pattern).test(value)` (no flags, not anchored unless
 * the pattern is): V8 first proves the pattern is valid JavaScript; each single-character atom
 * (literal, escape, `.`, class) is decided by V8 on one character (a one-character test cannot
 * backtrack). Refused at deploy: back-references and lookaround (no linear-time algorithm), more
 * than {@link MAX_PATTERN_LENGTH} characters, or more than {@link MAX_NFA_STATES} states once counted
 * repetitions are expanded. A value longer than {@link MAX_PATTERN_INPUT} characters is a field error.
 */
export const MAX_PATTERN_LENGTH = 512;
export const MAX_NFA_STATES = 2000;
export const MAX_PATTERN_INPUT = 10_000;

type Node =
  | { t: 'atom'; test: (c: string) => boolean }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' };

type State =
  | { k: 'atom'; test: (c: string) => boolean; next: number }
  | { k: 'split'; out: number[] }
  | { k: 'assert'; kind: '^' | '$' | 'b' | 'B'; next: number }
  | { k: 'match' };

interface Program {
  states: State[];
  start: number;
}

class PatternRefused extends Error {}

/** Null when the pattern can be run on the server, else the reason it is refused. */
export function checkPattern(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `the pattern has ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are accepted`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `the pattern is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  try {
    compile(pattern);
    return null;
  } catch (error) {
    if (error instanceof PatternRefused) return error.message;
    return `the pattern could not be compiled: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const cache = new Map<string, Program>();

/** form-js semantics (`new RegExp(pattern).test(value)`), in linear time. The pattern must have passed {@link checkPattern}. */
export function matchesPattern(pattern: string, value: string): boolean {
  let program = cache.get(pattern);
  if (!program) {
    program = compile(pattern);
    if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, program);
  }
  return run(program, value);
}

// ---------------------------------------------------------------- parsing

function parse(src: string): Node {
  let i = 0;
  const atoms = new Map<string, (c: string) => boolean>();
  const atom = (source: string): Node => {
    let test = atoms.get(source);
    if (!test) {
      const re = new RegExp(`^(?:${source})$`);
      const memo = new Map<string, boolean>();
      test = (c) => {
        let r = memo.get(c);
        if (r === undefined) {
          r = re.test(c);
          if (memo.size < 4096) memo.set(c, r);
        }
        return r;
      };
      atoms.set(source, test);
    }
    return { t: 'atom', test };
  };

  const alt = (): Node => {
    const options = [seq()];
    while (src[i] === '|') {
      i++;
      options.push(seq());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  };

  const seq = (): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let node = single();
      for (;;) {
        const q = quantifier();
        if (!q) break;
        node = { t: 'rep', node, min: q.min, max: q.max };
      }
      items.push(node);
    }
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  };

  const quantifier = (): { min: number; max: number } | null => {
    const c = src[i];
    let q: { min: number; max: number } | null = null;
    if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '?') q = { min: 0, max: 1 };
    if (q) i++;
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) return null;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
      i += m[0].length;
    } else return null;
    if (src[i] === '?') i++; // lazy: same language
    return q;
  };

  const single = (): Node => {
    const c = src[i]!;
    if (c === '(') {
      if (src.startsWith('(?:', i)) i += 3;
      else if (src.startsWith('(?<', i) && src[i + 3] !== '=' && src[i + 3] !== '!') i = src.indexOf('>', i) + 1;
      else if (src[i + 1] === '?') throw new PatternRefused('lookahead and lookbehind are not accepted in patterns');
      else i++;
      const inner = src[i] === ')' ? ({ t: 'cat', items: [] } as Node) : alt();
      i++; // ')'
      return inner;
    }
    if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      const source = src.slice(i, j + 1);
      i = j + 1;
      return atom(source);
    }
    if (c === '^' || c === '$') {
      i++;
      return { t: 'assert', kind: c };
    }
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (n === 'b' || n === 'B') {
        i += 2;
        return { t: 'assert', kind: n };
      }
      if (/[1-9]/.test(n) || n === 'k') throw new PatternRefused('back-references are not accepted in patterns');
      let len = 2;
      if (n === 'x' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 2, i + 4))) len = 4;
      else if (n === 'u' && /^[0-9A-Fa-f]{4}$/.test(src.slice(i + 2, i + 6))) len = 6;
      else if (n === 'c' && /^[A-Za-z]$/.test(src[i + 2] ?? '')) len = 3;
      else if (n === '0') while (len < 4 && /[0-7]/.test(src[i + len] ?? '')) len++; // legacy octal
      const source = src.slice(i, i + len);
      i += len;
      return atom(source);
    }
    i++;
    return atom(c === '.' ? '.' : c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  };

  const node = alt();
  if (i !== src.length) throw new PatternRefused(`unexpected "${src[i]}" at ${i}`);
  return node;
}

// ---------------------------------------------------------------- compiling (Thompson)

function compile(pattern: string): Program {
  const ast = parse(pattern);
  const states: State[] = [{ k: 'match' }];
  const push = (s: State): number => {
    if (states.length >= MAX_NFA_STATES) throw new PatternRefused(`the pattern is too complex (more than ${MAX_NFA_STATES} states once its repetitions are counted)`);
    states.push(s);
    return states.length - 1;
  };
  const build = (node: Node, next: number): number => {
    switch (node.t) {
      case 'atom':
        return push({ k: 'atom', test: node.test, next });
      case 'assert':
        return push({ k: 'assert', kind: node.kind, next });
      case 'cat': {
        let start = next;
        for (let j = node.items.length - 1; j >= 0; j--) start = build(node.items[j]!, start);
        return start;
      }
      case 'alt':
        return push({ k: 'split', out: node.options.map((o) => build(o, next)) });
      case 'rep': {
        let start: number;
        if (node.max === Infinity) {
          const loop = push({ k: 'split', out: [] });
          (states[loop] as { out: number[] }).out = [build(node.node, loop), next];
          start = loop;
        } else {
          start = next;
          for (let j = 0; j < node.max - node.min; j++) start = push({ k: 'split', out: [build(node.node, start), next] });
        }
        for (let j = 0; j < node.min; j++) start = build(node.node, start);
        return start;
      }
    }
  };
  const start = build(ast, 0);
  return { states, start };
}

// ---------------------------------------------------------------- running (breadth-first, no backtracking)

const WORD = /^\w$/;

function run(program: Program, input: string): boolean {
  const { states } = program;
  const seen = new Int32Array(states.length).fill(-1);
  const isWord = (p: number) => p >= 0 && p < input.length && WORD.test(input[p]!);
  const holds = (kind: '^' | '$' | 'b' | 'B', pos: number): boolean => {
    if (kind === '^') return pos === 0;
    if (kind === '$') return pos === input.length;
    const boundary = isWord(pos - 1) !== isWord(pos);
    return kind === 'b' ? boundary : !boundary;
  };
  /** Adds the closure of `from` at `pos` to `list`; true when it reaches the match state. */
  const add = (list: number[], from: number, pos: number): boolean => {
    const stack = [from];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen[s] === pos) continue;
      seen[s] = pos;
      const st = states[s]!;
      if (st.k === 'match') return true;
      if (st.k === 'split') for (let j = st.out.length - 1; j >= 0; j--) stack.push(st.out[j]!);
      else if (st.k === 'assert') {
        if (holds(st.kind, pos)) stack.push(st.next);
      } else list.push(s);
    }
    return false;
  };
  let current: number[] = [];
  for (let pos = 0; ; pos++) {
    // unanchored search: a match may start at every position
    if (add(current, program.start, pos)) return true;
    if (pos === input.length) return false;
    const c = input[pos]!;
    const next: number[] = [];
    for (const s of current) {
      const st = states[s] as { k: 'atom'; test: (c: string) => boolean; next: number };
      if (st.test(c) && add(next, st.next, pos + 1)) return true;
    }
    current = next;
  }
}
