/**
 * `object[key]` when it is `object`'s own property, else `undefined`: never a value inherited from a
 * polluted `Object.prototype` (what `?__proto__[marketing]=on` makes of a page's query parser), so
 * that no inherited value is ever read as a choice, a flag or an option.
 */
export const own = <O extends object, K extends keyof O>(object: O, key: K): O[K] | undefined =>
  Object.hasOwn(object, key) ? object[key] : undefined;
