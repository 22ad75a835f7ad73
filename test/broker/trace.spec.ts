import { divergence, firstDifference, IdNormalizer } from './trace';

describe('broker differential traces (test/broker/trace.ts)', () => {
  it('names random ids by their first appearance, so two runs with other random ids compare equal', () => {
    // Given the same run twice with other random ids
    const run = (a: string, b: string, mid: string) => ({
      events: [['activity.start', 'task', `task_${a}`], ['activity.end', 'task', `task_${a}`], ['flow.take', `flow_${b}`, null]],
      state: { queues: [{ name: `smq.qname-${b}`, messages: [{ properties: { messageId: `smq.mid-${mid}` } }] }], [`task_${a}`]: { id: 'task' } },
    });
    const first = new IdNormalizer().normalize(run('0a1b2c3d4e', '9f8e7d6c5b', 'aaaaaaaaaa'));
    const second = new IdNormalizer().normalize(run('1234567890', 'abcdef0123', 'bbbbbbbbbb'));
    // Then they normalize to the same thing, ids in order of first appearance
    expect(second).toEqual(first);
    expect((first as { events: unknown[] }).events[0]).toEqual(['activity.start', 'task', 'task_#id1']);
    expect(JSON.stringify(first)).toContain('smq.qname-#smq1');
  });

  it('keeps ids apart that differ in one run and not in the other', () => {
    const ids = new IdNormalizer();
    expect(ids.normalize(['task_aaaaaaaaaa', 'task_bbbbbbbbbb'])).toEqual(['task_#id1', 'task_#id2']);
    expect(new IdNormalizer().normalize(['task_aaaaaaaaaa', 'task_aaaaaaaaaa'])).toEqual(['task_#id1', 'task_#id1']);
  });

  it('goes on numbering from a clone without touching the original', () => {
    const ids = new IdNormalizer();
    ids.normalize('a_1111111111');
    const clone = ids.clone();
    expect(clone.normalize(['a_1111111111', 'b_2222222222'])).toEqual(['a_#id1', 'b_#id2']);
    expect(ids.normalize('c_3333333333')).toBe('c_#id2');
  });

  it('reports the first diverging event with its index, and other differences by path', () => {
    const expected = { events: [['a'], ['b'], ['c']], state: { x: 1 } };
    const report = divergence('scenario S, command 2', expected, { events: [['a'], ['b'], ['d']], state: { x: 1 } });
    expect(report).toContain('scenario S, command 2: first divergence at engine event #2');
    expect(report).toMatch(/#2 expected: \["c"\]\n\s+#2 actual: {3}\["d"\]/);
    expect(divergence('S', expected, { events: [['a'], ['b'], ['c']], state: { x: 2 } })).toContain('first difference at state.x');
    expect(divergence('S', expected, { events: [['a'], ['b'], ['c']], state: { x: 1 } })).toBeNull();
    expect(firstDifference({ a: 1, b: 2 }, { b: 2, a: 1 })).toBeNull();
  });
});
