/** 32 random hex digits (128 bits, like Open edX session ids): message, session and anonymous ids. Works outside secure contexts too. */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');
}
