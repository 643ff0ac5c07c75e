// index.d.ts is written by hand; this compiles it with `tsc --strict
// --noEmit` (test/tsconfig.json) together with:
// - test/types.ts: the results narrow (claims present after `if (r.valid)`,
//   a license's decision) and `@ts-expect-error` lines prove that claims
//   are not available before;
// - every TypeScript/JavaScript snippet of README.md and of index.d.ts's
//   doc comments, each written to out/types/snippets/ as a module of its
//   own (the package's exports imported, the few free variables the
//   snippets use declared in globals.d.ts);
// - out/types/responses.ts: every result Go's module gives for the test
//   vectors, and results of the verbs no vector covers, each assigned to
//   its declared type as an object literal. So a valid result missing a
//   claim the types promise, a member the types do not declare, or a value
//   outside a declared literal union (a code, a status, a reason) fails to
//   compile: the types say what a result really carries.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { js, out, repo } from './paths.js';
import { importInstalled, nativeResponses, prepared } from './prepared.js';
import { loadVectors } from './vectors.js';
import { snippets } from './snippets.js';

const tsc = path.join(js, 'node_modules', 'typescript', 'bin', 'tsc');
const typesDir = path.join(out, 'types');
const snippetsDir = path.join(typesDir, 'snippets');

// The free variables the snippets use, as a reader would have them.
const globals = `// Written by test/types.test.js: what the snippets take as given.
declare const proofText: string;
declare const keyringText: string;
declare const licenseText: string;
declare const setText: string;
declare const keys: string;
declare const proof: string;
declare const fileBase64: string;
declare const qkeyBytes: Uint8Array;
// What the README's Electron preload script hands a renderer.
interface Window {
  licverifyWasm(): Promise<Uint8Array>;
}
`;

const codeLangs = new Set(['js', 'javascript', 'mjs', 'ts', 'typescript']);

// exported returns the names index.d.ts exports, values and types apart.
function exported(dts) {
  const values = new Set([...dts.matchAll(/^export (?:declare )?(?:function|class|const) (\w+)/gm)].map((m) => m[1]));
  const types = new Set([...dts.matchAll(/^export (?:declare )?(?:type|interface) (\w+)/gm)].map((m) => m[1]));
  return { values: [...values].sort(), types: [...types].sort() };
}

// asModule makes a snippet a module: the package's exports it does not
// import itself are imported, so that a fragment such as `call({...})`
// compiles as the reader would run it.
function asModule(code, names, origin) {
  const own = new Set();
  for (const m of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"]licverify['"]/g)) {
    for (const n of m[1].split(',')) own.add(n.trim().split(/\s+as\s+/).pop().replace(/^type\s+/, ''));
  }
  const values = names.values.filter((n) => !own.has(n));
  const types = names.types.filter((n) => !own.has(n));
  return [
    `// ${origin} (written by test/types.test.js)`,
    `import { ${values.join(', ')} } from 'licverify';`,
    `import type { ${types.join(', ')} } from 'licverify';`,
    code,
    'export {};',
    '',
  ].join('\n');
}

function writeSnippets() {
  rmSync(snippetsDir, { recursive: true, force: true });
  mkdirSync(snippetsDir, { recursive: true });
  writeFileSync(path.join(typesDir, 'globals.d.ts'), globals);
  const dts = readFileSync(path.join(js, 'index.d.ts'), 'utf8');
  const names = exported(dts);
  const written = [];
  for (const [file, name] of [
    ['README.md', 'readme'],
    ['index.d.ts', 'index.d'],
  ]) {
    const all = snippets(readFileSync(path.join(js, file), 'utf8'));
    all.forEach((s, i) => {
      if (!codeLangs.has(s.lang)) return;
      // CommonJS (Electron's main process and preload script) and a
      // Vite config are not modules tsc checks here (a config needs Node's
      // and the bundler's types); bundlers.test.js runs those snippets.
      if (/\brequire\(|from 'vite'/.test(s.code)) return;
      const origin = `${file}:${s.line}`;
      const target = path.join(snippetsDir, `${name}-${String(i + 1).padStart(2, '0')}-line${s.line}.ts`);
      writeFileSync(target, asModule(s.code, names, origin));
      written.push({ origin, target, lang: s.lang });
    });
  }
  return written;
}

// The type each op's response is declared as. A .qkey result's has() is
// added by the package, not the module.
const typeOfOp = {
  canonicalize: 'CanonicalizeResult',
  fingerprint: 'FingerprintResult',
  status_proof: 'StatusProofResult',
  revocation_set: 'RevocationSetResult',
  revocation_load: 'RevocationSetResult',
  revocation_apply: 'RevocationSetResult',
  revocation_lookup: 'LookupsResult',
  license: 'LicenseResult',
  qkey: 'QKeyJSON',
  plan: 'PlanResult',
  accept: 'AcceptResult',
};

// moreResponses returns results of the verbs no vector's response covers
// (fingerprintHash, a loaded set's lookup), made with the packed package.
async function moreResponses(vectors) {
  const lv = await importInstalled();
  await lv.init();
  const more = [
    { id: 'fingerprint/object', type: 'FingerprintResult', result: lv.fingerprintHash({ machine_id: 'm', hostname: 'h' }) },
    { id: 'fingerprint/array', type: 'FingerprintResult', result: lv.fingerprintHash('[1]') },
    { id: 'fingerprint/malformed', type: 'FingerprintResult', result: lv.fingerprintHash('{') },
  ];
  // A valid set whose lookups include a suspension.
  const v = vectors.find((x) => {
    if (x.pad) return false;
    const r = JSON.parse(x.request);
    return r.op === 'revocation_set' && typeof r.set === 'string' && !r.deltas && x.expected.valid && JSON.stringify(x.expected).includes('"suspended"');
  });
  assert.ok(v, 'a revocation vector with a suspended lookup');
  const req = JSON.parse(v.request);
  const { result, set } = lv.loadRevocationSet(req.set, { keys: req.keys, now: req.now });
  assert.ok(set, `${v.id}: ${result.code}`);
  more.push({ id: `${v.id} (loaded)`, type: 'RevocationSetResult', result });
  more.push({ id: `${v.id} lookup`, type: 'LookupsResult', result: set.lookup(req.lookup, req.now) });
  more.push({ id: `${v.id} lookup []`, type: 'LookupsResult', result: set.lookup([], req.now) });
  more.push({ id: `${v.id} lookup after valid_until`, type: 'LookupsResult', result: set.lookup(req.lookup, '9999-01-01T00:00:00Z') });
  set.free();
  const stale = lv.loadRevocationSet(req.set, { keys: req.keys, now: '9999-01-01T00:00:00Z', allowStale: true });
  assert.ok(stale.set, stale.result.code);
  more.push({ id: `${v.id} loaded stale`, type: 'RevocationSetResult', result: stale.result });
  more.push({ id: `${v.id} stale lookup`, type: 'LookupsResult', result: stale.set.lookup(req.lookup, '9999-01-01T00:00:00Z') });
  stale.set.free();
  // Session reports, one for each thing a check can do for a document:
  // accepted, refused, failed, none (offline), over a lifecycle vector's
  // proof and set served by a transport of the test's own.
  const lc = loadVectors().find((x) => x.id === 'lifecycle/plan-ok');
  assert.ok(lc, 'the lifecycle vector lifecycle/plan-ok');
  const lr = JSON.parse(lc.request);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-types-'));
  try {
    const session = (name, transport, extra = {}) =>
      lv.createSession({ keys: lr.keys, licenseId: JSON.parse(lr.proof).license_id, store: lv.createSessionStore({ dir: path.join(dir, name) }), transport, now: () => new Date(lr.now), ...extra });
    const served = await session('served', { fetchProof: async () => lr.proof, fetchRevocation: async () => new TextEncoder().encode(lr.set) }).check();
    const failing = await session('failing', {
      fetchProof: async () => Promise.reject(Object.assign(new Error('licverify: POST …: 503 Service Unavailable: down'), { status: 503 })),
      fetchRevocation: async () => '{"epoch":1}',
    }).check();
    const offline = await session('served', undefined, { offline: true }).check();
    const outcomes = [served, failing].flatMap((r) => [r.refresh.done, r.sync.done]);
    for (const want of ['accepted', 'refused', 'failed']) assert.ok(outcomes.includes(want), `a report with ${want}: ${outcomes}`);
    assert.equal(offline.offline, true);
    for (const [id, r] of Object.entries({ served, failing, offline })) more.push({ id: `session report: ${id}`, type: 'SessionReport', result: r });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // QuantumMeta's machine id: this machine's, and every fixture's.
  more.push({ id: 'quantummeta: this machine', type: 'QuantumMetaMachineId', result: await lv.collectQuantumMetaMachineId() });
  const qm = JSON.parse(readFileSync(path.join(repo, 'testvectors', 'fingerprint', 'quantummeta.json'), 'utf8'));
  for (const c of qm.machines) more.push({ id: `quantummeta: ${c.name}`, type: 'QuantumMetaMachineId', result: c.expect });
  const codes = new Set(more.map((m) => `${m.type}:${m.result.code}`));
  for (const want of ['LookupsResult:ok', 'LookupsResult:set_expired', 'FingerprintResult:ok', 'FingerprintResult:invalid_field']) {
    assert.ok(codes.has(want), `covered: ${want}`);
  }
  return more;
}

async function writeResponses() {
  const vectors = loadVectors();
  const native = nativeResponses();
  const lines = [
    '// Written by test/types.test.js: every result the module gives for the test',
    '// vectors (Go\'s native responses, which the package gives byte for byte),',
    '// and results of the verbs no vector covers, each as its declared type.',
    "import type { CanonicalizeResult, FingerprintResult, StatusProofResult, RevocationSetResult, LookupsResult, LicenseResult, QKeyResult, QuantumMetaMachineId, PlanResult, AcceptResult, SessionReport } from 'licverify';",
    'type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;',
    "type QKeyJSON = DistributiveOmit<QKeyResult, 'has'>;",
    '',
  ];
  const count = {};
  let n = 0;
  const add = (id, type, result) => {
    lines.push(`// ${id}`, `export const r${n++}: ${type} = ${JSON.stringify(result)};`);
    count[type] = (count[type] ?? 0) + 1;
  };
  for (const v of vectors) {
    const response = JSON.parse(native[v.id]);
    if ('error' in response) continue; // a bad request or a keyring that does not load: thrown, not a result
    const op = JSON.parse(v.request).op;
    const type = typeOfOp[op];
    assert.ok(type, `${v.id}: no declared type for op ${op}`);
    const { handle, ...result } = response; // the package keeps a loaded set's handle to itself
    add(v.id, type, result);
  }
  for (const m of await moreResponses(vectors)) add(m.id, m.type, JSON.parse(JSON.stringify(m.result)));
  writeFileSync(path.join(typesDir, 'responses.ts'), lines.join('\n') + '\n');
  return count;
}

const runTsc = (project) => spawnSync(process.execPath, [tsc, '-p', project, '--strict', '--noEmit', '--pretty', 'false'], { cwd: js, encoding: 'utf8' });

test('tsc --strict: index.d.ts, test/types.ts, every snippet, every real result', async () => {
  mkdirSync(typesDir, { recursive: true });
  const written = writeSnippets();
  const count = await writeResponses();
  const readme = written.filter((w) => w.origin.startsWith('README.md')).length;
  const dts = written.filter((w) => w.origin.startsWith('index.d.ts')).length;
  // The README has seven snippets and index.d.ts five: a count far
  // below that means the extraction broke, not that they went away.
  assert.ok(readme >= 6, `README.md snippets found: ${readme}`);
  assert.ok(dts >= 4, `index.d.ts snippets found: ${dts}`);
  const res = runTsc(path.join(js, 'test', 'tsconfig.json'));
  const text = (res.stdout + res.stderr).trim();
  // Say where a failing snippet came from.
  const explained = text.replace(/test\/out\/types\/snippets\/[^(]+/g, (f) => {
    const w = written.find((x) => x.target.endsWith(f.split('/').pop()));
    return w ? `${f} [${w.origin}]` : f;
  });
  assert.equal(res.status, 0, `tsc --strict --noEmit failed:\n${explained}`);
  console.log(
    `types: tsc --strict passed: index.d.ts, test/types.ts, ${readme} README.md and ${dts} index.d.ts snippets, ` +
      `${Object.values(count).reduce((a, b) => a + b, 0)} real results (${Object.entries(count)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')})`,
  );
});

// The gate itself: a snippet that does not compile, or a result member the
// types do not declare, fails tsc.
test('tsc --strict rejects a snippet that does not compile and an undeclared result member', () => {
  const dir = path.join(out, 'types-broken');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'globals.d.ts'), globals);
  writeFileSync(
    path.join(dir, 'snippet.ts'),
    asModule(
      "const r = verifyStatusProof(proofText, { keys: keyringText, now: new Date() });\nif (r.valid) console.log(r.refresh_afterr);\n",
      exported(readFileSync(path.join(js, 'index.d.ts'), 'utf8')),
      'a broken snippet',
    ),
  );
  writeFileSync(
    path.join(dir, 'response.ts'),
    "import type { StatusProofResult } from 'licverify';\n" +
      'export const r: StatusProofResult = {"valid":false,"code":"bad_signature","message":"m","refreshed":"x"};\n',
  );
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', files: ['../../../index.d.ts', 'globals.d.ts', 'snippet.ts', 'response.ts'], include: [] }),
  );
  const res = runTsc(path.join(dir, 'tsconfig.json'));
  const text = res.stdout + res.stderr;
  assert.notEqual(res.status, 0, 'tsc must fail');
  assert.match(text, /snippet\.ts\(\d+,\d+\): error TS\d+: Property 'refresh_afterr' does not exist/);
  assert.match(text, /response\.ts\(\d+,\d+\): error TS\d+: Object literal may only specify known properties, and '"?refreshed"?' does not exist/);
});

// require('licverify') from TypeScript compiled to CommonJS: the package's
// require condition gives index.d.cts (index.d.ts's declarations), so
// that an Electron main process or a CommonJS tool type-checks, in the
// installed package, under each module setting such projects use.
// node16 and node18 cannot re-export an ES module's declarations into a
// CommonJS file, which skipLibCheck (tsc --init's default) passes over.
test('tsc --strict: a CommonJS TypeScript project that requires the package', () => {
  const dir = path.join(prepared().scratch, 'cjs-types');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'main.cts'),
    [
      "import { init, verifyStatusProof, LicverifyError, type StatusProofResult } from 'licverify';",
      'declare const proofText: string;',
      'declare const keyringText: string;',
      'async function main(): Promise<void> {',
      '  await init();',
      '  const r: StatusProofResult = verifyStatusProof(proofText, { keys: keyringText, now: new Date() });',
      '  if (r.valid) console.log(r.refresh_after);',
      '  else console.log(r.code);',
      '}',
      'main().catch((err: unknown) => console.log(err instanceof LicverifyError));',
      '',
    ].join('\n'),
  );
  const settings = [
    { module: 'nodenext', skipLibCheck: false },
    { module: 'commonjs', skipLibCheck: false },
    { module: 'node16', skipLibCheck: true },
  ];
  for (const o of settings) {
    const config = { compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [], ...o }, files: ['main.cts'] };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
    const res = runTsc(path.join(dir, 'tsconfig.json'));
    assert.equal(res.status, 0, `module ${o.module}, skipLibCheck ${o.skipLibCheck}:\n${res.stdout}${res.stderr}`);
  }
  console.log(`types: a CommonJS .cts requiring the package compiles under module ${settings.map((o) => o.module).join(', ')}`);
});

test('typescript is pinned to an exact version', () => {
  const pkg = JSON.parse(readFileSync(path.join(js, 'package.json'), 'utf8'));
  assert.match(pkg.devDependencies.typescript, /^\d+\.\d+\.\d+$/);
  const version = execFileSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).trim();
  assert.equal(version, `Version ${pkg.devDependencies.typescript}`);
});
