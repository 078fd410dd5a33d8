import type { MessageType, SegmentMessage } from './segment-schema.js';

// A hand-written twin of the message schemas in `segment-schema.ts` for the common case, three to
// four times cheaper than zod on the ingestion hot path. It only ever vouches for a value zod
// accepts, and then returns what zod would: a copy with each object's declared keys first (in
// declaration order) and its other keys after, records copied key by key, `__proto__` keys
// dropped. Anything it is not sure about (a time not in `toISOString` form, an unusual prototype,
// an invalid value) makes it give up, and zod decides, with zod's own error messages. The test
// suite checks both agree.

/** Returned by a field parser that cannot vouch for its value. */
const giveUp: unique symbol = Symbol('give up');

// The parsed value, or `giveUp`.
type FieldParser = (value: unknown) => unknown;
type Json = Record<string, unknown>;

interface Field {
  readonly parse: FieldParser;
  readonly optional: boolean;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
// What JSON.parse and object spreads produce; zod's record checks `isPlainObject`, which they pass.
const isPlainObject = (v: unknown): v is Json => isObject(v) && Object.getPrototypeOf(v) === Object.prototype;

const string =
  (min: number, max: number): FieldParser =>
  (v) =>
    typeof v === 'string' && v.length >= min && v.length <= max ? v : giveUp;
const shortString = string(0, 200);
const id = string(1, 200);
// `Date#toISOString` form of a real time (years 0000-9999): always within `z.iso.datetime` and its
// refine.
const isoTimeForm = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const isoTime: FieldParser = (v) => {
  if (typeof v !== 'string' || !isoTimeForm.test(v)) return giveUp;
  const day = Number(v.slice(8, 10));
  if (day <= 28) return v;
  const month = Number(v.slice(5, 7));
  const days =
    month === 2
      ? isLeapYear(Number(v.slice(0, 4)))
        ? 29
        : 28
      : month === 4 || month === 6 || month === 9 || month === 11
        ? 30
        : 31;
  return day <= days ? v : giveUp;
};
const unknownValue: FieldParser = (v) => v;
const nonNegativeInt: FieldParser = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? v : giveUp);
const userId: FieldParser = (v) => (id(v) !== giveUp || Number.isSafeInteger(v) ? v : giveUp);

const required = (parse: FieldParser): Field => ({ parse, optional: false });
const optional = (parse: FieldParser): Field => ({ parse, optional: true });

/** `z.record(key, value)` on a plain object: a key-by-key copy. */
const record =
  (keyMin: number, keyMax: number, value: FieldParser): FieldParser =>
  (v) => {
    if (!isPlainObject(v)) return giveUp;
    const out: Json = {};
    for (const key in v) {
      if (key === '__proto__' || key.length < keyMin || key.length > keyMax) return giveUp;
      const parsed = value(v[key]);
      if (parsed === giveUp) return giveUp;
      out[key] = parsed;
    }
    return out;
  };
const jsonRecord = record(0, Infinity, unknownValue);
const boolean: FieldParser = (v) => (typeof v === 'boolean' ? v : giveUp);

/**
 * `z.looseObject(shape)`: declared keys first, in order, then the others as they are. Compiled per
 * shape, as zod itself does: constant property names keep V8's property lookups monomorphic.
 */
const looseObject = (shape: Readonly<Record<string, Field>>): FieldParser => {
  const keys = Object.keys(shape);
  const fields = keys.map((key) => shape[key] as Field);
  const steps = keys.map((key, i) => {
    const k = JSON.stringify(key);
    const absent = fields[i]?.optional ? `if (${k} in input) out[${k}] = undefined;` : 'return giveUp;';
    return `v = input[${k}];
      if (v === undefined) { ${absent} }
      else { p = fields[${i}].parse(v); if (p === giveUp) return giveUp; out[${k}] = p; }`;
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code built from this file's own shapes only
  const compiled = new Function(
    'fields',
    'giveUp',
    'declared',
    `return function looseObject(input) {
      const out = {};
      let v, p;
      ${steps.join('\n')}
      for (const key in input) if (!declared.has(key) && key !== '__proto__') out[key] = input[key];
      return out;
    };`,
  ) as (fields: readonly Field[], stop: typeof giveUp, declared: ReadonlySet<string>) => (input: Json) => unknown;
  const parse = compiled(fields, giveUp, new Set(keys));
  return (v) => (isObject(v) ? parse(v) : giveUp);
};

const union =
  (...options: FieldParser[]): FieldParser =>
  (v) => {
    for (const option of options) {
      const parsed = option(v);
      if (parsed !== giveUp) return parsed;
    }
    return giveUp;
  };

const purpose = string(1, 64);
const purposes: FieldParser = (v) => {
  if (!Array.isArray(v) || v.length > 16) return giveUp;
  const out: unknown[] = [];
  for (const item of v as unknown[]) {
    const parsed = purpose(item);
    if (parsed === giveUp) return giveUp;
    out.push(parsed);
  }
  return out;
};

const consentFields = {
  policy: optional(
    union(
      shortString,
      looseObject({ id: required(shortString), version: optional(shortString), hash: optional(shortString) }),
    ),
  ),
  categoryPreferences: required(record(1, 64, boolean)),
  members: optional(record(1, 64, record(1, 64, boolean))),
  // As the schema's `.catch(undefined)`: any other value is no stamp.
  gpc: optional((v) => (typeof v === 'boolean' ? v : undefined)),
};

// The declared keys of `contextSchema`, in its order.
const contextFields = {
  consent: optional(looseObject(consentFields)),
  course: optional(looseObject({ id: optional(string(1, 400)), org: optional(string(1, 128)) })),
  session: optional(looseObject({ id: required(id), seq: optional(nonNegativeInt) })),
  page: optional(
    looseObject({
      path: optional(string(0, 4096)),
      url: optional(string(0, 8192)),
      referrer: optional(string(0, 8192)),
      search: optional(string(0, 8192)),
      title: optional(string(0, 2000)),
    }),
  ),
  campaign: optional(jsonRecord),
  userAgent: optional(string(0, 2000)),
  ip: optional(string(0, 64)),
  locale: optional(shortString),
  app: optional(jsonRecord),
  library: optional(jsonRecord),
  purposes: optional(purposes),
} as const;

const literal =
  (expected: string): FieldParser =>
  (v) =>
    v === expected ? v : giveUp;

const common = {
  messageId: optional(id),
  anonymousId: optional(id),
  userId: optional(userId),
  timestamp: optional(isoTime),
  originalTimestamp: optional(isoTime),
  sentAt: optional(isoTime),
  context: optional(looseObject(contextFields)),
  integrations: optional(jsonRecord),
};

// The declared keys of each message schema, in its order.
const messageFields = {
  track: { ...common, type: required(literal('track')), event: required(id), properties: optional(jsonRecord) },
  page: {
    ...common,
    type: required(literal('page')),
    name: optional(shortString),
    category: optional(shortString),
    properties: optional(jsonRecord),
  },
  screen: {
    ...common,
    type: required(literal('screen')),
    name: optional(shortString),
    category: optional(shortString),
    properties: optional(jsonRecord),
  },
  identify: { ...common, type: required(literal('identify')), traits: optional(jsonRecord) },
} as const;

const parsers = {
  track: looseObject(messageFields.track),
  page: looseObject(messageFields.page),
  screen: looseObject(messageFields.screen),
  identify: looseObject(messageFields.identify),
};

/**
 * Parses a message of `type` the way its zod schema (`messageSchemas[type]`) would, when that is
 * quick to be sure of: returns zod's output, or `undefined` when the message is not the plain,
 * valid common case (then zod must parse it, and explain any error).
 */
export function fastParseMessage(type: MessageType, candidate: unknown): SegmentMessage | undefined {
  const parsed = parsers[type](candidate);
  if (parsed === giveUp) return undefined;
  const message = parsed as Json;
  // The schemas' refinement: a message must say who it is about.
  if (message.anonymousId === undefined && message.userId === undefined) return undefined;
  return message as SegmentMessage;
}
