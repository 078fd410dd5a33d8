/**
 * The first `max` UTF-16 code units of `text`, one fewer when the cut would fall between the two
 * halves of a surrogate pair (an emoji, say): a plain `slice` would leave an unpaired surrogate,
 * which PostgreSQL's JSONB refuses. Every length limit the collector applies to text goes through
 * here.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
