/**
 * The keys of an event's `context` a Member is given, and of each object the fields it is given
 * (text, numbers and booleans only): the event's own page title, language and time zone, and what
 * the sending library, native app and device are. Nothing else: a client adds to `context` what is
 * not the Member's (Segment's `referrer`, the `url` of `page`, a `campaign`, RudderStack's copy of
 * the learner's identify `traits`, the platform's touches in `attribution`, a device's push `token`).
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
 * The part of an event's `context` a Member is given, by the collector (`@optin/collector`) and by
 * a Member's tracker in the browser (`@optin/members`) alike: its page's title, language, time
 * zone, library, app, OS, device and screen ({@link memberContext}), as own properties only, and of
 * them text, numbers and booleans, but text that `keeps` refuses (that names another's course).
 *
 * @example contextForMember({ locale: 'fr', page: { title: 'Home', url: '/x' }, traits: {} }, () => true)
 * // { page: { title: 'Home' }, locale: 'fr' }
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
