import { ExpressionSyntaxError } from './errors';
import { checkExpression, createEngineExpressions, evaluateExpression } from './expressions';

const variables = { priority: 'P1', name: 'Ada', x: 10, ticket: { id: 7, tags: ['a'] }, missing: null, other: 'SECRET' };

describe('evaluateExpression', () => {
  describe('routing by syntax', () => {
    it.each([
      ['${priority == "P1"}', true],
      ['${priority == "P2"}', false],
      ['=priority = "P1"', true],
      ['=priority = "P2"', false],
      ['  ${x}  ', 10],
      ['  =x + 1 ', 11],
      ['${ticket}', { id: 7, tags: ['a'] }],
      ['${ticket.tags}', ['a']],
      ['Hi ${name}', 'Hi Ada'],
      ['${name} has ${ticket.tags.length} tag(s), x=${x}', 'Ada has 1 tag(s), x=10'],
      ['${name}${x}', 'Ada10'],
      ['ticket ${ticket}', 'ticket {"id":7,"tags":["a"]}'],
      ['[${missing}] [${nothing}]', '[] []'],
      ['${a == "}"}', false],
      ['no expression here', 'no expression here'],
      ['PT5M', 'PT5M'],
      ['', ''],
    ])('Given %p, When evaluated, Then it yields %p', (expression, expected) => {
      expect(evaluateExpression(expression, variables)).toEqual(expected);
    });
  });

  describe('templates are single pass', () => {
    it('Given a variable holding ${other}, When interpolated, Then the substituted text stays literal', () => {
      // Given
      const scope = { title: '${other}', other: 'SECRET' };
      // When
      const text = evaluateExpression('Ticket: ${title}', scope);
      // Then
      expect(text).toBe('Ticket: ${other}');
    });

    it('Given a variable holding a service call, When interpolated, Then nothing is called', () => {
      expect(evaluateExpression('Hi ${evil}', { evil: '${environment.services.deleteAll()}' })).toBe('Hi ${environment.services.deleteAll()}');
    });

    it('Given a whole-string expression returning ${...} text, When evaluated, Then it is returned as data', () => {
      expect(evaluateExpression('${title}', { title: '${other}', other: 'SECRET' })).toBe('${other}');
    });
  });

  describe('scope', () => {
    it.each(['${x}', '${variables.x}', '${environment.variables.x}', '=x', '=variables.x', '=environment.variables.x'])(
      'Given the alias form %s, When evaluated, Then it reads the process variable',
      (expression) => {
        expect(evaluateExpression(expression, variables)).toBe(10);
      },
    );

    it('Given a process variable named like an alias, When evaluated, Then the alias wins', () => {
      expect(evaluateExpression('${environment.variables.x}', { x: 1, environment: { variables: { x: 2 } } })).toBe(1);
    });

    it.each(['${nope}', '${ticket.nope.deeper}', '${ticket.tags[5]}', '=nope', '=ticket.nope.deeper'])(
      'Given the missing path %s, When evaluated, Then it yields null',
      (expression) => {
        expect(evaluateExpression(expression, variables)).toBeNull();
      },
    );

    it('Given a Date variable, When read, Then it is visible as ISO text', () => {
      expect(evaluateExpression('${due}', { due: new Date('2030-01-01T00:00:00Z') })).toBe('2030-01-01T00:00:00.000Z');
    });
  });

  describe('errors', () => {
    it.each(['${x >}', '${x', 'Hi ${name} and ${x ==}', '=x >', '${fn()}'])(
      'Given the malformed %p, When evaluated, Then ExpressionSyntaxError is thrown',
      (expression) => {
        expect(() => evaluateExpression(expression, variables)).toThrow(ExpressionSyntaxError);
      },
    );

    it('Given a run-time problem, When evaluated, Then the result is null and onError hears about it', () => {
      // Given
      const onError = jest.fn();
      // When
      const value = evaluateExpression('${x / 0}', variables, { onError });
      // Then
      expect(value).toBeNull();
      expect(onError).toHaveBeenCalledWith('${x / 0}', expect.objectContaining({ name: 'ExpressionEvaluationError' }));
    });

    it('Given a failing template part, When evaluated, Then that part is empty and the rest renders', () => {
      // Given
      const onError = jest.fn();
      // When
      const text = evaluateExpression('${name}: ${name * 2}!', variables, { onError });
      // Then
      expect(text).toBe('Ada: !');
      expect(onError).toHaveBeenCalledTimes(1);
    });

    it('Given a FEEL type problem, When evaluated, Then onError hears about it', () => {
      // Given
      const onError = jest.fn();
      // When
      const value = evaluateExpression('=name + 1', variables, { onError });
      // Then
      expect(value).toBeNull();
      expect(onError).toHaveBeenCalledWith('=name + 1', expect.objectContaining({ name: 'ExpressionEvaluationError' }));
    });
  });

  describe('hostile input', () => {
    it.each([
      '${constructor.constructor("return process")()}',
      '${"".constructor}',
      '${a.__proto__}',
      '${environment.constructor.name}',
      '${x.toString()}',
      'Hi ${name.constructor}',
    ])('Given %s, When evaluated, Then it is refused as a syntax error', (expression) => {
      expect(() => evaluateExpression(expression, variables)).toThrow(ExpressionSyntaxError);
      expect(checkExpression(expression)).not.toBeNull();
    });

    it.each(['=constructor', '=environment.constructor', '=x.__proto__', '${x.toString}', '${toString}', '${ticket.hasOwnProperty}', '${fn}', '=fn'])(
      'Given %s, When evaluated, Then it yields null',
      (expression) => {
        expect(evaluateExpression(expression, { x: {}, ticket: {}, fn: () => process })).toBeNull();
      },
    );

    it('Given prototype-polluting variables, When evaluated, Then nothing is polluted or visible', () => {
      // Given
      const hostile = JSON.parse('{"__proto__":{"polluted":1},"ok":1,"nested":{"__proto__":{"polluted":2}}}') as Record<string, unknown>;
      // When
      const results = ['${polluted}', '${nested.polluted}', '=polluted', '=nested.polluted', '${ok}'].map((e) => evaluateExpression(e, hostile));
      // Then
      expect(results).toEqual([null, null, null, null, 1]);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(evaluateExpression('${nested}', hostile)).toEqual({});
    });

    it('Given a variable object with a getter, When read in either language, Then the getter never runs', () => {
      // Given
      const getter = jest.fn(() => process);
      const scope = { v: Object.defineProperty({ plain: 1 }, 'leak', { get: getter, enumerable: true }) };
      // When
      const results = ['${v.leak}', '=v.leak', '${v}', 'text ${v}'].map((e) => evaluateExpression(e, scope));
      // Then
      expect(results).toEqual([null, null, { plain: 1 }, 'text {"plain":1}']);
      expect(getter).not.toHaveBeenCalled();
    });

    it('Given a cyclic variable, When evaluated, Then the cycle is cut instead of looping', () => {
      // Given
      const cyclic: Record<string, unknown> = { id: 1 };
      cyclic['self'] = cyclic;
      // When / Then
      expect(evaluateExpression('${c.self}', { c: cyclic })).toBeNull();
      expect(evaluateExpression('${c.id}', { c: cyclic })).toBe(1);
    });

    it('Given ${environment.services.fn}, When evaluated, Then it is undefined', () => {
      expect(evaluateExpression('${environment.services.fn}', variables)).toBeUndefined();
    });
  });
});

describe('checkExpression', () => {
  it.each(['${x > 3}', '=x > 3', 'Hi ${name}', 'plain text', '${a == "}"} and ${b}', ''])('Given the valid %p, When checked, Then it is null', (expression) => {
    expect(checkExpression(expression)).toBeNull();
  });

  it.each([
    ['${x >}', 'invalid expression: unexpected end of expression, expected a value at position 3 in "x >"'],
    ['Hi ${name', 'invalid expression: "${" without a closing "}" at position 3'],
    ['Hi ${name} ${a.b()}', 'function calls are not supported'],
    ['=x >', 'invalid FEEL expression: incomplete expression at position 3 in "x >"'],
    ['=', 'invalid FEEL expression: incomplete expression'],
  ])('Given the malformed %p, When checked, Then the message says %p', (expression, message) => {
    expect(checkExpression(expression)).toContain(message);
  });
});

describe('createEngineExpressions', () => {
  const context = (vars: Record<string, unknown>, content: unknown = {}): unknown => ({ environment: { variables: vars }, content });

  it('Given a bpmn-elements style context, When resolving, Then variables and message content are visible', () => {
    // Given
    const expressions = createEngineExpressions();
    const ctx = context({ sla: 'PT4H', x: 5 }, { output: { approved: true } });
    // When / Then
    expect(expressions.resolveExpression('${environment.variables.sla}', ctx)).toBe('PT4H');
    expect(expressions.resolveExpression('${content.output.approved}', ctx)).toBe(true);
    expect(expressions.resolveExpression('=content.output.approved and x > 3', ctx)).toBe(true);
    expect(expressions.resolveExpression('=duration("PT5M")', ctx)).toBe('PT5M');
  });

  it('Given ${environment.services.fn} and a real function in the context, When resolving, Then it is undefined and never called', () => {
    // Given
    const fn = jest.fn();
    const ctx = { environment: { variables: {}, services: { fn } }, content: {} };
    const expressions = createEngineExpressions();
    // When
    const resolved = [
      expressions.resolveExpression('${environment.services.fn}', ctx),
      expressions.resolveExpression('${environment["services"].fn}', ctx),
      expressions.resolveExpression('=environment.services.fn', ctx),
      expressions.resolveExpression('Hi ${environment.services.fn}', ctx),
    ];
    // Then
    expect(resolved).toEqual([undefined, undefined, null, 'Hi ']);
    expect(fn).not.toHaveBeenCalled();
    expect(() => expressions.resolveExpression('${environment.services.fn()}', ctx)).toThrow(ExpressionSyntaxError);
  });

  it('Given a non-string or no context, When resolving, Then it copes', () => {
    const expressions = createEngineExpressions();
    expect(expressions.resolveExpression(42)).toBe(42);
    expect(expressions.resolveExpression(undefined)).toBeUndefined();
    expect(expressions.resolveExpression('${x}')).toBeNull();
    expect(expressions.resolveExpression('Process_1')).toBe('Process_1');
  });

  it('Given onError, When a run-time problem occurs, Then it is reported and the value is null', () => {
    // Given
    const onError = jest.fn();
    const expressions = createEngineExpressions({ onError });
    // When
    const value = expressions.resolveExpression('${x * "a"}', context({ x: 1 }));
    // Then
    expect(value).toBeNull();
    expect(onError).toHaveBeenCalledWith('${x * "a"}', expect.any(Error));
  });

  it.each([
    ['${x}', true, true],
    [' =x ', true, true],
    ['a ${x}', false, true],
    ['${a} ${b}', false, true],
    ['${x', false, true],
    ['plain', false, false],
    ['', false, false],
    [undefined, false, false],
  ])('Given %p, When classified, Then isExpression is %p and hasExpression is %p', (text, isExpression, hasExpression) => {
    const expressions = createEngineExpressions();
    expect(expressions.isExpression(text)).toBe(isExpression);
    expect(expressions.hasExpression(text)).toBe(hasExpression);
  });
});

describe('variables from another realm', () => {
  it('reads objects made by structuredClone in a sandbox (their prototype is the outer Object.prototype) but not class instances', () => {
    // jest runs tests in a vm context whose structuredClone returns objects of the outer realm
    const cloned = structuredClone({ sla: { resolution: { dueAt: '2026-11-21T14:00:00.000Z' } } });
    expect(evaluateExpression('${sla.resolution.dueAt}', cloned)).toBe('2026-11-21T14:00:00.000Z');
    expect(evaluateExpression('= sla.resolution.dueAt', cloned)).toBe('2026-11-21T14:00:00.000Z');
    class Ticket {
      id = 7;
    }
    expect(evaluateExpression('${ticket.id}', { ticket: new Ticket() })).toBeNull();
  });
});
