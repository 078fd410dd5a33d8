import type { MessageType } from './segment-schema.js';

/** One event as it is stored: the validated message, enriched, with no raw IP address. */
export interface StoredEvent {
  /**
   * The message's id (Segment `messageId`, or one the collector made for a message without). A
   * message with the id of a stored one (a retry) is not stored again.
   */
  readonly messageId: string;
  /** The message's own `timestamp` (else `originalTimestamp`, the device's clock) in UTC, `null` when it had none. */
  readonly clientTimestamp: string | null;
  /** `track`, `page`, `screen` or `identify`. */
  readonly type: MessageType;
  /** The track event's name (`edx.ui.lms.link_clicked`), or the page or screen name. */
  readonly event: string | null;
  /**
   * The Member that owns the course the event is about, or `null` for platform events: those about
   * no Member's course, and those about a Member's course that the learner's overrides refused to
   * that Member (the platform-wide choice granting them), stored for the platform alone. Only this
   * field makes an event a Member's: every Member query reads it, never `courseId` or `org`.
   */
  readonly memberId: string | null;
  /**
   * The Member the event was kept from: of an event about a Member's course stored for the platform
   * alone because the learner's overrides refused that Member the event's purpose, that Member (its
   * course's owner as the config had it at ingestion), else `null`. The Member's consent rates count
   * the learner it names (as one not granting it what they refused); nothing else of the Member's
   * reads it. It never makes an event a Member's: never route, join or export by it (no
   * `COALESCE(memberId, keptFrom)`): the events that carry it are exactly those the Member it names
   * must never get. Always `null` when `memberId` is set (the loader refuses a message with both), and
   * left out of a Member's outputs (its `/events`, its JetStream subject).
   */
  readonly keptFrom: string | null;
  /** Segment `anonymousId`. */
  readonly anonymousId: string | null;
  /** Segment `userId`. */
  readonly userId: string | null;
  /**
   * When it happened by the collector's clock (ISO 8601 UTC): the device's `timestamp` (else
   * `originalTimestamp`) corrected for the device clock's skew, `receivedAt − (sentAt − timestamp)`,
   * when the message's or its batch's `sentAt` is after `receivedAt` or two minutes or more before it,
   * as sent when less than a minute before it (so transit times never reorder a session), in part
   * between; the receive time without either. Never after `receivedAt`.
   */
  readonly timestamp: string;
  /** When the collector received it (ISO 8601). */
  readonly receivedAt: string;
  /** Open edX course key, e.g. `course-v1:HarvardX+CS50+2026_T1` (a CCX's `ccx-v1:HarvardX+CS50+2026_T1+ccx@3`). */
  readonly courseId: string | null;
  /** Open edX org, e.g. `HarvardX`. */
  readonly org: string | null;
  /** Session id and the event's order in it. */
  readonly sessionId: string | null;
  /** Position of the event in its session. */
  readonly sessionSeq: number | null;
  /** Page path. */
  readonly path: string | null;
  /** Page URL. */
  readonly url: string | null;
  /** Referrer class: `direct`, `internal`, `search`, `social`, `email` or `external`. */
  readonly referrerClass: string | null;
  /** Referrer host. */
  readonly referrerHost: string | null;
  /** Campaign parameters (`source`, `medium`, `campaign`, ..., click ids). */
  readonly campaign: Readonly<Record<string, string>> | null;
  /** Browser name. */
  readonly browser: string | null;
  /** Browser version. */
  readonly browserVersion: string | null;
  /** Operating system. */
  readonly os: string | null;
  /** Operating system version. */
  readonly osVersion: string | null;
  /** Device type (`desktop`, `mobile`, `tablet`, `bot`, ...). */
  readonly deviceType: string | null;
  /** Native app (`edX/org.edx.mobile`). */
  readonly app: string | null;
  /** Native app version. */
  readonly appVersion: string | null;
  /** Flagged as a bot. */
  readonly isBot: boolean;
  /** The client's IP, anonymised (IPv4 /24, IPv6 /48) unless raw storage is configured. */
  readonly ip: string | null;
  /** ISO country code. */
  readonly country: string | null;
  /** Region. */
  readonly region: string | null;
  /** City. */
  readonly city: string | null;
  /** Autonomous system number. */
  readonly asn: number | null;
  /** Network organisation (ISP). */
  readonly isp: string | null;
  /** The purposes the event needed (and that were granted). */
  readonly purposes: readonly string[];
  /** `properties` (track, page, screen) or `traits` (identify). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The message's `context`, without `ip` (and without `userAgent`, which is parsed above). */
  readonly context: Readonly<Record<string, unknown>>;
}
