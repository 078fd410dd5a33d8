/**
 * Prove that what we would publish installs and works for a consumer.
 *
 * 1. `pnpm pack` every non-private package under `packages/*` (pnpm rewrites
 *    `workspace:` ranges to real versions, exactly as `changeset publish` will).
 * 2. Per package, from the tarball's own files and `package.json` (no install needed):
 *      deps   - every bare import in its .js/.cjs/.mjs/.d.ts/.d.cts/.d.mts files (`import`,
 *               `export from`, `require()`, `import()`, `require.resolve()`, `import('x').T`,
 *               `/// <reference types>`), reduced to a package name (Node builtins and the
 *               package itself aside), is in its `dependencies`, `peerDependencies`
 *               (or `peerDependenciesMeta`) or `optionalDependencies`. The install below is one
 *               flat project, where another package's copy would hide an undeclared one.
 *      classes- (packages with several entry points) an exported class is defined once per
 *               format: not copied into two entry files of the same format (e.g. one CJS bundle
 *               per subpath), where `instanceof` across entry points is false.
 * 3. Create a scratch project in a temp dir and `npm install` all tarballs
 *    together (third-party deps such as zod come from the registry).
 * 4. Per package with a `bin`: the target starts with `#!` and `<bin> --help` run from the
 *    project's `node_modules/.bin` exits 0 and prints something.
 * 5. For each package and each subpath of its `exports` map (except
 *    `./package.json` and `*` patterns), check that:
 *      esm  - `import * as m from '<spec>'` works and has at least one export,
 *      cjs  - `require('<spec>')` works and has at least one export,
 *      esm=cjs - both have the same export names,
 *      types- a `check.mts` and a `check.cts` that read every runtime export
 *             from `<spec>` type-check with `tsc --noEmit` under
 *             module/moduleResolution node16 and nodenext, plus bundler and node10
 *             (`moduleResolution: "node"`, still the setting of many webpack apps: subpaths
 *             resolve there through `typesVersions`),
 *      decl - every value export declared by the `.d.ts` (import) and `.d.cts` (require)
 *             typings exists at runtime in that format (node16 resolution).
 *    For packages with several entry points, a class exported under the same name by two
 *    of them must be the same object (ESM and CJS) - part of `classes` above.
 *
 * Prints one line per package and per package/subpath and exits 1 on any failure.
 * Usage: node scripts/release-check.mjs   (expects `dist/` to be built)
 * Set KEEP_SCRATCH=1 to keep the scratch directory for debugging.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
// The repo's own TypeScript (pinned in the root devDependencies), run by absolute path.
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
/** @type {typeof import('typescript')} */
const ts = require('typescript');

/** Non-private packages under packages/*, as { dir, pkg }. */
function publicPackages() {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => ({
      dir: join(base, d.name),
      pkg: JSON.parse(readFileSync(join(base, d.name, 'package.json'), 'utf8')),
    }))
    .filter(({ pkg }) => !pkg.private);
}

/** The subpath keys of an `exports` map to check (not `./package.json`, not `*` patterns); [] if none. */
function subpaths(pkg) {
  const { exports } = pkg;
  const keys = exports && typeof exports === 'object' && !Array.isArray(exports) ? Object.keys(exports) : [];
  return keys.filter((k) => k.startsWith('.') && k !== './package.json' && !k.includes('*'));
}

/** Import specifiers to check for a package: the name plus every exported subpath. */
function specifiers(pkg) {
  const keys = subpaths(pkg);
  if (keys.length === 0) return [pkg.name]; // no exports, or conditions only
  return keys.map((k) => (k === '.' ? pkg.name : pkg.name + k.slice(1)));
}

/** The file an `exports` target resolves to under `conditions` (first matching key wins), or null. */
function exportTarget(value, conditions) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length ? exportTarget(value[0], conditions) : null;
  if (value && typeof value === 'object') {
    for (const [key, next] of Object.entries(value)) {
      if (!conditions.includes(key)) continue;
      const found = exportTarget(next, conditions);
      if (found) return found;
    }
  }
  return null;
}

/** Run a command in the scratch project; returns '' on success or its output on failure. */
function run(cwd, cmd, args) {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return res.status === 0 ? '' : `${res.stdout}${res.stderr}`.trim() || `exit ${res.status}`;
}

/** Every file under `dir`, as paths relative to it. */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name), base) : [relative(base, join(dir, d.name))],
  );
}

const codeFile = /\.(?:js|cjs|mjs|d\.ts|d\.cts|d\.mts)$/;

/** Parse a JavaScript or declaration file with the TypeScript parser. */
function parse(file, text) {
  const kind = /\.d\.[cm]?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
}

/** Whether `expr` is `require`, `__require`, `require2`... or `createRequire(...)`. */
function isRequire(expr) {
  if (ts.isIdentifier(expr)) return /^_*require\d*$/.test(expr.text);
  if (ts.isCallExpression(expr)) {
    const callee = expr.expression;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    return /^createRequire\d*$/.test(name);
  }
  return false;
}

/**
 * The module specifiers a file loads: static and dynamic imports, re-exports, `require()`,
 * `require.resolve()`, `import x = require()`, `import('x')` types, ambient `declare module 'x'`
 * and `/// <reference types="x" />` (code inside strings, e.g. page scripts, is not code here).
 */
function moduleSpecifiers(file, text) {
  const sf = parse(file, text);
  /** @type {string[]} */
  const found = sf.typeReferenceDirectives.map((r) => r.fileName).filter((name) => name !== 'node');
  const add = (node) => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) add(node.name);
    else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        isRequire(callee) ||
        (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && isRequire(callee.expression));
      if (loads) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or null for relative, builtin, URL... */
function packageOf(spec) {
  if (!/^[@a-z0-9_~-]/i.test(spec) || spec.includes(':')) return null; // ./x, /x, #x, node:x, data:...
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtinModules.includes(name) ? null : name;
}

/**
 * Undeclared dependencies of an unpacked package: one problem per missing package, naming the
 * files that load it.
 */
function checkDependencies(pkgDir, pkg) {
  const declared = new Set(
    ['dependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies'].flatMap((k) =>
      Object.keys(pkg[k] ?? {}),
    ),
  );
  /** @type {Map<string, Set<string>>} package -> files */
  const used = new Map();
  for (const file of walk(pkgDir).filter((f) => codeFile.test(f))) {
    for (const spec of moduleSpecifiers(file, readFileSync(join(pkgDir, file), 'utf8'))) {
      const name = packageOf(spec);
      if (!name || name === pkg.name) continue;
      if (!used.has(name)) used.set(name, new Set());
      used.get(name).add(file);
    }
  }
  const problems = [...used]
    .filter(([name]) => !declared.has(name))
    .map(([name, files]) => {
      const list = [...files].sort();
      const shown = list.slice(0, 4).join(', ') + (list.length > 4 ? ` and ${list.length - 4} more` : '');
      return (
        `deps: ${pkg.name} loads "${name}" (in ${shown}) but does not declare it in dependencies or ` +
        `peerDependencies: a consumer who does not happen to install it gets "Cannot find module '${name}'"`
      );
    });
  return { used: [...used.keys()].sort(), problems };
}

/** Top-level classes defined in a JS file, by name (esbuild's `X2`-style renames taken back to `X`). */
function classesDefinedIn(file, text) {
  const names = new Set();
  for (const st of parse(file, text).statements) {
    if (ts.isClassDeclaration(st) && st.name) names.add(st.name.text);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        let init = d.initializer;
        while (init && ts.isParenthesizedExpression(init)) init = init.expression;
        if (init && ts.isClassExpression(init) && ts.isIdentifier(d.name)) names.add(d.name.text);
      }
    }
  }
  return [...names].map((n) => n.replace(/\d+$/, ''));
}

/**
 * Classes copied into several entry files of one format: `[{ format, name, files }]` for every
 * `exportedClasses` name defined at top level in two or more of the package's entry files.
 */
function duplicateClasses(pkgDir, pkg, exportedClasses) {
  const findings = [];
  const formats = { esm: ['node', 'import', 'default'], cjs: ['node', 'require', 'default'] };
  for (const [format, conditions] of Object.entries(formats)) {
    const files = [
      ...new Set(
        subpaths(pkg)
          .map((k) => exportTarget(pkg.exports[k], conditions))
          .filter((f) => f !== null),
      ),
    ].filter((f) => existsSync(join(pkgDir, f)));
    if (files.length < 2) continue;
    /** @type {Map<string, string[]>} */
    const where = new Map();
    for (const f of files) {
      for (const name of classesDefinedIn(f, readFileSync(join(pkgDir, f), 'utf8'))) {
        if (exportedClasses.has(name)) where.set(name, [...(where.get(name) ?? []), f.replace(/^\.\//, '')]);
      }
    }
    for (const [name, inFiles] of where) if (inFiles.length > 1) findings.push({ format, name, files: inFiles });
  }
  return findings;
}

/**
 * Source of a probe run by node in the scratch project: loads each specifier given as an argument
 * (`load` is `import` or `require`) and prints JSON `{ entries: { [spec]: { names, classes } |
 * { error } }, shared: [{ name, specs, same }] }`, `shared` being the functions exported under
 * one name by several specifiers and whether they are one object.
 */
function probeSource(load) {
  const loader = load === 'import' ? 'await import(spec)' : 'require(spec)';
  return `const isClass = (v) => typeof v === 'function' && /^class[\\s{]/.test(Function.prototype.toString.call(v));
async function main() {
  const entries = {};
  const byName = new Map();
  for (const spec of process.argv.slice(2)) {
    try {
      const m = ${loader};
      const names = m == null ? [] : Object.keys(m).sort();
      entries[spec] = { names, classes: names.filter((n) => isClass(m[n])) };
      for (const n of names) {
        if (typeof m[n] !== 'function') continue;
        if (!byName.has(n)) byName.set(n, []);
        byName.get(n).push({ spec, value: m[n] });
      }
    } catch (error) {
      entries[spec] = { error: String((error && error.stack) || error) };
    }
  }
  const shared = [...byName]
    .filter(([, seen]) => seen.length > 1)
    .map(([name, seen]) => ({ name, specs: seen.map((s) => s.spec), same: seen.every((s) => s.value === seen[0].value) }));
  process.stdout.write(JSON.stringify({ entries, shared }));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;
}

/** Run a probe (`probe.mjs` / `probe.cjs`) on `specs` in a fresh node process. */
function probe(project, file, specs) {
  const res = spawnSync(process.execPath, [file, ...specs], { cwd: project, encoding: 'utf8' });
  if (res.status !== 0) return { error: `${res.stdout}${res.stderr}`.trim() || `exit ${res.status}` };
  return JSON.parse(res.stdout);
}

/**
 * Value exports each check file's import declares, by file name: the properties of the type of
 * `import * as m` (type-only exports are not among them; nor are const enums, which have no value).
 */
function declaredValues(project, files, compilerOptions) {
  const { options, errors } = ts.convertCompilerOptionsFromJson(compilerOptions, project);
  if (errors.length) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost(options)));
  const program = ts.createProgram(
    files.map((f) => join(project, f)),
    options,
  );
  const checker = program.getTypeChecker();
  /** @type {Map<string, string[] | null>} */
  const out = new Map();
  for (const f of files) {
    const sf = program.getSourceFile(join(project, f));
    const decl = sf?.statements.find(ts.isImportDeclaration);
    const ns = decl?.importClause?.namedBindings;
    if (!ns || !ts.isNamespaceImport(ns) || !checker.getSymbolAtLocation(decl.moduleSpecifier)) {
      out.set(f, null); // unresolved: tsc reports it
      continue;
    }
    const props = checker.getPropertiesOfType(checker.getTypeAtLocation(ns.name));
    const values = props.filter((p) => {
      const target = p.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(p) : p;
      return !(target.flags & ts.SymbolFlags.ConstEnum);
    });
    out.set(
      f,
      values.map((p) => p.name),
    );
  }
  return out;
}

/** `a` minus `b`, as a list. */
const minus = (a, b) => a.filter((x) => !b.includes(x));

const started = Date.now();
const packages = publicPackages();
if (packages.length === 0) {
  console.error('release-check: no public packages found under packages/*');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'release-check-'));
const tarballs = join(scratch, 'tarballs');
const unpacked = join(scratch, 'unpacked');
const project = join(scratch, 'project');
mkdirSync(tarballs);
mkdirSync(unpacked);
mkdirSync(project);
let failed = 0;

try {
  /** @type {{ name: string, dir: string, pkg: any, tgz: string, problems: string[], notes: string[] }[]} */
  const packed = [];
  for (const { dir, pkg: source } of packages) {
    const dest = join(tarballs, source.name.replace(/[@/]/g, '_'));
    mkdirSync(dest);
    execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = join(
      dest,
      readdirSync(dest).find((f) => f.endsWith('.tgz')),
    );
    const into = join(unpacked, source.name.replace(/[@/]/g, '_'));
    mkdirSync(into);
    execFileSync('tar', ['-xzf', tgz, '-C', into]);
    const pkgDir = join(into, 'package');
    // The packed package.json: `workspace:` ranges rewritten, `files` applied.
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    packed.push({ name: pkg.name, dir: pkgDir, pkg, tgz, problems: [], notes: [] });
  }
  console.log(`packed ${packed.length} package(s); installing into ${project}`);

  // Static: declared dependencies.
  for (const p of packed) {
    const { used, problems } = checkDependencies(p.dir, p.pkg);
    p.problems.push(...problems);
    p.notes.push(`deps: ${used.length} imported package(s)${problems.length ? '' : ', all declared'}`);
  }

  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'release-check-scratch', private: true }, null, 2),
  );
  // A consumer has the types of the platform it targets: Node's (20, as `engines` says) and, for
  // @optin/react, React's.
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--loglevel=error',
      '@types/node@^20',
      '@types/react@^19',
      ...packed.map((p) => p.tgz),
    ],
    { cwd: project, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(join(project, 'probe.mjs'), probeSource('import'));
  writeFileSync(join(project, 'probe.cjs'), probeSource('require'));

  // Bins: a `#!` line, and `<bin> --help` from node_modules/.bin exits 0 with output.
  for (const p of packed) {
    const { bin } = p.pkg;
    const bins = typeof bin === 'string' ? { [p.name.replace(/^@[^/]+\//, '')]: bin } : (bin ?? {});
    for (const [name, target] of Object.entries(bins)) {
      const file = join(p.dir, target);
      if (!existsSync(file)) {
        p.problems.push(`bin ${name}: ${target} is not in the tarball`);
        continue;
      }
      if (!readFileSync(file, 'utf8').startsWith('#!')) {
        p.problems.push(`bin ${name}: ${target} does not start with a #! line (e.g. #!/usr/bin/env node)`);
      }
      const res = spawnSync(join(project, 'node_modules', '.bin', name), ['--help'], {
        cwd: project,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim();
      if (res.error || res.status !== 0 || !res.stdout?.trim()) {
        const why = res.error
          ? res.error.message
          : `exit ${res.status}${res.stdout?.trim() ? '' : ', nothing on stdout'}`;
        const head = output.split('\n').slice(0, 8).join('\n');
        p.problems.push(`bin ${name}: \`${name} --help\` failed (${why})${head ? `\n${head}` : ''}`);
      } else p.notes.push(`bin ${name} --help ok`);
    }
  }

  // Runtime: ESM import and CJS require, each in a fresh node process per specifier.
  /** @type {{ spec: string, pkg: (typeof packed)[number], names: string[], cjsNames: string[], problems: string[] }[]} */
  const entries = [];
  for (const p of packed) {
    for (const spec of specifiers(p.pkg)) {
      const problems = [];
      const esm = probe(project, 'probe.mjs', [spec]);
      const esmEntry = esm.entries?.[spec];
      const names = esmEntry?.names ?? [];
      if (!esmEntry || esmEntry.error) problems.push(`esm: import failed\n${esmEntry?.error ?? esm.error}`);
      else if (names.length === 0) problems.push('esm: no exports');
      const cjs = probe(project, 'probe.cjs', [spec]);
      const cjsEntry = cjs.entries?.[spec];
      const cjsNames = cjsEntry?.names ?? [];
      if (!cjsEntry || cjsEntry.error) problems.push(`cjs: require failed\n${cjsEntry?.error ?? cjs.error}`);
      else if (cjsNames.length === 0) problems.push('cjs: no exports');
      else if (esmEntry && !esmEntry.error) {
        const onlyEsm = minus(names, cjsNames);
        const onlyCjs = minus(cjsNames, names);
        if (onlyEsm.length || onlyCjs.length) {
          problems.push(
            `esm/cjs: export names differ` +
              (onlyEsm.length ? `; only in import(): ${onlyEsm.join(', ')}` : '') +
              (onlyCjs.length ? `; only in require(): ${onlyCjs.join(', ')}` : ''),
          );
        }
      }
      entries.push({ spec, pkg: p, names, cjsNames, problems });
    }
  }

  // Classes: one object per exported class across entry points, in each format.
  for (const p of packed) {
    const specs = specifiers(p.pkg);
    if (specs.length < 2) continue;
    const findings = [];
    const exportedClasses = new Set();
    for (const [format, file] of [
      ['esm', 'probe.mjs'],
      ['cjs', 'probe.cjs'],
    ]) {
      const res = probe(project, file, specs);
      if (res.error) continue; // the per-specifier checks above report it
      for (const e of Object.values(res.entries)) for (const c of e.classes ?? []) exportedClasses.add(c);
      for (const s of res.shared.filter((x) => !x.same)) {
        findings.push(`classes (${format}): ${s.name} exported by ${s.specs.join(', ')} is not one object`);
      }
    }
    for (const d of duplicateClasses(p.dir, p.pkg, exportedClasses)) {
      findings.push(
        `classes (${d.format}): exported class ${d.name} is defined in ${d.files.length} entry files ` +
          `(${d.files.join(', ')}), so \`instanceof ${d.name}\` is false for an instance made by another ` +
          `entry point under ${d.format === 'cjs' ? 'require()' : 'import'}`,
      );
    }
    p.problems.push(...findings);
    if (!findings.length) p.notes.push(`classes: ${exportedClasses.size} exported, one copy each`);
  }

  // Types: a checkN.mts and a checkN.cts per specifier, each reading every runtime
  // export through the typed namespace, so a missing/untyped export is a tsc error.
  const files = entries.flatMap(({ spec, names }, i) =>
    ['mts', 'cts'].map((ext) => {
      const props = names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n)).map((n) => `m.${n}`);
      const file = `check${i}.${ext}`;
      writeFileSync(
        join(project, file),
        `import * as m from ${JSON.stringify(spec)};\nexport const used: unknown[] = [${props.join(', ')}];\n`,
      );
      return file;
    }),
  );
  const common = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    types: ['node'],
  };
  const configs = {
    node16: { module: 'node16', moduleResolution: 'node16' },
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
    bundler: { module: 'preserve', moduleResolution: 'bundler' },
    node10: { module: 'esnext', moduleResolution: 'node10' },
  };
  for (const [label, opts] of Object.entries(configs)) {
    const config = `tsconfig.${label}.json`;
    writeFileSync(join(project, config), JSON.stringify({ compilerOptions: { ...common, ...opts }, files }, null, 2));
    const out = run(project, process.execPath, [tsc, '-p', config]);
    if (!out) continue;
    // Attribute each diagnostic to its entry point; one in our own .d.ts files to all. Diagnostics
    // inside third-party typings (node_modules/<not ours>) are theirs, not our packages'.
    const errors = out.split(/\n(?=\S)/).filter((e) => !/^node_modules\/(?!@optin\/)/.test(e));
    entries.forEach((entry, i) => {
      const own = errors.filter((e) => e.startsWith(`check${i}.`) || !/^check\d+\./.test(e));
      if (own.length) entry.problems.push(`types (${label}):\n${own.join('\n')}`);
    });
  }

  // Declarations vs runtime: every value export the .d.ts (import) / .d.cts (require) declares
  // exists in that format at runtime.
  const declared = declaredValues(project, files, { ...common, ...configs.node16 });
  entries.forEach((entry, i) => {
    for (const [ext, format, runtime, typings] of [
      ['mts', 'import()', entry.names, '.d.ts'],
      ['cts', 'require()', entry.cjsNames, '.d.cts'],
    ]) {
      const values = declared.get(`check${i}.${ext}`);
      if (!values || runtime.length === 0) continue; // unresolved or not loadable: reported above
      const missing = minus(values, runtime);
      if (missing.length) {
        entry.problems.push(
          `decl: the ${typings} typings of ${entry.spec} declare value export(s) missing from ${format} at runtime: ${missing.join(', ')}`,
        );
      }
    }
  });

  const indent = (text) => `    ${text.replace(/\n/g, '\n    ')}`;
  for (const p of packed) {
    if (p.problems.length) failed++;
    const status = p.problems.length ? 'FAIL' : 'ok  ';
    console.log(`${status} ${p.name} (package)  ${p.notes.join('; ')}`);
    for (const line of p.problems) console.log(indent(line));
  }
  for (const { spec, names, problems } of entries) {
    if (problems.length) failed++;
    const what = `esm, cjs, esm=cjs names, types ${Object.keys(configs).join('/')} (.mts+.cts), declared values at runtime`;
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${spec}  ${names.length} exports  ${what}`);
    for (const p of problems) console.log(indent(p));
  }
} catch (err) {
  failed++;
  console.error(`FAIL ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  if (process.env.KEEP_SCRATCH) console.log(`scratch kept at ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

console.log(`release-check ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exit(failed ? 1 : 0);
