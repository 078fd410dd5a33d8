/**
 * What two cookie declarations (exact names or RegExp families) have in common: `name`, a cookie
 * name both match; or, when a pattern has constructs that cannot be sampled (a lookaround, a
 * back-reference), `prefix`, the literal head both begin with, and `unsampled`, that pattern: they
 * may name the same cookie. `null` when no shared cookie was found.
 */
export type CookieOverlap = { readonly name: string } | { readonly prefix: string; readonly unsampled: RegExp } | null;

/** `pattern` without the `g` and `y` flags, whose `test` would otherwise depend on earlier calls. */
const stateless = (pattern: RegExp): RegExp => new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));

// At most this many names are sampled from a pattern (and from each of its parts), and no repeat
// count above `maxRepeat` is sampled: a pattern asking for more is one that cannot be sampled.
const maxSamples = 64;
const maxRepeat = 256;
// Characters tried, in order, for a class or escape whose first member could not be read.
const candidates = [
  'a',
  '0',
  '_',
  '-',
  '.',
  'A',
  ...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)),
  ' ',
  'é',
];

const cap = (names: string[]): string[] => names.slice(0, maxSamples);

/**
 * Names a pattern matches, built from its source: the first member of each class (`\d` → `0`,
 * `\w` → `a`, `[0-9]` → `0`), or with `every` each of its members among the printable ASCII
 * characters (`[ac]` → `a`, `c`), the least repeats of each quantifier (`+`, `{n,}`: n), both none and
 * one for `?`, `*` and `{0,…}`, and each branch of an alternation; each checked against the pattern,
 * at most 64 names. `undefined` when the pattern has what cannot be sampled (a lookaround, a
 * back-reference) or no sample of it matches.
 */
export function sampleNames(pattern: RegExp, every = false): string[] | undefined {
  const src = pattern.source;
  const flags = pattern.flags.replace(/[gy]/g, '');
  const unicode = /[uv]/.test(flags);
  let i = 0;

  // One character an atom (a class, an escape, `.`) matches: `preferred` when it does, else the
  // first of `candidates` that does; with `every`, each of them that does, `preferred` first.
  const pick = (atom: string, preferred: string): string[] | undefined => {
    let one: RegExp;
    try {
      one = new RegExp(`^(?:${atom})$`, flags);
    } catch {
      return undefined;
    }
    const tried = [preferred, ...candidates];
    const found = every ? [...new Set(tried)].filter((c) => one.test(c)) : tried.filter((c) => one.test(c)).slice(0, 1);
    return found.length ? found : undefined;
  };
  // The character an escape after `\` stands for, first member of a class escape, or `undefined`
  // for a back-reference; advances past it.
  const escape = (): string | undefined => {
    const c = src[i] ?? '';
    const hex = (length: number) => {
      const digits = src.slice(i + 1, i + 1 + length);
      if (!/^[0-9A-Fa-f]+$/.test(digits) || digits.length < length) {
        i++;
        return c; // `\x` without its digits: the letter itself
      }
      i += length + 1;
      return String.fromCodePoint(parseInt(digits, 16));
    };
    if (/[1-9]/.test(c) || (c === 'k' && src[i + 1] === '<')) return undefined;
    if (c === 'x') return hex(2);
    if (c === 'u' && unicode && src[i + 1] === '{') {
      const end = src.indexOf('}', i);
      const point = parseInt(src.slice(i + 2, end), 16);
      i = end + 1;
      return String.fromCodePoint(point);
    }
    if (c === 'u') return hex(4);
    if ((c === 'p' || c === 'P') && unicode && src[i + 1] === '{') {
      i = src.indexOf('}', i) + 1;
      return 'a';
    }
    if (c === 'c' && /[A-Za-z]/.test(src[i + 1] ?? '')) {
      i += 2;
      return String.fromCharCode(src.charCodeAt(i - 1) % 32);
    }
    i++;
    const known: Record<string, string> = {
      d: '0',
      D: 'a',
      w: 'a',
      W: '-',
      s: ' ',
      S: 'a',
      n: '\n',
      r: '\r',
      t: '\t',
      f: '\f',
      v: '\v',
      0: '\0',
      b: '',
      B: '',
    };
    return known[c] ?? c;
  };

  const classAtom = (): string[] | undefined => {
    const start = i;
    i++; // [
    const negated = src[i] === '^';
    if (negated) i++;
    let preferred = '';
    if (!negated && src[i] !== ']') {
      if (src[i] === '\\') {
        i++;
        preferred = escape() ?? '';
        i = start + 1;
      } else preferred = String.fromCodePoint(src.codePointAt(i) ?? 0);
    }
    // The end of the class: `]` outside escapes (and nested classes under the `v` flag).
    let depth = 0;
    for (i = start + 1 + (negated ? 1 : 0); i < src.length; i++) {
      if (src[i] === '\\') i++;
      else if (src[i] === '[' && flags.includes('v')) depth++;
      else if (src[i] === ']' && depth-- === 0) break;
    }
    i++;
    return pick(src.slice(start, i), preferred);
  };

  const atom = (): string[] | undefined => {
    const c = src[i] ?? '';
    if (c === '(') {
      if (src.startsWith('(?:', i)) i += 3;
      else if (/^\(\?<[^=!]/.test(src.slice(i, i + 4))) i = src.indexOf('>', i) + 1;
      else if (src[i + 1] === '?')
        return undefined; // a lookaround or a modifier
      else i++;
      const inner = alternation();
      i++; // )
      return inner;
    }
    if (c === '[') return classAtom();
    if (c === '\\') {
      const start = i++;
      const preferred = escape();
      if (preferred === undefined) return undefined;
      return preferred === '' ? [''] : pick(src.slice(start, i), preferred);
    }
    i++;
    if (c === '^' || c === '$') return [''];
    if (c === '.') return pick('.', 'a');
    const point = String.fromCodePoint(src.codePointAt(i - 1) ?? 0);
    i += point.length - 1;
    return [point];
  };

  // The repeat counts sampled for the quantifier at `i` (none: [1]); `undefined` for too many.
  const quantifier = (): number[] | undefined => {
    const c = src[i];
    let counts: number[] = [1];
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (c === '*' || c === '?') counts = [0, 1];
    else if (c === '+') counts = [1];
    else if (braces) {
      const min = Number(braces[1]);
      const max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity;
      counts = min === 0 ? (max > 0 ? [0, 1] : [0]) : [min];
      i += braces[0].length - 1;
    } else return counts;
    i++;
    if (src[i] === '?') i++; // lazy: the same counts
    return counts.every((n) => n <= maxRepeat) ? counts : undefined;
  };

  const sequence = (): string[] | undefined => {
    let names = [''];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const one = atom();
      const counts = quantifier();
      if (!one || !counts) return undefined;
      const options = counts.flatMap((n) => one.map((s) => s.repeat(n)));
      names = cap(names.flatMap((head) => options.map((tail) => head + tail)));
    }
    return names;
  };

  const alternation = (): string[] | undefined => {
    const names: string[] = [];
    for (;;) {
      const branch = sequence();
      if (!branch) return undefined;
      names.push(...branch);
      if (src[i] !== '|') return cap(names);
      i++;
    }
  };

  const test = stateless(pattern);
  const names = alternation()?.filter((name) => test.test(name));
  return names?.length ? [...new Set(names)] : undefined;
}

// Each pattern's samples (every member of each class: `[ac]` and `[bc]` share `c`) and stateless copy,
// made once: a config's cookies are compared in pairs.
const seen = new WeakMap<RegExp, { names?: string[] | undefined; test: RegExp; head: string }>();
const sampled = (pattern: RegExp) => {
  let known = seen.get(pattern);
  if (!known) seen.set(pattern, (known = { test: stateless(pattern), head: fixedHead(pattern) }));
  return known;
};
// A pattern's samples, made when first needed (most pairs differ by their heads already); a pattern
// ignoring case, each in lower and upper case too (`/^_PK_ID\./i` names `_pk_id.` of `/^_pk_id\./`).
const namesOf = (pattern: RegExp) => {
  const known = sampled(pattern);
  if (!('names' in known)) {
    const names = sampleNames(pattern, true);
    known.names =
      names && pattern.flags.includes('i')
        ? [...new Set(names.flatMap((n) => [n, n.toLowerCase(), n.toUpperCase()]))].filter((n) => known.test.test(n))
        : names;
  }
  return known.names;
};

/**
 * The literal head of a declaration: a name itself, or what a pattern's names begin with before
 * any class, group, quantified character or alternative (`/^_pk_id\.(?=\d)/` → `_pk_id.`).
 */
function literalHead(name: string | RegExp): string {
  if (typeof name === 'string') return name;
  const head = /^\^?((?:\\[^A-Za-z0-9]|[^\\.*+?()[\]{}|^$])*)(.?)/.exec(name.source);
  const text = (head?.[1] ?? '').replace(/\\(.)/g, '$1');
  // A last character made optional or repeated by a quantifier is no part of every name.
  return /[*?{]/.test(head?.[2] ?? '') ? text.slice(0, -1) : text;
}

/**
 * The text every name of a declaration begins with: a name itself, or the literal head of a pattern
 * anchored at `^`; none (`''`) for a pattern with an alternative, or ignoring case, or multiline.
 */
const fixedHead = (name: string | RegExp): string =>
  typeof name === 'string'
    ? name
    : name.source.startsWith('^') && !/[im]/.test(name.flags) && !name.source.includes('|')
      ? // Without half of a character made optional (`/^x😀?/u`: literalHead leaves its first half).
        literalHead(name).replace(/[\uD800-\uDBFF]$/, '')
      : '';

/**
 * Whether two cookie declarations could name the same cookie, and what they share: equal names, a
 * name a pattern matches, or a pattern's sample name (see {@link sampleNames}, with every member of
 * each class among the printable ASCII characters) the other matches,
 * tried both ways round. When a pattern cannot be sampled, they overlap only if both begin with the
 * same literal head (compared without case when either pattern ignores it).
 */
export function cookieOverlap(a: string | RegExp, b: string | RegExp): CookieOverlap {
  // Heads that differ (`hx_` and `mx_`) share no name: nothing to sample.
  const [headA, headB] = [a, b].map((x) => (typeof x === 'string' ? x : sampled(x).head)) as [string, string];
  if (!headA.startsWith(headB) && !headB.startsWith(headA)) return null;
  const names = (x: string | RegExp) => (typeof x === 'string' ? [x] : namesOf(x));
  const matches = (x: string | RegExp, name: string) =>
    typeof x === 'string' ? x === name : sampled(x).test.test(name);
  const [ofA, ofB] = [names(a), names(b)];
  const name = ofA?.find((n) => matches(b, n)) ?? ofB?.find((n) => matches(a, n));
  if (name !== undefined) return { name };
  const unsampled = ofA ? (ofB ? undefined : b) : a;
  if (!(unsampled instanceof RegExp)) return null;
  const caseless = [a, b].some((x) => x instanceof RegExp && x.flags.includes('i'));
  const [x, y] = [literalHead(a), literalHead(b)].map((h) => (caseless ? h.toLowerCase() : h)) as [string, string];
  const prefix = x.length < y.length ? x : y;
  return prefix && (x.startsWith(y) || y.startsWith(x)) ? { prefix, unsampled } : null;
}
