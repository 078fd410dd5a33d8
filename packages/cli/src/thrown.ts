import { types } from 'node:util';

/**
 * What a value a config threw (or rejected with) is, each part read once and never throwing: a
 * getter that throws, a Proxy whose every trap throws (itself, even), or a `message` that is a
 * Symbol make no error of their own, which would come back to optin's own error handling.
 */
export interface Thrown {
  /** Whether it is an `Error` (`instanceof`, or one of another realm; `false` when that throws). */
  readonly error: boolean;
  /** Its `name`, when that is a string (`SyntaxError`). */
  readonly name: string | undefined;
  /**
   * What it says, in words: an Error's `message` (as text when it is no string: `42`,
   * `Symbol(sym)`; its name, or `Error`, when it cannot be read), else what the value is
   * ({@link shown}: `null`, `the number 42`, `the object { code: "X" }`, `a Proxy`).
   */
  readonly message: string;
  /** Its `code` (Node's `EACCES`), or `undefined`. */
  readonly code: unknown;
  /** Its `issues` (an error of one of our packages), or `undefined`. */
  readonly issues: unknown;
  /** Its stack, when that is a string. */
  readonly stack: string | undefined;
}

/** `value[key]`, or `undefined` when `value` is no object or the read throws. */
export function read(value: unknown, key: PropertyKey): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `value instanceof type`, `false` when that throws (a Proxy whose `getPrototypeOf` throws). */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** `value` as text, whatever it is (`[object Object]` when even that throws). */
export function asText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '[object Object]';
  }
}

const described = new WeakMap<object, Thrown>();

/** What `value` is ({@link Thrown}), read once: a getter of the config's runs once, whoever asks. */
export function describe(value: unknown): Thrown {
  const isObject = value !== null && (typeof value === 'object' || typeof value === 'function');
  const known = isObject ? described.get(value) : undefined;
  if (known) return known;
  // An Error of another realm (`vm`) is no `instanceof Error`, but one all the same.
  const error = isInstance(value, Error) || types.isNativeError(value);
  const name = read(value, 'name');
  let message: string;
  if (error) {
    let said: unknown;
    let readable = true;
    try {
      said = value.message;
    } catch {
      readable = false;
    }
    message =
      typeof said === 'string'
        ? said
        : readable && said !== undefined
          ? asText(said)
          : typeof name === 'string' && name
            ? name
            : 'Error';
  } else message = shown(value);
  const stack = read(value, 'stack');
  const thrown: Thrown = {
    error,
    name: typeof name === 'string' ? name : undefined,
    message,
    code: read(value, 'code'),
    issues: read(value, 'issues'),
    stack: typeof stack === 'string' ? stack : undefined,
  };
  if (isObject) described.set(value, thrown);
  return thrown;
}

/** `text`, cut to `max` characters (`…` where it was cut). */
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * What `target` holds as its own `key`, when that is a value (never a getter run, nor a Proxy trap),
 * in a list of one (a value may be `undefined`), else none.
 */
function own(target: unknown, key: PropertyKey): unknown[] {
  if (target === null || (typeof target !== 'object' && typeof target !== 'function') || types.isProxy(target))
    return [];
  const property = Object.getOwnPropertyDescriptor(target, key);
  // Read only as the descriptor's own `value`: a getter on Object.prototype.value is never run.
  return property && Object.hasOwn(property, 'value') ? [property.value] : [];
}

/** A property's value as {@link shown} lists it: a primitive as itself, anything else by its kind. */
function brief(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(cut(value, 60));
  if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
    return `${cut(String(value), 40)}${typeof value === 'bigint' ? 'n' : ''}`;
  if (types.isProxy(value)) return '[Proxy]';
  return typeof value === 'function' ? '[function]' : Array.isArray(value) ? '[array]' : '[object]';
}

/** The own `name` of the function `fn`, when it holds one as a string, else `undefined`. */
function nameOf(fn: unknown): string | undefined {
  const [name] = typeof fn === 'function' ? own(fn, 'name') : [];
  return typeof name === 'string' && name ? cut(name, 40) : undefined;
}

/**
 * What `value`, thrown and no `Error`, is, in words: `null`, `undefined`, `the number 42`, `the
 * string "no secret"`, `the symbol Symbol(sym)`, `the object { code: "X", message: "y" }`, `an
 * object with no prototype {}`, `a Vault { a: 1 }`, `an array of 7 [1, 2, 3, 4, … 3 more]`, `the
 * function check`, `a Proxy`. Read without running any code of the config's (no getter, `toString`
 * or Proxy trap: a Proxy is not looked into), so that it never throws; at most 4 properties, each
 * cut short, so that it stays one line.
 */
export function shown(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the string ${JSON.stringify(cut(value, 120))}`;
  if (typeof value !== 'object' && typeof value !== 'function') return `the ${typeof value} ${brief(value)}`;
  if (types.isProxy(value)) return 'a Proxy';
  if (typeof value === 'function') return `the function ${nameOf(value) ?? '(anonymous)'}`;
  const proto: unknown = Object.getPrototypeOf(value);
  const array = Array.isArray(value);
  const name = proto === null || array ? undefined : nameOf(own(proto, 'constructor')[0]);
  const kind =
    proto === null
      ? 'an object with no prototype'
      : array
        ? `an array of ${String(value.length)}`
        : proto === Object.prototype
          ? 'the object'
          : name
            ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`
            : 'an object';
  // An array, a typed array or a boxed string may have millions of indices: only the first are read.
  const count = array ? value.length : types.isTypedArray(value) || types.isBoxedPrimitive(value) ? 0 : undefined;
  const keys =
    count === undefined ? Object.keys(value) : Array.from({ length: Math.min(count, 5) }, (_, i) => String(i));
  const total = count ?? keys.length;
  const entries = keys.slice(0, 4).map((key) => {
    const held = own(value, key);
    const said = held.length ? brief(held[0]) : array ? 'empty' : '[getter]';
    return array ? said : `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(cut(key, 40))}: ${said}`;
  });
  if (total > 4) entries.push(`… ${String(total - 4)} more`);
  return array ? `${kind} [${entries.join(', ')}]` : `${kind} {${entries.length ? ` ${entries.join(', ')} ` : ''}}`;
}
