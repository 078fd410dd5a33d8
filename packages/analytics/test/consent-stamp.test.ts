/**
 * A message's consent stamp as it leaves (`narrow`): never wider than when it was recorded, whatever
 * kind of object the store hands out (a frame's, one built without a prototype) and whatever a
 * polluted Object.prototype holds.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { narrow } from '../src/consent-stamp.js';

/** `value` rebuilt in another realm (a same-origin frame's store, say). */
const foreign = (value: object) => runInNewContext(`(${JSON.stringify(value)})`) as object;
/** `value` rebuilt with no prototype at any depth (as Member overrides keyed `__proto__` are built). */
const bare = (value: object) =>
  JSON.parse(JSON.stringify(value), (_, v: unknown) =>
    typeof v == 'object' && v ? Object.assign(Object.create(null) as object, v) : v,
  ) as object;

describe('narrow', () => {
  it('keeps a Member’s refusal when the stamps come from another realm or have no prototype', () => {
    const now = { members: { HarvardX: { analytics: true } } };
    const was = { members: { HarvardX: { analytics: false } } };
    const got = [foreign, bare].map((copy) => narrow(copy(now), copy(was)));
    expect(got).toEqual([was, was]);
  });

  it('Object.prototype.marketing=true: a damaged stamp never reads as marketing granted', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.marketing = true;
    let got: unknown;
    try {
      got = JSON.parse(
        JSON.stringify([
          narrow({ members: { HarvardX: { analytics: true } } }, { members: { HarvardX: { marketing: 1 } } }),
          narrow({ categoryPreferences: { analytics: true } }, { categoryPreferences: { marketing: 'on' } }),
        ]),
      );
    } finally {
      delete proto.marketing;
    }
    expect(got).toEqual([{ members: { HarvardX: { analytics: true } } }, { categoryPreferences: { analytics: true } }]);
  });
});
