import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

// The built binary, run as users run it. `pnpm test` builds every package first.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const exec = promisify(execFile);
const optin = async (...args: string[]) =>
  exec(process.execPath, [cli, ...args], { cwd: fileURLToPath(new URL('./fixtures/', import.meta.url)) }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => error as { code: number; stdout: string; stderr: string },
  );

describe('optin validate', () => {
  test('a sound config passes with a summary', async () => {
    const result = await optin('validate', fixture('optin.config.mjs'));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('✓ valid: policy edx@2026-11, 2 Member(s), 3 tracker(s)\n');
  });

  test('the config in the working directory is found without an argument', async () => {
    const result = await optin('validate');
    expect(result.code).toBe(0);
  });

  test('a broken config lists every problem with its path and exits 1', async () => {
    const result = await optin('validate', fixture('broken.config.mjs'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ \d+ problem\(s\)/);
    expect(result.stdout).toContain('members[1].orgs[0]');
    expect(result.stdout).toContain('members[1].trackers[0].purposes[0]');
  });

  test('a wildcard host over a public suffix is refused with its path: it would declare every site under it', async () => {
    const result = await optin('validate', fixture('wide-host.config.mjs'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ 2 problem\(s\)/);
    expect(result.stdout).toContain(
      'platform.trackers[0].hosts[1] [public_suffix_host]: "*.co.uk" covers every site under the public suffix "co.uk"',
    );
    expect(result.stdout).toContain(
      'members[0].trackers[0].hosts[1] [public_suffix_host]: "*.github.io" covers every site',
    );
    // A vendor's own domain under a public suffix is fine, exact or wildcard.
    expect(result.stdout).not.toContain('hosts[0]');
    expect(result.stdout).not.toContain('hosts[2]');
  });

  test('a wildcard over a public suffix is listed with the schema problems, and a malformed config does not throw', async () => {
    const result = await optin('validate', fixture('wide-and-broken.config.mjs'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('platform.trackers[1].purposes[0] [unknown_purpose]: "telemetry" is not a purpose');
    expect(result.stdout).toContain(
      'platform.trackers[0].hosts[0] [public_suffix_host]: "*.co.uk" covers every site under the public suffix',
    );
    expect(result.stdout).toContain('members[0]');
  });

  test('a config written with defineConfig lists the problems it throws, each with its own path, and one hint', async () => {
    const result = await optin('validate', fixture('defined-broken.config.mjs'));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        '✗ 2 problem(s)',
        `  members[1].orgs[0] [already_owned] at ${fixture('defined-broken.config.mjs')}:6:16: org "harvardx" is already owned by HarvardX: an org belongs to one Member; remove it here or there (a single course run under another Member's org goes in \`courses\`)`,
        `  members[2].name [required] at ${fixture('defined-broken.config.mjs')}:6:16: must be the name learners read`,
        `Fix ${fixture('defined-broken.config.mjs')} at the places listed: each path is in what the call at that line and column was given (a MembersError stopped its import; wildcard hosts over a public suffix are checked once it imports).`,
        '',
      ].join('\n'),
    );
    // So does a tracker declared with defineTracker; and declare fails the same way.
    const tracker = await optin('validate', fixture('defined-tracker-broken.config.mjs'));
    expect(tracker.stdout).toContain(
      `✗ 1 problem(s)\n  trackers.vendor.cookies[0].lifetime [invalid_tracker] at ${fixture('defined-tracker-broken.config.mjs')}:11:7: must be`,
    );
    expect(tracker.stdout).toContain('(a TrackerError stopped its import;');
    const declare = await optin('declare', fixture('defined-broken.config.mjs'));
    expect(declare.code).toBe(1);
    expect(declare.stderr).toMatch(
      /^error invalid_config\n {2}members\[1\]\.orgs\[0\] \[already_owned\] at \S+defined-broken\.config\.mjs:6:16: org "harvardx"/,
    );
  });

  test("a problem inside the policy's or a tracker's own declaration is printed with the code of what is wrong there", async () => {
    const result = await optin('validate', fixture('declarations-broken.config.mjs'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '\n  policy.purposes[5].gcp [unknown_field]: is not a field of a purpose (misspelt? did you mean "gpc"?)\n',
    );
    expect(result.stdout).toContain(
      '\n  platform.trackers[0].cookies[0].lifetime [invalid_lifetime]: must be "session"',
    );
  });

  test('--json prints the result for CI: the summary, or every problem with its path and code, and the same exit codes', async () => {
    const sound = await optin('validate', fixture('optin.config.mjs'), '--json');
    expect(sound.code).toBe(0);
    expect(JSON.parse(sound.stdout)).toEqual({
      valid: true,
      policy: { id: 'edx', version: '2026-11' },
      members: 2,
      trackers: 3,
      problems: [],
    });
    const broken = await optin('validate', fixture('defined-broken.config.mjs'), '--json');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toEqual({
      valid: false,
      problems: [
        {
          path: 'members[1].orgs[0]',
          code: 'already_owned',
          at: `${fixture('defined-broken.config.mjs')}:6:16`,
          message: expect.stringContaining('org "harvardx" is already owned by HarvardX'),
        },
        {
          path: 'members[2].name',
          code: 'required',
          at: `${fixture('defined-broken.config.mjs')}:6:16`,
          message: expect.stringContaining('must be the name learners read'),
        },
      ],
      hint: expect.stringContaining('at the places listed'),
    });
    // Problems validateConfig finds and those only the CLI finds, each with its code; a tracker's
    // declaration that defineTracker threw on as the file was imported, with that package's code.
    const codes = async (name: string) => {
      const result = await optin('validate', fixture(name), '--json');
      expect(result.code).toBe(1);
      const { problems } = JSON.parse(result.stdout) as { problems: { path: string; code: string }[] };
      return problems.map((p) => `${p.path} ${p.code}`);
    };
    expect(await codes('wide-and-broken.config.mjs')).toEqual([
      'platform.trackers[1].purposes[0] unknown_purpose',
      'members[0] invalid_type',
      'members[1].id required',
      'members[1].name required',
      'members[1].orgs required',
      'members[1].trackers invalid_type',
      'platform.trackers[0].hosts[0] public_suffix_host',
    ]);
    expect(await codes('defined-tracker-broken.config.mjs')).toEqual([
      'trackers.vendor.cookies[0].lifetime invalid_tracker',
    ]);
    // Problems inside the policy's or a tracker's own declaration, each with the code of what is wrong there.
    expect(await codes('declarations-broken.config.mjs')).toEqual([
      'policy.purposes[5].gcp unknown_field',
      'policy.purposes[5].id duplicate_id',
      'platform.trackers[0].vendor.privacyUrl invalid_url',
      'platform.trackers[0].cookies[0].lifetime invalid_lifetime',
      'platform.trackers[0].hosts[0] invalid_host',
    ]);
    expect(await codes('named-export.config.mjs')).toEqual([`${fixture('named-export.config.mjs')} no_config_export`]);
    // A config that cannot be found is still an error (exit 2), in JSON on stdout and in words on stderr.
    const missing = await optin('validate', 'nowhere.config.mjs', '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toEqual({
      error: {
        code: 'config_not_found',
        issues: [{ path: expect.stringMatching(/nowhere\.config\.mjs$/), message: 'no such file' }],
        hint: expect.any(String),
      },
    });
    expect(missing.stderr).toContain('error config_not_found');
  });

  test('a missing file is a clear error with exit 2, whose hint gives the config as the command takes it', async () => {
    const result = await optin('validate', 'nowhere.config.mjs');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error config_not_found');
    expect(result.stderr).toContain('nowhere.config.mjs: no such file');
    // validate and declare take the config as their argument, audit as --config (--help, the README).
    expect(result.stderr).toContain('optin validate path/to/optin.config.mjs');
    expect(result.stderr).not.toContain('--config');
    const declare = await optin('declare', 'nowhere.config.mjs');
    expect(declare.stderr).toContain('optin declare path/to/optin.config.mjs');
    expect(declare.stderr).not.toContain('--config');
    const audit = await optin('audit', 'http://127.0.0.1:9/', '--config', 'nowhere.config.mjs');
    expect(audit.code).toBe(2);
    expect(audit.stderr).toContain('optin audit <url> --config path/to/optin.config.mjs');
  });
});

describe('optin declare', () => {
  test('prints the declaration of one Member as JSON: the platform trackers and its own, no other Member', async () => {
    const result = await optin('declare', fixture('optin.config.mjs'), '--member', 'HarvardX', '--format', 'json');
    expect(result.code).toBe(0);
    const declaration = JSON.parse(result.stdout) as { member: string; trackers: { id: string }[] };
    expect(declaration.member).toBe('HarvardX');
    expect(declaration.trackers.map((t) => t.id)).toEqual(['vendor', 'session', 'HarvardX/ads']);
  });

  test('prints Markdown by default, and refuses an unknown Member or format', async () => {
    const md = await optin('declare', fixture('optin.config.mjs'));
    expect(md.stdout).toContain('Vendor Analytics');
    const member = await optin('declare', fixture('optin.config.mjs'), '--member', 'Nobody');
    expect(member.code).toBe(2);
    expect(member.stderr).toContain('--member: "Nobody" is not a Member of the config');
    const format = await optin('declare', fixture('optin.config.mjs'), '--format', 'pdf');
    expect(format.stderr).toContain('--format: "pdf" is not a format');
    // Names every object has are not formats either.
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const inherited = await optin('declare', fixture('optin.config.mjs'), '--format', name);
      expect([inherited.code, inherited.stdout]).toEqual([2, '']);
      expect(inherited.stderr).toContain(`--format: "${name}" is not a format`);
    }
  });

  test("lists the tracked emails: the platform's and, on one Member's list, that Member's own, with how to opt out", async () => {
    const owners = async (...member: string[]) => {
      const result = await optin('declare', fixture('email.config.mjs'), ...member, '--format', 'json');
      expect(result.code).toBe(0);
      const declaration = JSON.parse(result.stdout) as {
        email: { owner: string; purposes: string[]; records: string[] }[];
      };
      for (const e of declaration.email) expect([e.purposes, e.records]).toEqual([['analytics'], ['open', 'click']]);
      return declaration.email.map((e) => e.owner);
    };
    expect(await owners()).toEqual(['platform', 'HarvardX']);
    expect(await owners('--member', 'HarvardX')).toEqual(['platform', 'HarvardX']);
    expect(await owners('--member', 'MITx')).toEqual(['platform']);
    const md = await optin('declare', fixture('email.config.mjs'), '--member', 'HarvardX');
    expect(md.stdout).toContain('\n## Email tracking\n');
    expect(md.stdout).toContain(
      '| Harvard University | Analytics | first | opens, clicks | Recorded for you only when the cookie choice you saved while signed in allows Analytics for Harvard University; otherwise only counted. To opt out, refuse Analytics in your cookie preferences, or on Harvard University courses for Harvard University alone. |',
    );
    const html = await optin('declare', fixture('email.config.mjs'), '--format', 'html');
    expect(html.stdout).toContain('<h2 id="optin-email">Email tracking</h2>');
    expect((await optin('--help')).stdout).toContain('the list of third parties and of tracked emails');
  });

  test('a broken config is exit 1 for declare and audit too, as for validate', async () => {
    for (const args of [
      ['declare', fixture('broken.config.mjs')],
      ['audit', 'http://127.0.0.1:9/', '--config', fixture('broken.config.mjs')],
    ]) {
      const result = await optin(...args);
      expect(result.code, args[0]).toBe(1);
      expect(result.stderr).toContain('error invalid_config');
    }
  });

  test('an unknown option or a missing option value is a usage error naming the option, exit 2', async () => {
    const unknown = await optin('audit', 'https://www.edx.org/', '--strict');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "error invalid_argument\n  --strict: Unknown option '--strict'\nSee optin --help for the options of each command.\n",
    );
    const missing = await optin('validate', '--config');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error invalid_argument\n  --config: ');
  });

  test('audit refuses a --site that would hide requests, an empty --wait and a --cookie-name no browser holds, before opening anything', async () => {
    const audit = (...args: string[]) =>
      optin('audit', 'http://127.0.0.1:9/', '--config', fixture('optin.config.mjs'), ...args);
    // A public suffix as the site would make every .com (or co.uk) vendor the page's own.
    for (const [site, message] of [
      ['com', '"com" is a public suffix: every site under it would count as the page\'s own'],
      ['co.uk', '"co.uk" is a public suffix'],
      ['github.io', '"github.io" is a public suffix'],
      ['', '"" is not a host name'],
      ['https://edx.org', '"https://edx.org" is not a host name'],
      ['edx.org:443', '"edx.org:443" is not a host name'],
    ]) {
      const result = await audit(`--site=${site}`);
      expect([result.code, result.stdout], site).toEqual([2, '']);
      expect(result.stderr).toContain(`error invalid_argument\n  --site: ${message}`);
    }
    const wait = await audit('--wait=');
    expect([wait.code, wait.stderr]).toEqual([
      2,
      'error invalid_argument\n  --wait: "" is not a whole number of milliseconds from 0 to 60000\nUse 0 to 60000 (default 2000).\n',
    ]);
    const cookie = await audit('--cookie-name=');
    expect(cookie.code).toBe(2);
    expect(cookie.stderr).toContain('--cookie-name: "" is not a cookie name');
  });

  test('a stray argument, or an option of another command, is a usage error, never silently ignored', async () => {
    // `optin audit <url> <config>` would otherwise audit against whatever config is in the directory.
    const stray = await optin('audit', 'http://127.0.0.1:9/', fixture('broken.config.mjs'));
    expect([stray.code, stray.stdout]).toEqual([2, '']);
    expect(stray.stderr).toBe(
      `error invalid_argument\n  ${fixture('broken.config.mjs')}: is not an argument of optin audit\nGive the config as --config ${fixture('broken.config.mjs')}; see optin --help.\n`,
    );
    const twice = await optin('validate', fixture('optin.config.mjs'), fixture('broken.config.mjs'));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain(`${fixture('broken.config.mjs')}: is not an argument of optin validate`);
    // `declare --json` would print Markdown and exit 0.
    const json = await optin('declare', fixture('optin.config.mjs'), '--json');
    expect([json.code, json.stdout]).toEqual([2, '']);
    expect(json.stderr).toBe(
      'error invalid_argument\n  --json: is not an option of optin declare\nUse --format json; see optin --help for the options of each command.\n',
    );
    const consent = await optin('validate', fixture('optin.config.mjs'), '--consent', 'all');
    expect(consent.code).toBe(2);
    expect(consent.stderr).toContain('--consent: is not an option of optin validate');
    const gpc = await optin('declare', fixture('optin.config.mjs'), '--gpc');
    expect([gpc.code, gpc.stdout]).toEqual([2, '']);
    expect(gpc.stderr).toContain('--gpc: is not an option of optin declare');
  });

  test('audit --json answers in JSON when it cannot audit too: the error with its code, issues and hint', async () => {
    const usage = await optin(
      'audit',
      'http://127.0.0.1:9/',
      '--config',
      fixture('optin.config.mjs'),
      '--consent',
      'telemetry',
      '--json',
    );
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: {
        code: 'invalid_argument',
        issues: [{ path: '--consent', message: '"telemetry" is not a purpose of policy edx' }],
        hint: expect.stringContaining('Use none, all, or a comma-separated list'),
      },
    });
    const broken = await optin('audit', 'http://127.0.0.1:9/', '--config', fixture('broken.config.mjs'), '--json');
    expect(broken.code).toBe(1);
    const { error } = JSON.parse(broken.stdout) as { error: { code: string; issues: { path: string }[] } };
    expect(error.code).toBe('invalid_config');
    expect(error.issues.map((i) => i.path)).toContain('members[1].orgs[0]');
  });

  test('audit refuses a --refuse that is not Member:purpose, names an unknown Member or purpose, before opening anything', async () => {
    const audit = (...args: string[]) =>
      optin('audit', 'http://127.0.0.1:9/', '--config', fixture('optin.config.mjs'), '--consent', 'all', ...args);
    const bare = await audit('--refuse', 'marketing');
    expect([bare.code, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toBe(
      'error invalid_argument\n  --refuse: "marketing" is not Member:purpose\nGive a Member and a purpose it is refused for, e.g. --refuse HarvardX:marketing (repeat it, or separate several with commas); to refuse a purpose for every Member and the platform, leave it out of --consent.\n',
    );
    const member = await audit('--refuse', 'HarvardX:marketing,Harvard:marketing', '--json');
    expect([member.code, JSON.parse(member.stdout)]).toEqual([
      2,
      {
        error: {
          code: 'invalid_argument',
          issues: [{ path: '--refuse', message: '"Harvard:marketing": "Harvard" is not a Member of the config' }],
          hint: 'Refuse a purpose for one of the Members of the config: HarvardX, MITx.',
        },
      },
    ]);
    const purpose = await audit('--refuse', 'HarvardX:marketing', '--refuse', 'MITx:ads');
    expect([purpose.code, purpose.stderr]).toEqual([
      2,
      'error invalid_argument\n  --refuse: "MITx:ads": "ads" is not a purpose of policy edx\nRefuse one of analytics, performance, functionality, marketing for a Member, e.g. --refuse HarvardX:marketing.\n',
    ]);
    const undecided = await optin(
      'audit',
      'http://127.0.0.1:9/',
      '--config',
      fixture('optin.config.mjs'),
      '--consent',
      'none',
      '--refuse',
      'HarvardX:marketing',
    );
    expect(undecided.code).toBe(2);
    expect(undecided.stderr).toContain(
      '--refuse: a learner who has not decided (--consent none) has refused nothing for a Member',
    );
    const elsewhere = await optin('validate', fixture('optin.config.mjs'), '--refuse', 'HarvardX:marketing');
    expect(elsewhere.stderr).toContain('--refuse: is not an option of optin validate');
  });

  test('audit refuses a consent mode it does not know before it opens a browser, naming the option', async () => {
    const mode = await optin(
      'audit',
      'http://127.0.0.1:9/',
      '--config',
      fixture('optin.config.mjs'),
      '--mode',
      'optout',
    );
    expect([mode.code, mode.stdout]).toEqual([2, '']);
    expect(mode.stderr).toBe(
      'error invalid_argument\n  --mode: "optout" is not a consent mode\nUse opt-in or opt-out, as the site creates its consent store.\n',
    );
  });

  test('audit refuses a --settle that is not a whole number of milliseconds, and --no-interact elsewhere', async () => {
    const config = fixture('optin.config.mjs');
    const settle = await optin('audit', 'http://127.0.0.1:9/', '--config', config, '--settle', 'soon');
    expect([settle.code, settle.stdout]).toEqual([2, '']);
    expect(settle.stderr).toBe(
      'error invalid_argument\n  --settle: "soon" is not a whole number of milliseconds from 0 to 120000\nUse 0 to 120000 (default 10000).\n',
    );
    const still = await optin('declare', config, '--no-interact');
    expect(still.code).toBe(2);
    expect(still.stderr).toContain('--no-interact: is not an option of optin declare');
  });

  test('a directory is where the config is looked for; a file without a default export says so', async () => {
    const dir = await optin('validate', fileURLToPath(new URL('./fixtures/ts/', import.meta.url)));
    expect([dir.code, dir.stderr]).toEqual([0, '']);
    expect(dir.stdout).toMatch(/^✓ valid: /);
    const empty = await optin('validate', fileURLToPath(new URL('.', import.meta.url)));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('error config_not_found');
    expect(empty.stderr).toContain('none of optin.config.mjs, optin.config.js');
    const named = await optin('validate', fixture('named-export.config.mjs'));
    expect(named.code).toBe(1);
    expect(named.stdout).toBe(
      [
        '✗ 1 problem(s)',
        `  ${fixture('named-export.config.mjs')} [no_config_export]: has no default export (it exports optinConfig)`,
        `Export the config as the default export of ${fixture('named-export.config.mjs')} (export default defineConfig({ … })), or as \`config\`.`,
        '',
      ].join('\n'),
    );
  });

  test("the README's exit codes of each command are those it exits with", async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const exits = (command: string) =>
      new RegExp(`^\\| \`optin ${command} [^\\n]*\\| ([^|\\n]+) \\|$`, 'm').exec(readme)?.[1]?.trim();
    const codes = (words = '') => [...words.matchAll(/\b(\d)\b/g)].map((m) => Number(m[1]));
    const config = fixture('optin.config.mjs');
    const broken = fixture('broken.config.mjs');
    const runs: Record<string, string[][]> = {
      validate: [
        ['validate', config],
        ['validate', broken],
        ['validate', 'nowhere.config.mjs'],
      ],
      declare: [
        ['declare', config],
        ['declare', broken],
        ['declare', config, '--member', 'Nobody'],
      ],
      audit: [
        ['audit', 'http://127.0.0.1:9/', '--config', broken],
        ['audit', 'http://127.0.0.1:9/', '--config', config, '--wait', 'x'],
      ],
    };
    for (const [command, argv] of Object.entries(runs)) {
      const seen = new Set([
        ...(command === 'audit' ? [0] : []),
        ...(await Promise.all(argv.map(async (a) => (await optin(...a)).code))),
      ]);
      expect(codes(exits(command)), command).toEqual([...seen].sort());
    }
  });

  test('--json answers usage errors in JSON too, for validate and audit', async () => {
    const config = fixture('optin.config.mjs');
    const runs: [readonly string[], string, ReturnType<typeof optin>][] = [];
    for (const [args, path] of [
      [['validate', config, '--strict', '--json'], '--strict'],
      [['validate', '--json', config, fixture('broken.config.mjs')], fixture('broken.config.mjs')],
      [['validate', config, '--format', 'md', '--json'], '--format'],
      [['audit', 'http://127.0.0.1:9/', '--config', config, '--json', '--strict'], '--strict'],
      [['validate', config, '--json', '--config'], '--config'],
    ] as const)
      runs.push([args, path, optin(...args)]);
    for (const [args, path, run] of runs) {
      const result = await run;
      expect(result.code, args.join(' ')).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({
        error: { code: 'invalid_argument', issues: [{ path, message: expect.any(String) }], hint: expect.any(String) },
      });
      expect(result.stderr).toContain('error invalid_argument');
    }
  });

  test('an empty config or --consent, or two configs, are refused rather than read as something else', async () => {
    const config = fixture('optin.config.mjs');
    const runs: [readonly string[], string, ReturnType<typeof optin>][] = [];
    for (const [args, path] of [
      [['validate', ''], 'config'],
      [['declare', '--config', ''], '--config'],
      [['audit', 'http://127.0.0.1:9/', '--config='], '--config'],
      [['validate', config, '--config', fixture('broken.config.mjs')], '--config'],
      [['audit', 'http://127.0.0.1:9/', '--config', config, '--consent', ''], '--consent'],
    ] as const)
      runs.push([args, path, optin(...args)]);
    for (const [args, path, run] of runs) {
      const result = await run;
      expect([result.code, result.stdout], args.join(' ')).toEqual([2, '']);
      expect(result.stderr).toMatch(new RegExp(`^error invalid_argument\\n {2}${path}: `));
    }
  });

  test('an option given twice, a --consent of commas only, or a --resolve rule Chromium would skip, is refused, never read as something else', async () => {
    const config = fixture('optin.config.mjs');
    const audit = (...args: string[]) => optin('audit', 'http://127.0.0.1:9/', '--config', config, ...args);
    const runs: [string, () => ReturnType<typeof optin>, string, string][] = [
      // The last of two would win: an audit against the other config, or as another learner.
      [
        '--config twice',
        () => audit('--config', fixture('broken.config.mjs')),
        '--config',
        `is given twice ("${config}", then "${fixture('broken.config.mjs')}"): only the last would be read`,
      ],
      [
        '--consent twice',
        () => audit('--consent', 'all', '--consent=none'),
        '--consent',
        'is given twice ("all", then "none"): only the last would be read',
      ],
      [
        '--format twice',
        () => optin('declare', config, '--format', 'json', '--format', 'md'),
        '--format',
        'is given twice ("json", then "md"): only the last would be read',
      ],
      // A learner who granted nothing (an empty list), not the usage error that `--consent ''` is.
      ['--consent ,,,', () => audit('--consent', ',,,'), '--consent', 'is empty'],
      // Chromium skips a rule it cannot parse, silently: the audit would reach the real host.
      [
        '--resolve typo',
        () => audit('--resolve', 'MAP *.edx.org127.0.0.1'),
        '--resolve',
        '"MAP *.edx.org127.0.0.1" is not a host resolver rule',
      ],
      [
        '--resolve one of two',
        () => audit('--resolve', 'MAP *.edx.org 127.0.0.1, EXCLUDE'),
        '--resolve',
        '"EXCLUDE" is not a host resolver rule',
      ],
      ['--resolve empty', () => audit('--resolve', ''), '--resolve', '"" is not a host resolver rule'],
    ];
    for (const [name, run, path, message] of runs) {
      const result = await run();
      expect([result.code, result.stdout], name).toEqual([2, '']);
      expect(result.stderr, name).toMatch(new RegExp(`^error invalid_argument\\n {2}${path}: `));
      expect(result.stderr, name).toContain(`${path}: ${message}`);
    }
    // Rules as Chromium takes them, several in one --resolve or repeated, pass (to the check that
    // comes after theirs, of --refuse, before any browser opens).
    const rules = await audit(
      ...['--resolve', 'MAP *.edx.org 127.0.0.1, EXCLUDE www.edx.org', '--resolve', 'map a.test ~NOTFOUND'],
      ...['--consent', 'all', '--refuse', 'Harvard:marketing'],
    );
    expect([rules.code, rules.stderr]).toEqual([2, expect.stringMatching(/^error invalid_argument\n {2}--refuse: /)]);
  });

  test("a reader of stderr that stopped reading is no error of the config's: a sound config that logs is still valid, exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'optin-stderr-'));
    const file = join(dir, 'optin.config.mjs');
    writeFileSync(
      file,
      `export { default } from ${JSON.stringify(fixture('optin.config.mjs'))};\nawait new Promise((r) => setTimeout(r, 1500));\nconsole.log('loading');\n`,
    );
    try {
      // stderr into a reader gone after 0.5 s (a logger that died), before the config logs.
      const { stdout } = await exec(
        'bash',
        ['-c', '"$0" "$1" validate "$2" --json 2> >(sleep 0.5); echo "exit $?"', process.execPath, cli, file],
        { timeout: 20_000 },
      );
      const [answer, exit] = stdout.split(/\n(?=exit )/);
      expect([JSON.parse(answer ?? ''), exit?.trim()]).toEqual([expect.objectContaining({ valid: true }), 'exit 0']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown command prints usage and exits 2', async () => {
    const result = await optin('deploy');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"deploy" is not a command');
  });
});
