import { ExpressionEvaluationError, ExpressionSyntaxError } from './errors';
import { checkFeel, evaluateFeel } from './feel';

describe('evaluateFeel', () => {
  it.each([
    ['priority = "P1"', { priority: 'P1' }, true],
    ['priority = "P1"', { priority: 'P2' }, false],
    ['x > 3 and name = "Bob"', { x: 10, name: 'Bob' }, true],
    ['count(list) >= 3', { list: [1, 2, 3] }, true],
    ['ticket.impact * 2', { ticket: { impact: 4 } }, 8],
    ['{a: 1, b: [true, null]}', {}, { a: 1, b: [true, null] }],
    ['if x > 3 then "high" else "low"', { x: 1 }, 'low'],
  ])('Given %s over %p, When evaluated, Then it yields %p', (source, scope, expected) => {
    expect(evaluateFeel(source, scope)).toEqual(expected);
  });

  it('Given temporal results, When evaluated, Then they come back as ISO 8601 text (usable as timer values)', () => {
    expect(evaluateFeel('duration("PT5M")', {})).toBe('PT5M');
    expect(evaluateFeel('date and time("2030-01-01T00:00:00Z") + duration("P3D")', {})).toBe('2030-01-04T00:00:00Z');
  });

  it('Given a missing variable, When evaluated, Then it yields null and reports no problem', () => {
    // Given
    const onProblem = jest.fn();
    // When
    const value = evaluateFeel('missing.path', {}, onProblem);
    // Then
    expect(value).toBeNull();
    expect(onProblem).not.toHaveBeenCalled();
  });

  it('Given a type error, When evaluated, Then it yields null and reports the problem', () => {
    // Given
    const onProblem = jest.fn();
    // When
    const value = evaluateFeel('"a" + 1', {}, onProblem);
    // Then
    expect(value).toBeNull();
    expect(onProblem).toHaveBeenCalledWith(expect.any(ExpressionEvaluationError));
  });

  it('Given a malformed expression, When evaluated, Then it throws ExpressionSyntaxError', () => {
    expect(() => evaluateFeel('x >', { x: 1 })).toThrow(ExpressionSyntaxError);
  });

  describe('security', () => {
    it.each(['constructor', 'x.constructor', 'x.__proto__', 'x.toString', '"".constructor', 'get value(x, "constructor")'])(
      'Given %s, When evaluated, Then it yields null',
      (source) => {
        expect(evaluateFeel(source, { x: {} })).toBeNull();
      },
    );

    it.each(['string', 'function(a) a', 'get value', '[1..3]'])(
      'Given %s evaluating to a function or range, When evaluated, Then only null comes out',
      (source) => {
        expect(evaluateFeel(source, {})).toBeNull();
      },
    );

    it('Given a variable with a getter, When evaluated, Then the getter never runs', () => {
      // Given
      const getter = jest.fn(() => process);
      const scope = { x: Object.defineProperty({ a: 1 }, 'secret', { get: getter, enumerable: true }) };
      // When
      const results = [evaluateFeel('x.secret', scope), evaluateFeel('x', scope)];
      // Then
      expect(results).toEqual([null, { a: 1 }]);
      expect(getter).not.toHaveBeenCalled();
    });
  });
});

describe('checkFeel', () => {
  it('Given a valid expression, When checked, Then there is no error', () => {
    expect(checkFeel('x > 3 and y = "a"')).toBeNull();
  });

  it.each([
    ['x >', 'incomplete expression at position 3 in "x >"'],
    ['(x', 'incomplete expression at position 2'],
    ['', 'incomplete expression at position 0'],
    ['x > 3 )', 'unexpected ")" at position 6'],
  ])('Given %p, When checked, Then the message is %p', (source, message) => {
    expect(checkFeel(source)).toContain(message);
  });
});
