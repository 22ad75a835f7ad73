import { idBesides, idInSlot, slotOf } from './instance-ids';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('instance slot ids', () => {
  it('gives a task id the slot of its instance, as a version 4 UUID', () => {
    // given an instance id in slot 0xa7
    const instanceId = idInSlot(0xa7);
    // when ids are made beside it
    const ids = Array.from({ length: 50 }, () => idBesides(instanceId));
    // then they share its slot, differ from each other and stay version 4 UUIDs
    expect(slotOf(instanceId)).toBe(0xa7);
    expect(ids.every((id) => slotOf(id) === 0xa7 && V4.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(50);
  });

  it('has no slot for what is not a UUID', () => {
    expect(slotOf('not-a-uuid')).toBeNull();
    expect(slotOf('')).toBeNull();
    expect(V4.test(idBesides('legacy-id'))).toBe(true);
  });
});
