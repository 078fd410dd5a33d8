import { CliError, type CliIssue } from './errors.js';
import { describe, isInstance } from './thrown.js';

/** What the command answers: its words (or JSON) on stdout and stderr, and its exit code. */
export interface Answer {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * A problem as the words on stdout and stderr show it: `  members[1].orgs[0] [already_owned]: …`,
 * with the call that threw it when it was thrown as the config was imported (`… at optin.config.mjs:12:5: …`).
 */
export const line = (i: CliIssue): string =>
  `  ${i.path || '(config)'}${i.code ? ` [${i.code}]` : ''}${i.at ? ` at ${i.at}` : ''}: ${i.message}`;

/**
 * `error` as `command` answers it: a config's problems as `validate` lists them, else `error <code>`
 * on stderr, and with `json` the same error as JSON on stdout, `{ "error": { code, issues, hint } }`,
 * whatever was thrown: an error that is no {@link CliError} (one optin did not expect) is
 * `internal_error`, exit 2, with its message. Never an error of its own.
 */
export function toAnswer(error: unknown, command: string | undefined, json: boolean): Answer {
  const thrown = describe(error);
  const known = isInstance(error, CliError)
    ? error
    : new CliError(
        'internal_error',
        [
          {
            path: command ?? 'optin',
            message: thrown.error ? thrown.message : `threw ${thrown.message}, not an Error`,
          },
        ],
        'optin failed on an error it did not expect: run the command again, and report it with this message if it fails the same way.',
      );
  if (command === 'validate' && known.code === 'invalid_config')
    return json
      ? {
          stdout: `${JSON.stringify({ valid: false, problems: known.issues, hint: known.hint }, null, 2)}\n`,
          stderr: '',
          code: 1,
        }
      : {
          stdout: `✗ ${known.issues.length} problem(s)\n${known.issues.map(line).join('\n')}\n${known.hint}\n`,
          stderr: '',
          code: 1,
        };
  return {
    stdout: json
      ? `${JSON.stringify({ error: { code: known.code, issues: known.issues, hint: known.hint } }, null, 2)}\n`
      : '',
    stderr: `error ${known.code}\n${known.issues.map(line).join('\n')}\n${known.hint}\n`,
    // A config with problems is 1 for every command, as `validate` answers it.
    code: known.code === 'invalid_config' ? 1 : 2,
  };
}
