/**
 * A safe subset of Camunda 7 JUEL (`${...}` bodies): property paths, literals, comparison, boolean,
 * `empty` and arithmetic operators. No function or method calls, no assignment, no lambdas: the
 * interpreter only reads own enumerable data properties of plain objects and arrays.
 */
import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
import { FORBIDDEN_KEYS, isPlainObject, readOwnData } from './plain-data';

export type JuelBinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';
export type JuelUnaryOperator = '-' | '!' | 'empty';
export type JuelLiteral = string | number | boolean | null;

/** Parsed JUEL expression. Word operators are normalised (`and` → `&&`, `eq` → `==`, `div` → `/` ...). */
export type JuelAst =
  | { readonly kind: 'literal'; readonly value: JuelLiteral }
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'member'; readonly object: JuelAst; readonly property: JuelAst }
  | { readonly kind: 'unary'; readonly operator: JuelUnaryOperator; readonly operand: JuelAst }
  | { readonly kind: 'binary'; readonly operator: JuelBinaryOperator; readonly left: JuelAst; readonly right: JuelAst };

interface Token {
  readonly type: 'number' | 'string' | 'word' | 'punct' | 'end';
  readonly text: string;
  readonly value: string | number;
  readonly position: number;
}

/** Bounds both the parser's and the interpreter's recursion depth for hostile input. */
const MAX_TOKENS = 1000;
const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', '.'];
// Maps, not object literals: a lookup like `WORDS['toString']` must never find an inherited member.
const WORD_OPERATORS: ReadonlyMap<string, string> = new Map(Object.entries({
  and: '&&', or: '||', not: '!', eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', div: '/', mod: '%',
}));
const LITERAL_WORDS: ReadonlyMap<string, JuelLiteral> = new Map<string, JuelLiteral>([['true', true], ['false', false], ['null', null]]);
const RESERVED_WORDS = new Set([...WORD_OPERATORS.keys(), 'empty', 'instanceof']);
/** Binary operators from lowest to highest precedence. */
const LEVELS: readonly (readonly JuelBinaryOperator[])[] = [
  ['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%'],
];
const ESCAPES: ReadonlyMap<string, string> = new Map(Object.entries({ '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' }));
const WORD = /[A-Za-z_$][\w$]*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Parses the body of a `${...}` expression (without the delimiters).
 * @throws {ExpressionSyntaxError} naming the position and the offending token.
 */
export function parseJuel(source: string): JuelAst {
  const parser = new Parser(source, tokenize(source));
  const ast = parser.parseBinary(0);
  parser.expectEnd();
  return ast;
}

/**
 * Evaluates a parsed expression against `scope`. Missing properties yield `null`; comparisons of
 * incompatible types yield `false`.
 * @throws {ExpressionEvaluationError} for operand type errors (`"a" * 2`, `!5`) and non-finite
 * arithmetic results (division by zero).
 */
export function evaluateJuel(ast: JuelAst, scope: Record<string, unknown>): unknown {
  return evaluate(ast, scope);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    if (/\s/.test(source[position]!)) {
      position++;
      continue;
    }
    if (tokens.length >= MAX_TOKENS) throw new ExpressionSyntaxError(`more than ${MAX_TOKENS} tokens`, source, position);
    const token = readToken(source, position);
    tokens.push(token);
    position += token.text.length;
  }
  tokens.push({ type: 'end', text: '', value: '', position });
  return tokens;
}

function readToken(source: string, position: number): Token {
  const char = source[position]!;
  if (char === '"' || char === "'") return readString(source, position);
  const word = matchAt(WORD, source, position);
  if (word) return { type: 'word', text: word, value: word, position };
  const number = matchAt(NUMBER, source, position);
  if (number) return { type: 'number', text: number, value: Number(number), position };
  const punct = PUNCTUATION.find((candidate) => source.startsWith(candidate, position));
  if (punct) return { type: 'punct', text: punct, value: punct, position };
  const hint = char === '=' ? ' (use == to compare)' : '';
  throw new ExpressionSyntaxError(`unexpected character "${char}"${hint}`, source, position);
}

function matchAt(pattern: RegExp, source: string, position: number): string | undefined {
  pattern.lastIndex = position;
  return pattern.exec(source)?.[0];
}

function readString(source: string, start: number): Token {
  const quote = source[start];
  let value = '';
  for (let position = start + 1; position < source.length; position++) {
    const char = source[position]!;
    if (char === quote) return { type: 'string', text: source.slice(start, position + 1), value, position: start };
    if (char !== '\\') {
      value += char;
      continue;
    }
    const escaped = ESCAPES.get(source[++position] ?? '');
    if (escaped === undefined) throw new ExpressionSyntaxError('invalid escape sequence in string', source, position - 1);
    value += escaped;
  }
  throw new ExpressionSyntaxError('unterminated string', source, start);
}

class Parser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseBinary(level: number): JuelAst {
    const operators = LEVELS[level];
    if (!operators) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (let operator = this.operator(); operators.includes(operator as JuelBinaryOperator); operator = this.operator()) {
      this.index++;
      const right = this.parseBinary(level + 1);
      left = { kind: 'binary', operator: operator as JuelBinaryOperator, left, right };
    }
    return left;
  }

  expectEnd(): void {
    if (this.peek.type !== 'end') this.fail(this.peek, 'expected end of expression');
  }

  private get peek(): Token {
    return this.tokens[this.index]!;
  }

  /** The current token as a normalised operator, if it is one. */
  private operator(): string | undefined {
    const { type, text } = this.peek;
    if (type === 'punct') return text;
    return type === 'word' ? WORD_OPERATORS.get(text) : undefined;
  }

  private parseUnary(): JuelAst {
    const operator = this.peek.text === 'empty' && this.peek.type === 'word' ? 'empty' : this.operator();
    if (operator !== '-' && operator !== '!' && operator !== 'empty') return this.parsePostfix();
    this.index++;
    return { kind: 'unary', operator, operand: this.parseUnary() };
  }

  private parsePostfix(): JuelAst {
    let node = this.parsePrimary();
    for (;;) {
      const token = this.peek;
      if (token.type !== 'punct') return node;
      if (token.text === '(') this.fail(token, 'function calls are not supported');
      if (token.text === '.') node = { kind: 'member', object: node, property: this.parseDotProperty() };
      else if (token.text === '[') node = { kind: 'member', object: node, property: this.parseBracketProperty() };
      else return node;
    }
  }

  private parseDotProperty(): JuelAst {
    const token = this.tokens[++this.index]!;
    if (token.type !== 'word') this.fail(token, 'expected a property name after "."');
    this.index++;
    return { kind: 'literal', value: this.allowedName(token) };
  }

  private parseBracketProperty(): JuelAst {
    this.index++;
    const token = this.peek;
    const property = this.parseBinary(0);
    if (property.kind === 'literal' && typeof property.value === 'string') this.allowedName({ ...token, text: property.value });
    this.expect(']');
    return property;
  }

  private parsePrimary(): JuelAst {
    const token = this.peek;
    this.index++;
    if (token.type === 'number' || token.type === 'string') return { kind: 'literal', value: token.value };
    if (token.type === 'word' && LITERAL_WORDS.has(token.text)) return { kind: 'literal', value: LITERAL_WORDS.get(token.text)! };
    if (token.type === 'word' && !RESERVED_WORDS.has(token.text)) return { kind: 'identifier', name: this.allowedName(token) };
    if (token.text === '(' && token.type === 'punct') {
      const inner = this.parseBinary(0);
      this.expect(')');
      return inner;
    }
    return this.fail(token, 'expected a value');
  }

  private allowedName(token: Token): string {
    if (!FORBIDDEN_KEYS.has(token.text)) return token.text;
    throw new ExpressionSyntaxError(`property "${token.text}" is not accessible`, this.source, token.position);
  }

  private expect(text: string): void {
    if (this.peek.type !== 'punct' || this.peek.text !== text) this.fail(this.peek, `expected "${text}"`);
    this.index++;
  }

  private fail(token: Token, reason: string): never {
    const what = token.type === 'end' ? 'end of expression' : `"${token.text}"`;
    throw new ExpressionSyntaxError(`unexpected ${what}, ${reason}`, this.source, token.position);
  }
}

function evaluate(node: JuelAst, scope: Record<string, unknown>): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'identifier':
      return readProperty(scope, node.name);
    case 'member':
      return readProperty(evaluate(node.object, scope), evaluate(node.property, scope));
    case 'unary':
      return evaluateUnary(node.operator, evaluate(node.operand, scope));
    case 'binary':
      return evaluateBinary(node.operator, node.left, node.right, scope);
  }
}

/** Own enumerable data properties of plain objects and arrays (plus array `length`); else `null`. */
function readProperty(target: unknown, key: unknown): unknown {
  if (typeof key === 'number' && Number.isInteger(key)) key = String(key);
  if (typeof key !== 'string') return null;
  if (Array.isArray(target)) return readIndex(target, key);
  return isPlainObject(target) ? (readOwnData(target, key) ?? null) : null;
}

/** `list[0]`, `list[-1]` (from the end, as bpmn-elements allows) and `list.length`. */
function readIndex(list: unknown[], key: string): unknown {
  if (key === 'length') return list.length;
  if (!/^-?\d+$/.test(key)) return null;
  const index = Number(key) < 0 ? list.length + Number(key) : Number(key);
  return index >= 0 ? (readOwnData(list, String(index)) ?? null) : null;
}

function evaluateUnary(operator: JuelUnaryOperator, value: unknown): unknown {
  if (operator === 'empty') return isEmpty(value);
  if (operator === '!') return !toBoolean(value, operator);
  if (typeof value !== 'number') throw typeError(operator, value);
  return -value;
}

function evaluateBinary(operator: JuelBinaryOperator, leftNode: JuelAst, rightNode: JuelAst, scope: Record<string, unknown>): unknown {
  const left = evaluate(leftNode, scope);
  if (operator === '&&') return toBoolean(left, operator) && toBoolean(evaluate(rightNode, scope), operator);
  if (operator === '||') return toBoolean(left, operator) || toBoolean(evaluate(rightNode, scope), operator);
  const right = evaluate(rightNode, scope);
  if (operator === '==') return equals(left, right);
  if (operator === '!=') return !equals(left, right);
  if (operator === '<' || operator === '<=' || operator === '>' || operator === '>=') return compare(operator, left, right);
  return arithmetic(operator, left, right);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** `null` counts as false (as in JUEL); anything but a boolean or null is a type error. */
function toBoolean(value: unknown, operator: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  throw typeError(operator, value);
}

/** Strict, structural equality without type coercion (`1 == "1"` is false). */
function equals(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => equals(item, right[index]));
  }
  if (!isPlainObject(left) || !isPlainObject(right)) return false;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && equals(left[key], right[key]));
}

/** Orders two numbers or two strings; any other pairing is `false`. */
function compare(operator: '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return false;
  const [a, b] = [left as number | string, right as number | string];
  if (operator === '<') return a < b;
  if (operator === '<=') return a <= b;
  if (operator === '>') return a > b;
  return a >= b;
}

function arithmetic(operator: JuelBinaryOperator, left: unknown, right: unknown): number | string {
  if (operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  if (typeof left !== 'number' || typeof right !== 'number') throw typeError(operator, left, right);
  const result = calculate(operator, left, right);
  if (!Number.isFinite(result)) throw new ExpressionEvaluationError(`${left} ${operator} ${right} is not a finite number`);
  return result;
}

function calculate(operator: JuelBinaryOperator, left: number, right: number): number {
  switch (operator) {
    case '+': return left + right;
    case '-': return left - right;
    case '*': return left * right;
    case '/': return left / right;
    default: return left % right;
  }
}

function typeError(operator: string, ...values: unknown[]): ExpressionEvaluationError {
  const types = values.map((value) => (value === null || value === undefined ? 'null' : Array.isArray(value) ? 'list' : typeof value));
  return new ExpressionEvaluationError(`operator "${operator}" cannot be applied to ${types.join(' and ')}`);
}
