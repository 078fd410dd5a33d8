/**
 * The keys of an event's `context` a Member's tracker is given, and of each object the fields it is
 * given (text, numbers and booleans only), as the collector gives a Member (@optin/collector's
 * member-facing-event.ts): the page's title, language and time zone, and what the sending library,
 * native app and device are. Nothing else: a page adds to `context` what is not the Member's (the
 * referrer and URL of `page`, a `campaign`, the learner's `traits`, the platform's touches in
 * `attribution`).
 */
const memberContext: Readonly<Record<string, readonly string[] | null>> = {
  page: ['title'],
  locale: null,
  timezone: null,
  library: ['name', 'version'],
  app: ['name', 'version', 'build', 'namespace'],
  os: ['name', 'version'],
  device: ['type', 'manufacturer', 'model', 'adTrackingEnabled', 'advertisingId'],
  screen: ['width', 'height', 'density', 'innerWidth', 'innerHeight'],
};

/**
 * The part of an event's `context` a Member's tracker is given ({@link memberContext}): its text,
 * numbers and booleans, but text that `keeps` refuses (that names another's course).
 */
export function contextForMember(
  context: Readonly<Record<string, unknown>> | undefined,
  keeps: (text: string) => boolean,
): Record<string, unknown> {
  const isScalar = (value: unknown): boolean =>
    typeof value === 'string' ? keeps(value) : typeof value === 'number' || typeof value === 'boolean';
  const given: Record<string, unknown> = {};
  for (const [key, fields] of Object.entries(memberContext)) {
    const value = context && Object.hasOwn(context, key) ? context[key] : undefined;
    if (fields === null) {
      if (isScalar(value)) given[key] = value;
    } else if (typeof value === 'object' && value !== null) {
      const kept: Record<string, unknown> = {};
      for (const field of fields) {
        const v = Object.hasOwn(value, field) ? (value as Record<string, unknown>)[field] : undefined;
        if (isScalar(v)) kept[field] = v;
      }
      if (Object.keys(kept).length) given[key] = kept;
    }
  }
  return given;
}
