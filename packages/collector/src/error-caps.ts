import { formatPath } from './errors.js';

/** At most this many errors of one message (or receipt) are answered; the rest are counted. */
export const maxErrorsPerMessage = 10;
/** At most this many errors are answered to one request; the rest are counted. */
export const maxErrorsPerResponse = 100;

/** One problem found in an input: where (`path`) and what; `code` for a problem that has one. */
export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly code?: 'reserved_event' | 'too_many_errors';
}

/** An input's problems: the first ones found (as many as were asked for) and how many there are. */
export interface Problems {
  readonly first: readonly Problem[];
  readonly total: number;
}

/** A single problem. */
export const oneProblem = (problem: Problem): Problems => ({ first: [problem], total: 1 });

/**
 * Zod's issues under `prefix` (`batch[3].`), one per path (a value failing two checks, e.g. format
 * and real date, is one problem): the first `keep` kept, the rest only counted.
 */
export function zodProblems(
  error: { readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[] },
  prefix = '',
  keep = maxErrorsPerMessage,
): Problems {
  const paths = new Set<string>();
  const first: Problem[] = [];
  for (const issue of error.issues) {
    const path = `${prefix}${formatPath(issue.path)}`.replace(/\.$/, '');
    if (paths.has(path)) continue;
    paths.add(path);
    if (first.length < keep) first.push({ path, message: issue.message });
  }
  return { first, total: paths.size };
}

/** The entry that stands for `more` problems left out, at `path` (of the input they are in). */
export function tooManyErrors(path: string, more: number, where: string): Problem {
  return {
    path,
    code: 'too_many_errors',
    message: `…and ${more} more error${more === 1 ? '' : 's'}${where}, left out: at most ${maxErrorsPerMessage} errors of a message and ${maxErrorsPerResponse} in all are answered`,
  };
}

/**
 * One input's problems as answered, in at most `room` entries (at least 1): at most
 * {@link maxErrorsPerMessage} of them, then, when some are left out, one `too_many_errors` entry at
 * `path` (the input's) saying how many more there are.
 */
export function answeredProblems(
  problems: Problems,
  path: string,
  room = maxErrorsPerMessage + 1,
  input = 'message',
): Problem[] {
  if (problems.total <= Math.min(maxErrorsPerMessage, room)) return [...problems.first];
  const shown = problems.first.slice(0, Math.min(maxErrorsPerMessage, room - 1));
  return [...shown, tooManyErrors(path, problems.total - shown.length, ` in this ${input}`)];
}
