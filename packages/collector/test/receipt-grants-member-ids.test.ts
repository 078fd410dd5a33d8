import { afterEach, describe, expect, it } from 'vitest';
import { grantsInEffect, type ReceiptChoices } from '../src/receipt-grants.js';

const policy = {
  purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing', gpc: true }],
  version: '1',
  hash: 'h1',
};

/** A proved receipt granting analytics and marketing, with `members` overrides. */
const receipt = (members: ReceiptChoices['members']): ReceiptChoices => ({
  purposes: { necessary: true, analytics: true, marketing: true },
  members,
  policy: { version: '1', hash: 'h1' },
  gpc: false,
});

describe("grantsInEffect: a Member's refusal under an id that Object.prototype also has", () => {
  const analyticsOfObject = Object.getOwnPropertyDescriptor(Object, 'analytics');
  afterEach(() => {
    if (!analyticsOfObject) Reflect.deleteProperty(Object, 'analytics');
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    "keeps the refusal of Member %s in `members` and touches no built-in",
    (id) => {
      const refusal: Record<string, Record<string, boolean>> = {};
      Object.defineProperty(refusal, id, { value: { analytics: false }, enumerable: true });
      const { members, purposes } = grantsInEffect([receipt(refusal)], {
        mode: 'opt-in',
        policy,
        memberIds: [id, 'HarvardX'],
        proved: () => true,
      });
      expect(purposes).toEqual({ necessary: true, analytics: true, marketing: true });
      expect(Object.hasOwn(members, id)).toBe(true);
      expect(members[id]).toEqual({ analytics: false });
      expect(Object.keys(members)).toEqual([id]);
      expect(JSON.parse(JSON.stringify({ members })).members).toEqual(JSON.parse(`{"${id}":{"analytics":false}}`));
      expect(Object.getOwnPropertyDescriptor(Object, 'analytics')).toBe(analyticsOfObject);
      expect(Object.getPrototypeOf(members)).toBe(Object.prototype);
    },
  );
});
