/**
 * 32 hex digits (128 bits, like Open edX session ids): message, session and anonymous ids. Works
 * outside secure contexts too. `timeOrdered` ids (message ids) start with the time in milliseconds
 * (48 bits, then 80 random bits, as UUIDv7 does), so a collector's unique index on them grows at its
 * end instead of at random places: several times cheaper to insert into SQLite or PostgreSQL.
 */
export function randomId(timeOrdered?: boolean): string {
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');
  return timeOrdered ? Date.now().toString(16).padStart(12, '0') + hex.slice(12) : hex;
}
