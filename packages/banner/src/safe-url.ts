/** The URL as an absolute `http:`/`https:` address, or `null` for anything else (`javascript:`, `data:`, junk). */
export function safeUrl(url: string | null | undefined): string | null {
  try {
    const parsed = new URL(url ?? '');
    return /^https?:$/.test(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
