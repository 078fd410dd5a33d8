import type { StoredEvent } from './stored-event.js';

/** A Member's event as the Member is given it: every field but `keptFrom`. */
export type MemberFacingEvent = Omit<StoredEvent, 'keptFrom'>;

/**
 * A Member's event as its outputs give it (`/v1/members/:member/events`, the Member's JetStream
 * subject): without `keptFrom`, which names the Member an event stored for the platform alone was
 * kept from, and so is `null` on every Member's event (the loader refuses a message with both).
 */
export function memberFacingEvent(event: StoredEvent): MemberFacingEvent {
  const facing: Partial<Record<keyof StoredEvent, unknown>> = { ...event };
  delete facing.keptFrom;
  return facing as MemberFacingEvent;
}
