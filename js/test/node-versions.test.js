// The package on the oldest Node it claims (package.json's engines), in
// both module systems, and on this Node: every vector through import, and
// require() with the package's CommonJS entry (node.cjs), which is node.js
// itself where Node can require() an ES module (20.19+, 22.12+) and loads
// it in init() where it cannot (Electron 34 and before). The oldest Node
// comes from the npm registry (node-<platform>-<arch>, the binary the
// `node` package installs) into test/out/, once; without the registry the
// test says it was skipped, and under CI=true that is a failure.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { js, out } from './paths.js';
import { prepared } from './prepared.js';

const { scratch } = prepared();
const engines = JSON.parse(readFileSync(path.join(js, 'package.json'), 'utf8')).engines.node;
const oldest = /^>=(\d+)$/.exec(engines)?.[1] + '.0.0';

// oldestNode returns the path of the oldest claimed Node's binary, or why
// there is none.
function oldestNode() {
  const os = { win32: 'win', darwin: 'darwin', linux: 'linux' }[process.platform];
  const pkg = `node-${os}-${process.arch}`;
  const dir = path.join(out, `node-${oldest}`);
  const bin = path.join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `${pkg}@${oldest}`], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (r.status !== 0 || !existsSync(bin)) return { why: `npm install ${pkg}@${oldest} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}` };
  }
  return { bin };
}

// The script each Node runs as an ES module: the vectors through the
// installed package's call(), against Go's responses: every vector of
// every op but qkey, and the first 5 qkey vectors (the others add minutes
// of the module's key derivation, not a line of the package's code).
const esmScript = `
import { readFileSync } from 'node:fs';
import * as lv from 'licverify';
const { loadVectors, frameOf, check } = await import(${JSON.stringify(pathToFileURL(path.join(js, 'test', 'vectors.js')).href)});
const native = JSON.parse(readFileSync(process.argv[2], 'utf8'));
await lv.init();
const failures = [];
let qkeys = 0;
const vectors = loadVectors().filter((v) => JSON.parse(v.request).op !== 'qkey' || qkeys++ < 5);
for (const v of vectors) {
  const r = lv.call(frameOf(v));
  const why = check(v.expected, r);
  if (why !== null || r !== native[v.id]) failures.push(v.id + ': ' + (why ?? 'differs from Go'));
}
console.log(JSON.stringify({ version: process.version, total: vectors.length, failures }));
`;

// The script each Node runs as CommonJS: require(), misuse before init(),
// then the verbs, the classes and a host helper.
const cjsScript = `
const assert = require('node:assert/strict');
const lv = require('licverify');
const { LicverifyError, ModuleCrash, Verifier } = lv;
assert.throws(() => lv.canonicalize('{}'), (e) => e instanceof LicverifyError && e.name === 'LicverifyError' && /await init\\(\\)/.test(e.message));
(async () => {
  await lv.init();
  assert.equal(lv.canonicalize('{"b":[1.50],"a":2}').canonical, '{"a":2,"b":[1.5]}');
  assert.equal(lv.canonicalize('{"a":1,"a":2}').code, 'duplicate_key');
  assert.throws(() => lv.canonicalize({}), TypeError);
  assert.throws(() => lv.verifyStatusProof('{}', { keys: '[]', now: '2026-01-01T00:00:00Z' }), (e) => e instanceof LicverifyError && !(e instanceof ModuleCrash));
  const v = await lv.createVerifier();
  assert.ok(v instanceof Verifier);
  assert.equal(v.fingerprintHash({ machine_id: 'm' }).valid, true);
  assert.equal(typeof lv.createEpochStore({ path: 'epochs.json' }).get, 'function');
  const esm = await import('licverify');
  assert.equal(esm.canonicalize('[1.0]').canonical, '[1]', 'one package: import() sees the init() of require()');
  console.log(JSON.stringify({ version: process.version, native: lv.init === esm.init, exports: Object.keys(lv).sort(), esmExports: Object.keys(esm).sort() }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

// runIn runs script as file in the scratch project with node, and returns
// the JSON it prints; a CommonJS run must export what import gives.
function runIn(node, file, script, ...args) {
  writeFileSync(path.join(scratch, file), script);
  const r = spawnSync(node, [file, ...args], { cwd: scratch, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${file} under ${node}:\n${r.stderr}`);
  assert.equal(r.stderr, '', `${file} under ${node} printed to stderr`);
  const got = JSON.parse(r.stdout);
  if (got.exports !== undefined) assert.deepEqual(got.exports, got.esmExports, `require() and import give other names under ${node}`);
  return got;
}

test(`the oldest Node the package claims (${engines}: ${oldest}): every vector through import, and require()`, async (t) => {
  const { bin, why } = oldestNode();
  if (bin === undefined) {
    if (process.env.CI === 'true') assert.fail(`node ${oldest}: ${why}`);
    return t.skip(`node ${oldest}: ${why}`);
  }
  assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), `v${oldest}`);
  const esm = runIn(bin, 'oldest.mjs', esmScript, prepared().native);
  assert.deepEqual(esm.failures, []);
  const cjs = runIn(bin, 'oldest.cjs', cjsScript);
  // Node 20.0 cannot require() an ES module: node.cjs loaded node.js in init().
  assert.equal(cjs.native, false);
  console.log(`node ${esm.version}: ${esm.total - esm.failures.length}/${esm.total} vectors (5 of the qkey ones) identical to Go through import; require() works, node.js loaded by init()`);
});

test(`this Node (${process.version}): require() gives node.js itself where Node can require() an ES module`, () => {
  const cjs = runIn(process.execPath, 'current.cjs', cjsScript);
  assert.equal(cjs.native, Boolean(process.features.require_module), `process.features.require_module is ${process.features.require_module}`);
  console.log(`node ${cjs.version}: require() works, ${cjs.native ? 'node.js itself (require of an ES module)' : 'node.js loaded by init()'}`);
});
