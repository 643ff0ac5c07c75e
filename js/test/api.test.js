// The package's behaviour around the module: init, misuse, crashes, the
// WASI shim and the Node host helpers. Imports go through the packed and
// installed package unless a test exercises an internal piece directly.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fakeModuleBytes } from './fakemodule.js';
import { importInstalled, prepared } from './prepared.js';
import { createWASI, implemented, ProcExit } from '../lib/wasi.js';
import { rfc3339 } from '../lib/requests.js';
import * as browserHost from '../lib/browser-host.js';

const lv = await importInstalled();
const { installed, scratch } = prepared();
const wasmPath = path.join(installed, 'licverify.wasm');
const wasmBytes = readFileSync(wasmPath);
const bytes = (s) => new TextEncoder().encode(s);

// Runs before init: the package is imported once per test file.
test('use before init throws a clear error', () => {
  assert.throws(() => lv.canonicalize('{}'), { name: 'LicverifyError', message: /await init\(\)/ });
  assert.throws(() => lv.call({ op: 'canonicalize', document: '{}' }), /not initialized/);
});

test('a failed init can be retried', async () => {
  await assert.rejects(lv.init({ wasm: new Uint8Array([0, 1, 2, 3]) }), WebAssembly.CompileError);
  await assert.rejects(lv.init({ wasm: path.join(scratch, 'no-such.wasm') }), { code: 'ENOENT' });
  // A module of the JSON request format (ABI 1) is refused, not guessed at.
  await assert.rejects(lv.init({ wasm: fakeModuleBytes({ abi: 1 }) }), /ABI version 1, this package speaks 2/);
  await lv.init();
  assert.equal(lv.canonicalize('{"b":1,"a":2}').canonical, '{"a":2,"b":1}');
  await lv.init({ wasm: new Uint8Array([0]) }); // already initialized: a no-op
});

test('init and createVerifier take a path, a file URL, bytes or a Module', async () => {
  const sources = {
    path: wasmPath,
    url: pathToFileURL(wasmPath),
    'url string': pathToFileURL(wasmPath).href,
    bytes: new Uint8Array(wasmBytes),
    ArrayBuffer: wasmBytes.buffer.slice(wasmBytes.byteOffset, wasmBytes.byteOffset + wasmBytes.length),
    Module: await WebAssembly.compile(wasmBytes),
  };
  for (const [name, wasm] of Object.entries(sources)) {
    const v = await lv.createVerifier({ wasm });
    assert.equal(v.canonicalize('[1.0]').canonical, '[1]', name);
  }
  await assert.rejects(lv.createVerifier({ wasm: 42 }), TypeError);
});

// What init() says when it cannot load the module: where it looked, and
// what it found there, never only the compiler's or fetch's bare error.
test('a module that cannot be loaded is reported with its URL or path and what came back', async () => {
  // A server that answers every path with its app's page, as a single-page
  // app's fallback does, and one that answers 404.
  const page = '<!doctype html><html><head><title>app</title></head><body><div id="app"></div></body></html>\n';
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/missing/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('404\n');
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    await assert.rejects(lv.createVerifier({ wasm: new URL(`${base}/assets/licverify.wasm`) }), {
      name: 'Error',
      message:
        `licverify: ${base}/assets/licverify.wasm is not a WebAssembly module: the server answered 200 text/html; charset=utf-8: ` +
        `${page.length} bytes beginning ${JSON.stringify(page.slice(0, 64))}…: an HTML page, as a server that answers every path ` +
        'with its app (an SPA fallback) gives for a file it lacks. Serve licverify.wasm at that URL, or pass init({ wasm }) where it is',
    });
    await assert.rejects(lv.createVerifier({ wasm: `${base}/missing/licverify.wasm` }), {
      message: `licverify: fetching the module failed: 404 Not Found ${base}/missing/licverify.wasm`,
    });
  } finally {
    server.close();
  }
  // Nothing listens there any more: fetch's own error, with the URL.
  await assert.rejects(lv.createVerifier({ wasm: `${base}/licverify.wasm` }), {
    message: new RegExp(`^licverify: fetching the module from ${base}/licverify\\.wasm failed: fetch failed$`),
  });

  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-notwasm-'));
  try {
    // A Git LFS pointer where the module should be, and an empty file.
    const pointer = path.join(dir, 'licverify.wasm');
    const lfs = 'version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 3776406\n';
    writeFileSync(pointer, lfs);
    await assert.rejects(lv.createVerifier({ wasm: pointer }), {
      message: `licverify: ${pointer} is not a WebAssembly module: it holds ${lfs.length} bytes beginning ${JSON.stringify(lfs.slice(0, 64))}…`,
    });
    const empty = path.join(dir, 'empty.wasm');
    writeFileSync(empty, '');
    await assert.rejects(lv.createVerifier({ wasm: pathToFileURL(empty) }), { message: `licverify: ${empty} is not a WebAssembly module: it holds 0 bytes` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Bytes the caller gives are the caller's: the compiler's own error.
  await assert.rejects(lv.createVerifier({ wasm: new Uint8Array([0x3c, 0x21, 0x64, 0x6f]) }), WebAssembly.CompileError);
});

test('a package without its module says which file is missing', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-nomodule-'));
  try {
    const copy = path.join(dir, 'licverify');
    cpSync(installed, copy, { recursive: true, filter: (f) => path.basename(f) !== 'licverify.wasm' });
    const bare = await import(pathToFileURL(path.join(copy, 'node.js')).href);
    await assert.rejects(bare.init(), {
      code: 'ENOENT',
      message: `licverify: the package has no module: ${path.join(copy, 'licverify.wasm')} is missing; install the package again, or pass init({ wasm })`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('createVerifier instances are independent of the default one', async () => {
  await lv.init();
  const v = await lv.createVerifier();
  assert.notEqual(v, undefined);
  assert.deepEqual(v.canonicalize('{"a":[]}'), lv.canonicalize('{"a":[]}'));
});

test('a rejection is a result, misuse throws', async () => {
  await lv.init();
  const r = lv.canonicalize('{"a":1,"a":2}');
  assert.equal(r.valid, false);
  assert.equal(r.code, 'duplicate_key');
  assert.match(r.message, /duplicate/);

  assert.throws(() => lv.canonicalize({ a: 1 }), { name: 'TypeError', message: /exact text/ });
  assert.throws(() => lv.canonicalize('{}', { limt: 5 }), { name: 'TypeError', message: /unknown option "limt"/ });
  // Names inherited from Object.prototype are not options either.
  for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
    const options = JSON.parse(`{${JSON.stringify(name)}: 1}`);
    assert.throws(() => lv.canonicalize('{}', options), { name: 'TypeError', message: /unknown option/ }, name);
  }
  assert.throws(() => lv.canonicalize('{}', { limit: 1.5 }), { name: 'TypeError', message: /limit must be an integer within ±2\^53/ });
  assert.throws(() => lv.canonicalize('{}', 'x'), TypeError);
  assert.throws(() => lv.canonicalize(), { name: 'TypeError', message: /document is required/ });
  assert.throws(() => lv.verifyStatusProof('{}', { keys: '[]', now: '2026-01-01T00:00:00Z', minEpoch: '1' }), {
    name: 'TypeError',
    message: /minEpoch must be an integer within ±2\^53/,
  });
  assert.throws(() => lv.verifyRevocationSet('{}', { keys: '[]', now: 5 }), { name: 'TypeError', message: /now must be a Date/ });
  assert.throws(() => lv.verifyRevocationSet('{}', { keys: '[]', now: '2026-01-01T00:00:00Z', deltas: '{}' }), {
    name: 'TypeError',
    message: /deltas must be an array/,
  });
  assert.throws(() => lv.fingerprintHash(null), TypeError);
  // The module refuses the request: an exception, not a result.
  assert.throws(() => lv.verifyStatusProof('{}', { now: '2026-01-01T00:00:00Z' }), {
    name: 'LicverifyError',
    message: 'licverify: bad request: keys is required',
  });
  assert.throws(() => lv.canonicalize('{}', { limit: 0 }), { name: 'LicverifyError', message: /limit is 0, below its minimum 1/ });
  // 2^53 is an exact Number and the largest epoch: it goes back as
  // min_epoch; bounds beyond a member's maximum are the module's to refuse,
  // a LicverifyError as in every runtime.
  const sp = lv.verifyStatusProof('{}', { keys: '[{"kid":"k","alg":"ed25519","public_key":"WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY="}]', now: '2026-01-01T00:00:00Z', minEpoch: 2 ** 53 });
  assert.equal(sp.code, 'signature_missing');
  assert.throws(() => lv.verifyStatusProof('{}', { keys: '[]', now: '2026-01-01T00:00:00Z', maxTtlSeconds: 2 ** 53 }), { name: 'LicverifyError', message: /max_ttl_seconds/ });
  assert.throws(() => lv.verifyStatusProof('{}', { keys: '[]', now: '2026-01-01T00:00:00Z', minEpoch: 2 ** 53 + 2 }), { name: 'TypeError', message: /within ±2\^53/ });
});

test('call takes a frame or a request object, and returns the response text', async () => {
  await lv.init();
  const frame = (header, ...parts) => {
    const h = bytes(header);
    const chunks = [bytes('LVR2'), new Uint8Array(new Uint32Array([h.length]).buffer), h];
    for (const [name, data] of parts) chunks.push(Uint8Array.of(name.length), bytes(name), new Uint8Array(new Uint32Array([data.length]).buffer), data);
    return Uint8Array.from(chunks.flatMap((c) => [...c]));
  };
  const f = frame('{"op":"canonicalize"}', ['document', bytes('[1.0]')]);
  const want = '{"valid":true,"code":"ok","message":"canonical form computed","canonical":"[1]"}';
  assert.equal(lv.call(f), want);
  assert.equal(lv.call(f.buffer), want, 'an ArrayBuffer');
  assert.equal(lv.call(new DataView(f.buffer)), want, 'a view');
  // The vectors' JSON form: documents as text, as bytes, or as base64.
  assert.equal(lv.call({ op: 'canonicalize', document: '[1.0]' }), want);
  assert.equal(lv.call({ op: 'canonicalize', document: bytes('[1.0]') }), want);
  assert.equal(lv.call({ op: 'canonicalize', document_b64: btoa('[1.0]') }), want);
  assert.throws(() => lv.call({ op: 'canonicalize', document_b64: 'WzEuMF0' }), { name: 'TypeError', message: /not standard base64/ });
  // Every other member goes into the header as it is, for the module to judge.
  assert.equal(lv.call({ op: 'nope' }), '{"error":"licverify: bad request: unknown op \\"nope\\""}');
  assert.equal(lv.call({ op: 'canonicalize', document: '{}', limit: '5' }), '{"error":"licverify: bad request: limit must be an integer"}');
  assert.match(JSON.parse(lv.call({ op: 'canonicalize', document: '{}', extra: 1 })).error, /canonicalize has no member "extra"/);
  // The module's answers to frames it cannot read are text too.
  assert.match(JSON.parse(lv.call(bytes('{"op":"canonicalize"}'))).error, /ABI version 1/);
  assert.match(JSON.parse(lv.call(bytes('LVR2'))).error, /^licverify: bad request: /);
  // JSON text is neither: the caller frames it or parses it.
  assert.throws(() => lv.call('{"op":"canonicalize","document":"{}"}'), { name: 'TypeError', message: /frame/ });
  assert.throws(() => lv.call(7), TypeError);
  assert.throws(() => lv.call(null), TypeError);
});

test('documents may be bytes, sent as they are: the module judges them', async () => {
  await lv.init();
  const enc = new TextEncoder();
  assert.equal(lv.canonicalize(enc.encode('{"é":1}')).canonical, '{"é":1}');
  assert.equal(lv.canonicalize(enc.encode('[2.50]').buffer).canonical, '[2.5]');
  assert.equal(lv.canonicalize(new Uint16Array(enc.encode('[3.0] ').buffer)).canonical, '[3]', 'any view, all its bytes');
  assert.equal(lv.canonicalize(enc.encode('x[4.0]').subarray(1)).canonical, '[4]', 'a subarray, only its bytes');
  const r = lv.canonicalize(new Uint8Array([0x22, 0xff, 0x22]));
  assert.deepEqual(r, { valid: false, code: 'malformed_json', message: 'canonical: invalid UTF-8 at byte 1' });
  // A keyring is bytes too; one that does not load is configuration, an
  // error carrying its code, never a result.
  assert.throws(() => lv.verifyStatusProof('{}', { keys: new Uint8Array([0xff]), now: '2026-01-01T00:00:00Z' }),
    (err) => err instanceof lv.LicverifyError && err.code === 'malformed_json' && err.message.startsWith('licverify: keyring: '));
});

test('fingerprintHash takes the components object or its text', async () => {
  await lv.init();
  const a = lv.fingerprintHash({ b: '2', a: '1' });
  const b = lv.fingerprintHash('{"a":"1","b":"2"}');
  assert.equal(a.valid, true);
  assert.equal(a.binding_hash, b.binding_hash);
  // sha256 of the canonical text {"a":"1","b":"2"}, computed here.
  const { createHash } = await import('node:crypto');
  const hex = createHash('sha256').update('{"a":"1","b":"2"}').digest('hex');
  assert.equal(a.binding_hash, `sha256:${hex}`);
  assert.equal(a.machine_id, hex.slice(0, 32));
});

test('Dates are sent as RFC 3339 UTC, milliseconds only when present', () => {
  assert.equal(rfc3339(new Date(Date.UTC(2030, 0, 2, 3, 4, 5))), '2030-01-02T03:04:05Z');
  assert.equal(rfc3339(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 60))), '2030-01-02T03:04:05.060Z');
  assert.throws(() => rfc3339(new Date(NaN)), TypeError);
});

test('a crashed instance is replaced; the crash text is reported', async () => {
  // The fake module echoes the request bytes as its response.
  const v = await lv.createVerifier({ wasm: fakeModuleBytes() });
  assert.equal(v.call(bytes('{"valid":true}')), '{"valid":true}');
  const gen = v.generation;

  // A request that crashes every instance is thrown, with what the module
  // wrote to stderr.
  assert.throws(() => v.call(bytes('T')), { name: 'ModuleCrash', message: /unreachable\nboom/ });
  assert.throws(() => v.call(bytes('T')), lv.ModuleCrash);
  assert.throws(() => v.call(bytes('X')), { name: 'ModuleCrash', message: /exited with code 3/ });
  assert.throws(() => v.call(bytes('{"error":"internal: broken"}')), { name: 'ModuleCrash', message: /internal: broken/ });
  assert.equal(v.call(bytes('after')), 'after');
  assert.ok(v.generation > gen);

  // An instance left broken by an earlier call is replaced without the
  // caller noticing: the next call is answered by a fresh one.
  assert.equal(v.call(bytes('P')), 'P');
  const poisoned = v.generation;
  assert.equal(v.call(bytes('{"ok":1}')), '{"ok":1}');
  assert.equal(v.generation, poisoned + 1);
});

test('the WASI shim implements every import of the module', async () => {
  const mod = await WebAssembly.compile(wasmBytes);
  const imports = WebAssembly.Module.imports(mod);
  assert.ok(imports.length > 0);
  for (const imp of imports) {
    assert.equal(imp.module, 'wasi_snapshot_preview1', imp.name);
    assert.ok(implemented.includes(imp.name), `import ${imp.name} is not implemented`);
  }
});

test('the WASI shim grants no files, environment or arguments', () => {
  const wasi = createWASI();
  const memory = new WebAssembly.Memory({ initial: 2 });
  wasi.bind(memory);
  const fns = wasi.functions;
  const v = new DataView(memory.buffer);
  const EBADF = 8;
  v.setUint32(0, 99, true);
  v.setUint32(4, 99, true);
  assert.equal(fns.args_sizes_get(0, 4), 0);
  assert.deepEqual([v.getUint32(0, true), v.getUint32(4, true)], [0, 0]);
  v.setUint32(0, 99, true);
  assert.equal(fns.environ_sizes_get(0, 4), 0);
  assert.equal(v.getUint32(0, true), 0);
  assert.equal(fns.fd_prestat_get(3, 0), EBADF);
  assert.equal(fns.fd_read(0, 0, 0, 0), EBADF);
  for (const fd of [0, 1, 2]) {
    assert.equal(fns.fd_fdstat_get(fd, 16), 0);
    assert.equal(v.getUint8(16), 2, 'a character device');
  }
  assert.equal(fns.fd_fdstat_get(3, 16), EBADF);
  assert.equal(fns.fd_fdstat_set_flags(1, 0), EBADF);
  assert.equal(fns.fd_write(3, 0, 0, 0), EBADF);
  assert.equal(fns.fd_close(2), EBADF);

  // stderr is captured.
  new Uint8Array(memory.buffer).set(new TextEncoder().encode('hi\n'), 100);
  v.setUint32(200, 100, true);
  v.setUint32(204, 3, true);
  assert.equal(fns.fd_write(2, 200, 1, 300), 0);
  assert.equal(v.getUint32(300, true), 3);
  assert.equal(wasi.output(), 'hi\n');

  // a clock and randomness.
  // The wall clock tells the module nothing: it starts at 2022-01-01.
  assert.equal(fns.clock_time_get(0, 0n, 400), 0);
  const wall = Number(v.getBigUint64(400, true) / 1000000n);
  assert.ok(wall >= Date.UTC(2022, 0, 1) && wall < Date.UTC(2022, 0, 2), new Date(wall).toISOString());
  assert.equal(fns.clock_time_get(1, 0n, 408), 0);
  const m1 = v.getBigUint64(408, true);
  fns.clock_time_get(1, 0n, 408);
  assert.ok(v.getBigUint64(408, true) >= m1);
  assert.equal(fns.clock_time_get(7, 0n, 408), 28);
  assert.equal(fns.random_get(1000, 70000), 0);
  assert.ok(new Uint8Array(memory.buffer, 1000 + 65536, 4000).some((b) => b !== 0));
  assert.throws(() => fns.proc_exit(2), ProcExit);
});

test('importing and using the package prints nothing', () => {
  const script = `
    const lv = await import('licverify');
    await lv.init();
    const r = lv.canonicalize('{"a":1}');
    if (!r.valid) process.exit(3);
  `;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stderr, '', 'stderr must be empty (no ExperimentalWarning)');
  assert.equal(res.stdout, '');
});

test('the packed package holds what it needs and nothing else', () => {
  const { files } = prepared();
  for (const f of ['package.json', 'index.d.ts', 'index.d.cts', 'node.js', 'node.cjs', 'browser.js', 'licverify.wasm', 'README.md', 'LICENSE', 'lib/wasi.js', 'lib/ops.js']) {
    assert.ok(files.includes(f), `${f} missing from the package`);
  }
  for (const f of files) assert.ok(!/^(test|demo|scripts|node_modules)\//.test(f), `${f} should not be packed`);
  const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'browser', 'node', 'default']);
  assert.deepEqual(pkg.dependencies ?? {}, {});
});

test('Node epoch store: raises only, persists, writes atomically', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-epochs-'));
  try {
    const file = path.join(dir, 'sub', 'epochs.json');
    const store = lv.createEpochStore({ path: file });
    assert.equal(await store.get('proofs'), 0);
    assert.equal(await store.raise('proofs', 5), 5);
    assert.equal(await store.raise('proofs', 3), 5, 'an older epoch never lowers the stored one');
    const raced = await Promise.all([store.raise('sets', 7), store.raise('sets', 9), store.raise('sets', 8)]);
    assert.deepEqual(raced, [7, 9, 9]);
    assert.equal(await lv.createEpochStore({ path: file }).get('proofs'), 5, 'kept in the file');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { proofs: 5, sets: 9 });
    assert.deepEqual(readdirSync(path.dirname(file)), ['epochs.json'], 'no temporary file left behind');

    await assert.rejects(store.raise('proofs', -1), TypeError);
    await assert.rejects(store.raise('proofs', 1.5), TypeError);
    await assert.rejects(store.raise('proofs', 2 ** 53 + 2), TypeError);
    await assert.rejects(store.get(''), TypeError);
    // 2^53 is an epoch (the largest a document carries), and names that
    // are also Object.prototype's are ordinary namespaces: a guard that
    // silently stored nothing for "__proto__" would be off.
    assert.equal(await store.raise('top', 2 ** 53), 2 ** 53);
    assert.equal(await lv.createEpochStore({ path: file }).get('top'), 2 ** 53);
    for (const ns of ['__proto__', 'constructor', 'toString']) {
      assert.equal(await store.get(ns), 0, ns);
      assert.equal(await store.raise(ns, 6), 6, ns);
      assert.equal(await lv.createEpochStore({ path: file }).get(ns), 6, ns);
    }
    assert.equal(JSON.parse(readFileSync(file, 'utf8'))['__proto__'], 6, 'written as an own member');
    assert.equal(await store.get('proofs'), 5, 'the other namespaces are untouched');
    // Damage is an error, never a silent reset to 0 (that would allow a rollback).
    writeFileSync(file, '{"proofs": "5"');
    await assert.rejects(store.get('proofs'), /damaged/);
    writeFileSync(file, '{"proofs": -2}');
    await assert.rejects(store.get('proofs'), /damaged/);
    assert.throws(() => lv.createEpochStore({}), TypeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('browser epoch store and install id over Web Storage', async () => {
  const map = new Map();
  const storage = { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)) };
  const store = browserHost.createEpochStore({ storage });
  assert.equal(await store.get('proofs'), 0);
  assert.equal(await store.raise('proofs', 4), 4);
  assert.equal(await store.raise('proofs', 2), 4);
  assert.equal(await browserHost.createEpochStore({ storage }).get('proofs'), 4);
  assert.equal(await store.get('constructor'), 0);
  assert.equal(await store.raise('__proto__', 2 ** 53), 2 ** 53);
  assert.equal(await browserHost.createEpochStore({ storage }).get('__proto__'), 2 ** 53);
  map.set('licverify.epochs', 'nonsense');
  await assert.rejects(store.get('proofs'), /damaged/);
  assert.throws(() => browserHost.createEpochStore({ storage: {} }), TypeError);

  const a = await browserHost.collectFingerprint({ storage });
  assert.match(a.install_id, /^[0-9a-f]{32}$/);
  assert.deepEqual(await browserHost.collectFingerprint({ storage }), a, 'kept in storage');
  assert.notDeepEqual(await browserHost.collectFingerprint({ storage: { getItem: () => null, setItem() {} } }), a);
});

test('Node fingerprint collector reads OS identifiers', async () => {
  await lv.init();
  const c = await lv.collectFingerprint();
  assert.equal(c.hostname, os.hostname());
  assert.equal(c.total_memory, String(os.totalmem()));
  assert.equal(c.platform, os.platform());
  if (existsSync('/etc/machine-id')) assert.equal(c.machine_id, readFileSync('/etc/machine-id', 'utf8').trim());
  for (const v of Object.values(c)) assert.equal(typeof v, 'string');
  assert.deepEqual(await lv.collectFingerprint(), c, 'stable across calls');
  assert.equal(lv.fingerprintHash(c).valid, true);
});

// index.d.ts is written by hand: every value it declares must exist in
// both entry points, and nothing exported may go undeclared.
test('index.d.ts declares exactly what the entry points export', async () => {
  const dts = readFileSync(path.join(installed, 'index.d.ts'), 'utf8');
  const declared = [...dts.matchAll(/^export (?:declare )?(?:function|class|const) (\w+)/gm)].map((m) => m[1]);
  const unique = [...new Set(declared)].sort();
  const browser = await import(pathToFileURL(path.join(installed, 'browser.js')).href);
  assert.deepEqual(Object.keys(lv).sort(), unique, 'node entry point');
  assert.deepEqual(Object.keys(browser).sort(), unique, 'browser entry point');
});
