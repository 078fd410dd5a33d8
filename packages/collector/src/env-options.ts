import { CollectorError } from './errors.js';

/** The environment the CLI reads its settings from. */
export type Env = Readonly<Record<string, string | undefined>>;

const yes = new Set(['1', 'true', 'yes', 'on']);
const no = new Set(['0', 'false', 'no', 'off']);

/**
 * An on/off setting: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off` (any letter case);
 * `fallback` when unset or empty. Anything else is a `CollectorError` `invalid_option` naming the
 * variable: a misspelt `OPTIN_REQUIRE_WRITE_KEY=ture` must not quietly leave the check off.
 */
export function envFlag(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (!value) return fallback;
  if (yes.has(value)) return true;
  if (no.has(value)) return false;
  throw new CollectorError(
    'invalid_option',
    [{ path: name, message: `"${env[name]}" is neither on nor off` }],
    'Write 1 or 0 (true/false, yes/no and on/off work too), or leave it unset for the default.',
  );
}

/**
 * A whole number in `[min, max]`; `fallback` when unset or empty. Anything else is a
 * `CollectorError` `invalid_option` naming the variable.
 */
export function envWholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (n >= min && n <= max) return n;
  throw new CollectorError(
    'invalid_option',
    [{ path: name, message: `"${env[name]}" is not a whole number from ${min} to ${max}` }],
    `Write a whole number from ${min} to ${max}, or leave it unset for the default (${fallback}).`,
  );
}
