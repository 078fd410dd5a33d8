type Tree = Readonly<Record<string, unknown>>;

/**
 * A consent stamp (`context.consent`: its `categoryPreferences`, Member overrides `members` and
 * `gpc`) as it is `now`, never wider than it `was` when the message was recorded: a `false` in either
 * is `false` (a purpose refused, for everyone or for one Member, since the message was recorded, or
 * refused then and granted again since), anything else is `now`'s value. What the message `was`
 * stamped with can only take away (a damaged stored queue's too: never a grant `now` does not make).
 *
 * @example narrow({ categoryPreferences: { analytics: true }, members: {} }, { members: { HarvardX: { analytics: false } } })
 * // { categoryPreferences: { analytics: true }, members: { HarvardX: { analytics: false } } }
 */
export const narrow = (now: unknown, was: unknown): unknown =>
  // What a message `was` stamped with narrows it as any object (of this realm or another, a frame's store's,
  // with a prototype or without); where it holds none, `now` is kept as it is. Both are read by their own
  // properties only: a value inherited from a polluted Object.prototype (`marketing: true`) is none.
  now instanceof Object || Object(was) === was
    ? Object.fromEntries(
        Object.keys({ ...(was as Tree), ...(now as Tree) }).map((k) => [
          k,
          narrow({ __proto__: null, ...(now as Tree) }[k], { __proto__: null, ...(was as Tree) }[k]),
        ]),
      )
    : was !== false && now; // (`now` itself when it is false)
