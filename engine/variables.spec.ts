import { EngineError } from './errors';
import { assertVariables } from './variables';

describe('assertVariables', () => {
  it('accepts JSON values and returns a detached copy', () => {
    const input = { impact: 'high', count: 3, ok: true, none: null, tags: ['a'], nested: { level: 2 } };
    const copy = assertVariables(input);
    expect(copy).toEqual(input);
    expect(copy.nested).not.toBe(input.nested);
  });

  it.each([
    ['an array', [1, 2], /JSON object/],
    ['a string', 'x', /JSON object/],
    ['a bad name', { '1abc': 1 }, /not allowed/],
    ['__proto__', JSON.parse('{"__proto__": {"polluted": true}}'), /not allowed/],
    ['a NUL character', { note: 'a\u0000b' }, /NUL/],
    ['a non-finite number', { n: Infinity }, /finite/],
    ['a nested forbidden key', { a: JSON.parse('{"constructor": 1}') }, /forbidden key/],
    ['a function', { f: () => 1 }, /unsupported type/],
    ['a Date object', { d: new Date() }, /unsupported type/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => assertVariables(value)).toThrow(EngineError);
    expect(() => assertVariables(value)).toThrow(message);
  });

  it('refuses nesting deeper than 16 levels', () => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(() => assertVariables({ deep })).toThrow(/nested deeper/);
  });
});

describe('reserved variable names', () => {
  it.each(['content', 'fields', 'properties'])('refuses "%s", which the engine writes itself', (name) => {
    expect(() => assertVariables({ [name]: 1 })).toThrow(/reserved/);
  });
});
