/**
 * Whether two option values hold the same: plain data compared by content, functions (locale
 * loaders, a custom storage's methods) by identity or by their source text (`ConsentProvider`
 * compares a custom storage by what it reads besides: see `sameStorage`). Props written inline
 * (`member={{ id, name }}`, `options={{ policy, storage }}`, `locales={{ ...locales, de: () => import('./de.js') }}`)
 * are new objects and functions on every render: taken as changed, they would restart what they
 * configure. Two functions of the same text are taken as the same, unless they read a variable that
 * changed: the page then sets the new value itself.
 */
export function same(a: unknown, b: unknown): boolean {
  if (a === b || (typeof a == 'function' && typeof b == 'function' && String(a) === String(b))) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
