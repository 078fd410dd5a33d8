/**
 * What a value a config threw (or rejected with) is, each part read once and never throwing: a
 * getter that throws, a Proxy whose every trap throws (itself, even), or a `message` that is a
 * Symbol make no error of their own, which would come back to optin's own error handling.
 */
export interface Thrown {
  /** Whether it is an `Error` (`instanceof`; `false` when that throws). */
  readonly error: boolean;
  /** Its `name`, when that is a string (`SyntaxError`). */
  readonly name: string | undefined;
  /**
   * What it says, in words: an Error's `message` (as text when it is no string: `42`,
   * `Symbol(sym)`; its name, or `Error`, when it cannot be read), else the value as text (`null`,
   * `[object Object]` for an object without a prototype or one that throws as it is read).
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
  const error = isInstance(value, Error);
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
  } else message = asText(value);
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
