/**
 * What `thrown` says in words, whatever a config threw: an Error's message, else the value as text
 * (`null`, `[object Object]` for an object without a prototype), never an error of its own.
 */
export function errorMessage(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return '[object Object]';
  }
}
