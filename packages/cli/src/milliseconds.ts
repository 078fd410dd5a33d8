import { CliError } from './errors.js';

/**
 * Reads a duration option (`--wait 2000`): whole milliseconds from `min` to `max`. Anything else
 * (`''`, `1.5`, `2s`, `-1`, past `max`) is a {@link CliError} `invalid_argument` at `option` that
 * names the range and the option's default.
 */
export function milliseconds(
  option: string,
  text: string,
  [min, max]: readonly [number, number],
  fallback: string,
): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (ms >= min && ms <= max) return ms;
  throw new CliError(
    'invalid_argument',
    [
      {
        path: option,
        message: `"${text}" is not a whole number of milliseconds from ${String(min)} to ${String(max)}`,
      },
    ],
    `Use ${String(min)} to ${String(max)} (default ${fallback}).`,
  );
}
