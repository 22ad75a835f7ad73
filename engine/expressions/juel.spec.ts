import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
import { evaluateJuel, parseJuel } from './juel';

const scope = {
  n: 10,
  m: 3,
  s: 'abc',
  t: 'abd',
  yes: true,
  no: false,
  nothing: null,
  list: [1, 2, 3],
  emptyList: [],
  emptyObject: {},
  ticket: { priority: 'P1', tags: ['vip'], 'spaced key': 7, nested: { deep: { value: 42 } } },
};

function run(source: string, variables: Record<string, unknown> = scope): unknown {
  return evaluateJuel(parseJuel(source), variables);
}

describe('parseJuel / evaluateJuel', () => {
  describe('literals', () => {
    it.each([
      ['42', 42],
      ['3.5', 3.5],
      ['1e3', 1000],
      ['true', true],
      ['false', false],
      ['null', null],
      ['"double"', 'double'],
      ["'single'", 'single'],
      [String.raw`"a\"b\\c\n"`, 'a"b\\c\n'],
      [String.raw`'it\'s'`, "it's"],
    ])('Given the literal %s, When evaluated, Then it yields %p', (source, expected) => {
      expect(run(source)).toEqual(expected);
    });
  });

  describe('property paths', () => {
    it.each([
      ['n', 10],
      ['ticket.priority', 'P1'],
      ['ticket["priority"]', 'P1'],
      ["ticket['spaced key']", 7],
      ['ticket.nested.deep.value', 42],
      ['ticket.tags[0]', 'vip'],
      ['list[2]', 3],
      ['list[-1]', 3],
      ['list.length', 3],
      ['list[m - 2]', 2],
    ])('Given the path %s, When evaluated, Then it reads %p', (source, expected) => {
      expect(run(source)).toEqual(expected);
    });

    it.each(['unknown', 'ticket.unknown', 'ticket.nested.missing.deeper', 'list[10]', 'list[-10]', 'nothing.x', 's.length', 'n.x'])(
      'Given the missing path %s, When evaluated, Then it yields null without throwing',
      (source) => {
        expect(run(source)).toBeNull();
      },
    );
  });

  describe('comparisons', () => {
    it.each([
      ['n == 10', true], ['n eq 9', false], ['n != 9', true], ['n ne 10', false],
      ['n < 11', true], ['n lt 10', false], ['n <= 10', true], ['n le 9', false],
      ['n > 3', true], ['n gt 10', false], ['n >= 10', true], ['n ge 11', false],
      ['s < t', true], ['s >= t', false], ['s == "abc"', true],
      ['nothing == null', true], ['unknown == null', true], ['ticket.tags == ticket.tags', true],
    ])('Given %s, When evaluated, Then it yields %p', (source, expected) => {
      expect(run(source)).toBe(expected);
    });

    it.each([
      ['n == "10"', false], ['n != "10"', true], ['n < "11"', false], ['s > 1', false],
      ['nothing < 1', false], ['nothing >= nothing', false], ['list > 1', false], ['yes > no', false],
    ])('Given incompatible types in %s, When evaluated, Then it yields %p and does not throw', (source, expected) => {
      expect(run(source)).toBe(expected);
    });

    it('Given priority == "P1", When priority is P1 or P2, Then it yields true or false', () => {
      expect(run('priority == "P1"', { priority: 'P1' })).toBe(true);
      expect(run('priority == "P1"', { priority: 'P2' })).toBe(false);
    });
  });

  describe('boolean operators', () => {
    it.each([
      ['yes && no', false], ['yes and yes', true], ['no || yes', true], ['no or no', false],
      ['!yes', false], ['not no', true], ['!nothing', true], ['!unknown', true],
      ['no && (1 / 0 > 1)', false], ['yes || (1 / 0 > 1)', true],
      ['n > 3 && s == "abc" || no', true], ['not (n > 3)', false],
    ])('Given %s, When evaluated, Then it yields %p', (source, expected) => {
      expect(run(source)).toBe(expected);
    });

    it('Given a non-boolean operand, When combined with &&, Then it is an evaluation error', () => {
      expect(() => run('n && yes')).toThrow(ExpressionEvaluationError);
      expect(() => run('!s')).toThrow(ExpressionEvaluationError);
    });
  });

  describe('empty', () => {
    it.each([
      ['empty nothing', true], ['empty unknown', true], ['empty ""', true], ['empty emptyList', true],
      ['empty emptyObject', true], ['empty list', false], ['empty s', false], ['empty n', false], ['not empty ticket', true],
    ])('Given %s, When evaluated, Then it yields %p', (source, expected) => {
      expect(run(source)).toBe(expected);
    });
  });

  describe('arithmetic', () => {
    it.each([
      ['n + m', 13], ['n - m', 7], ['n * m', 30], ['n / 4', 2.5], ['n div 4', 2.5], ['n % m', 1], ['n mod m', 1],
      ['-n', -10], ['- -n', 10], ['2 + 3 * 4', 14], ['(2 + 3) * 4', 20], ['10 - 2 - 3', 5], ['s + t', 'abcabd'],
    ])('Given %s, When evaluated, Then it yields %p', (source, expected) => {
      expect(run(source)).toBe(expected);
    });

    it.each(['n + s', 's * 2', 'nothing + 1', '-s', 'list + 1', 'n / 0', 'n % 0'])(
      'Given %s, When evaluated, Then it is an evaluation error (not a crash or a coercion)',
      (source) => {
        expect(() => run(source)).toThrow(ExpressionEvaluationError);
      },
    );
  });

  describe('syntax errors', () => {
    it.each([
      ['', 'expected a value'],
      ['n +', 'expected a value'],
      ['n = 3', 'use =='],
      ['(n', 'expected ")"'],
      ['n)', 'expected end of expression'],
      ['list[0', 'expected "]"'],
      ['ticket.', 'property name'],
      ['"open', 'unterminated string'],
      [String.raw`"\x"`, 'invalid escape'],
      ['n & m', 'unexpected character "&"'],
      ['n instanceof m', 'expected end of expression'],
      ['a.b()', 'function calls are not supported'],
      ['fn(1)', 'function calls are not supported'],
    ])('Given %p, When parsed, Then ExpressionSyntaxError mentions %p', (source, message) => {
      expect(() => parseJuel(source)).toThrow(ExpressionSyntaxError);
      expect(() => parseJuel(source)).toThrow(message);
    });

    it('Given a syntax error, When parsed, Then the error says where', () => {
      // When
      const error = captureSyntaxError('n > > 3');
      // Then
      expect(error.position).toBe(4);
      expect(error.message).toBe('unexpected ">", expected a value at position 4 in "n > > 3"');
    });

    it('Given hostile nesting depth, When parsed, Then it is refused instead of overflowing the stack', () => {
      expect(() => parseJuel('('.repeat(5000) + '1' + ')'.repeat(5000))).toThrow(ExpressionSyntaxError);
      expect(() => parseJuel(Array(2000).fill('1').join(' + '))).toThrow('more than 1000 tokens');
    });

    it('Given the deepest nesting the token limit allows, When parsed and evaluated, Then it works', () => {
      expect(run('('.repeat(499) + '1' + ')'.repeat(499))).toBe(1);
      expect(run('!'.repeat(998) + 'yes')).toBe(true);
      expect(run(Array(500).fill('1').join(' + '))).toBe(500);
    });
  });

  describe('security', () => {
    it.each([
      'constructor.constructor("return process")()',
      '"".constructor',
      'a.__proto__',
      'environment.constructor.name',
      'x["constructor"]',
      'prototype',
      'x.toString()',
    ])('Given the hostile expression %s, When parsed, Then it is refused', (source) => {
      expect(() => parseJuel(source)).toThrow(ExpressionSyntaxError);
    });

    it.each(['toString', 'valueOf', '__defineGetter__', 'hasOwnProperty', 'x.toString', 'x.hasOwnProperty', 'list.map', 's.length', 'x[key]'])(
      'Given %s reaching for an inherited member, When evaluated, Then it yields null',
      (source) => {
        expect(run(source, { x: {}, list: [], s: 'abc', key: '__proto__' })).toBeNull();
      },
    );

    it('Given a variable with a getter, When read, Then the getter never runs and nothing leaks', () => {
      // Given
      const getter = jest.fn(() => process);
      const variables = { x: Object.defineProperty({}, 'secret', { get: getter, enumerable: true }) };
      // When
      const value = run('x.secret', variables);
      // Then
      expect(value).toBeNull();
      expect(getter).not.toHaveBeenCalled();
    });

    it('Given a class instance in scope, When its fields are read, Then they are not visible', () => {
      class Service {
        readonly field = 1;
      }
      expect(run('svc.field', { svc: new Service() })).toBeNull();
    });
  });
});

function captureSyntaxError(source: string): ExpressionSyntaxError {
  try {
    parseJuel(source);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
  }
  throw new Error(`expected a syntax error for ${source}`);
}
