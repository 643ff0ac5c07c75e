// The session in Node (docs/lifecycle.md, "The sessions"), through the
// packed package: every scenario of testvectors/lifecycle/scenarios.json
// against the test issuer with the directory store; the HTTP transport
// against real loopback servers (an error's status and detail, a body
// over its bound, a timeout); the directory store's files, modes and
// bounds; two processes sharing one store; the background refresh.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { js, repo } from './paths.js';
import { snippets } from './snippets.js';
import { importInstalled, prepared } from './prepared.js';
import { closedPort, control, startIssuer } from './issuer.js';
import { checkFile, runScenario } from './lifecycle.js';

const scenariosFile = path.join(repo, 'testvectors', 'lifecycle', 'scenarios.json');

let lv;
let issuer;
let deadPort;

before(async () => {
  lv = await importInstalled();
  await lv.init();
  issuer = await startIssuer();
  deadPort = await closedPort();
});

after(async () => {
  await issuer?.stop();
});

function tempDir(t) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-session-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// nodeEnv is the scenario runner's environment over a store directory.
function nodeEnv(dir, file) {
  const { info } = issuer;
  const transports = {
    true: lv.httpTransport({ baseUrl: info.url, apiKey: info.api_key, timeoutMs: file.session.timeout_ms }),
    false: lv.httpTransport({ baseUrl: `http://127.0.0.1:${deadPort}`, apiKey: info.api_key, timeoutMs: file.session.timeout_ms }),
  };
  return {
    info,
    session: file.session,
    control: async (p, body) => JSON.parse(await control(info.url, p, body)),
    controlText: (p) => control(info.url, p),
    createSession: lv.createSession,
    store: () => lv.createSessionStore({ dir }),
    transport: (reachable) => transports[reachable],
    readEntry: (name) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'latin1') : null),
    writeEntry: (name, text) => writeFileSync(path.join(dir, name), text, 'latin1'),
  };
}

test('scenarios.json: every scenario, in Node with the directory store', async (t) => {
  assert.ok(existsSync(scenariosFile), `${scenariosFile} is missing`);
  const file = JSON.parse(readFileSync(scenariosFile, 'utf8'));
  assert.deepEqual(checkFile(file), [], 'the scenario file has only what this runner knows');
  const failed = [];
  for (const sc of file.scenarios) {
    await t.test(sc.id, async (t) => {
      const dir = path.join(tempDir(t), 'store');
      const failures = await runScenario(sc, nodeEnv(dir, file));
      if (failures.length > 0) failed.push(sc.id);
      assert.deepEqual(failures, [], `${sc.id} (${sc.comment})`);
    });
  }
  console.log(`session: ${file.scenarios.length - failed.length}/${file.scenarios.length} scenarios passed in Node`);
});

// The strict reading: what the runner does not know fails, never passes unseen.
test('the scenario runner refuses an unknown step, expectation or member', () => {
  const base = { schema: 'licverify-lifecycle-v1', session: { ttl_hours: 24, timeout_ms: 1000, policy: {} } };
  const with1 = (step) => ({ ...base, scenarios: [{ id: 'x', comment: 'c', steps: [step] }] });
  assert.deepEqual(checkFile(with1({ check: {}, expect: { code: 'ok' } })), []);
  assert.match(checkFile(with1({ jump: 3 })).join('\n'), /0 actions/);
  assert.match(checkFile(with1({ check: {}, expect: { verdict: 'ok' } })).join('\n'), /unknown member "verdict"/);
  assert.match(checkFile(with1({ check: {}, expect: { hits: { proofs: 1 } } })).join('\n'), /unknown member "proofs"/);
  assert.match(checkFile(with1({ advance: 1, restart: true })).join('\n'), /2 actions/);
  assert.match(checkFile(with1({ crash: 'deltas_written' })).join('\n'), /unknown crash/);
  assert.match(checkFile({ ...base, extra: 1, scenarios: [] }).join('\n'), /unknown member "extra"/);
});

// The runner compares for real: a scenario with a wrong expectation fails,
// and says how.
test('a scenario whose expectation does not hold fails', async (t) => {
  const file = JSON.parse(readFileSync(scenariosFile, 'utf8'));
  const sc = structuredClone(file.scenarios.find((s) => s.id === 'first-start-online'));
  assert.ok(sc, 'the scenario first-start-online');
  sc.steps[0].expect.code = 'revoked';
  sc.steps[1].expect.hits = { proof: 1, revocation: 0 };
  sc.steps[1].expect.files = ['no-such.json'];
  const failures = await runScenario(sc, nodeEnv(path.join(tempDir(t), 'store'), file));
  assert.equal(failures.length, 3, failures.join('\n'));
  assert.match(failures[0], /^step 1 .*: code is "ok", want "revoked"/);
  assert.match(failures[1], /^step 2 .*: hits is \{"proof":0,"revocation":0\}, want \{"proof":1,"revocation":0\}/);
  assert.match(failures[2], /^step 2 .*: no-such\.json is missing/);
});

// The README's first example, and the repository README's, each run as
// it is written against the test issuer (its clock set to now): only the
// keyring, the issuer's URL and key, and the store directory are filled in.
for (const [name, file, printed] of [
  ['the README', path.join(js, 'README.md'), (id) => new RegExp(`^${id} valid until \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\n$`)],
  ["the repository README", path.join(repo, 'README.md'), () => /^licensed until \d{4}-\d{2}-\d{2}T[\d:.]+Z\n$/],
]) {
  test(`${name}'s first example runs: a session checks, and the process exits`, async (t) => {
    const readme = readFileSync(file, 'utf8');
    const found = snippets(readme).filter((s) => s.code.startsWith("import { init, createSession, createSessionStore, httpTransport } from 'licverify';"));
    assert.equal(found.length, 1, `${file} has one snippet importing createSession first`);
    const { info } = issuer;
    const dir = path.join(tempDir(t), 'license');
    const fill = [
      ["'https://issuer.example'", JSON.stringify(info.url)],
      ["'ql_your_api_key'", JSON.stringify(info.api_key)],
      ["'.license'", JSON.stringify(dir)],
    ];
    let code = found[0].code;
    for (const [from, to] of fill) {
      assert.ok(code.includes(from), `the snippet has ${from}`);
      code = code.replace(from, to);
    }
    await control(issuer.url, '/_test/reset', {});
    await control(issuer.url, '/_test/clock', { now: new Date().toISOString() });
    const script = path.join(prepared().scratch, 'readme-session.mjs');
    writeFileSync(script, `const keyringText = ${JSON.stringify(info.keys)};\n${code}`);
    const child = spawn(process.execPath, [script], { cwd: prepared().scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exit = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(exit, 0, err);
    assert.match(out, printed(info.license_id));
    assert.ok(existsSync(path.join(dir, 'proof.json')) && existsSync(path.join(dir, 'set.json')));
  });
}

// --- the HTTP transport against real loopback servers ---

// listen starts a loopback server with handler and resolves to its base URL.
async function listen(t, handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${server.address().port}`;
}

test('httpTransport: a redirect is not followed, it fails the fetch', async (t) => {
  const seen = [];
  const target = await listen(t, (req, res) => {
    seen.push(`target ${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  const base = await listen(t, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(302, { location: `${target}${req.url}` });
    res.end();
  });
  const tr = lv.httpTransport({ baseUrl: base, apiKey: 'k1' });
  const err = await tr.fetchProof({ licenseId: 'lic-9', ttlHours: 24 }).catch((e) => e);
  assert.ok(err instanceof Error, 'the fetch fails');
  assert.match(err.message, /^licverify: POST /);
  const err2 = await tr.fetchRevocation(null).catch((e) => e);
  assert.ok(err2 instanceof Error);
  assert.deepEqual(seen, ['POST /api/v1/v2/status-proof', 'GET /api/v1/v2/revocation'], 'the redirect target is never asked');
});

test('httpTransport: a non-2xx answer carries its status and the detail of its body', async (t) => {
  const seen = [];
  const base = await listen(t, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
      if (req.headers.authorization !== 'Bearer k1') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"detail":"Invalid API key"}');
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"detail":"License not found: lic-9"}');
    });
  });
  const tr = lv.httpTransport({ baseUrl: `${base}/`, apiKey: 'k1' });
  const err404 = await tr.fetchProof({ licenseId: 'lic-9', fingerprint: { cpu_id: 'c' }, ttlHours: 48 }).catch((e) => e);
  assert.equal(err404.status, 404);
  assert.equal(err404.detail, 'License not found: lic-9');
  assert.match(err404.message, /^licverify: POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/v2\/status-proof: 404 Not Found: License not found: lic-9$/);
  // What went out: the seeds' request, the key, the JSON body.
  assert.deepEqual(seen[0], {
    method: 'POST',
    url: '/api/v1/v2/status-proof',
    auth: 'Bearer k1',
    type: 'application/json',
    body: '{"license_id":"lic-9","device_fingerprint":{"cpu_id":"c"},"ttl_hours":48}',
  });
  const err401 = await lv.httpTransport({ baseUrl: base, apiKey: 'wrong' }).fetchRevocation(7).catch((e) => e);
  assert.equal(err401.status, 401);
  assert.equal(err401.detail, 'Invalid API key');
  assert.equal(seen[1].url, '/api/v1/v2/revocation?since_epoch=7');
  assert.equal(seen[1].method, 'GET');
  // A body with no detail: the status alone.
  const plain = await listen(t, (req, res) => {
    res.writeHead(502);
    res.end('<html>bad gateway</html>');
  });
  const err502 = await lv.httpTransport({ baseUrl: plain }).fetchRevocation(null).catch((e) => e);
  assert.equal(err502.status, 502);
  assert.equal(err502.detail, undefined);
  assert.match(err502.message, /: 502 Bad Gateway$/);
});

test('httpTransport: a body over its bound is refused while it is read', async (t) => {
  const MiB = 1 << 20;
  let streamed = 0;
  const base = await listen(t, (req, res) => {
    if (req.url.startsWith('/api/v1/v2/status-proof')) {
      // Declared too large: refused before reading.
      res.writeHead(200, { 'content-length': String(MiB + 1) });
      return res.end(Buffer.alloc(MiB + 1, 0x20));
    }
    // Chunked, no length: 64 MiB + 1 MiB streamed, refused once past 64 MiB.
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(MiB, 0x20);
    let n = 0;
    const more = () => {
      while (n < 65) {
        n++;
        streamed += chunk.length;
        if (!res.write(chunk)) return res.once('drain', more);
      }
      res.end();
    };
    res.on('error', () => {});
    more();
  });
  const tr = lv.httpTransport({ baseUrl: base });
  const big = await tr.fetchProof({ licenseId: 'lic', ttlHours: 24 }).catch((e) => e);
  assert.match(String(big.message), /the answer is over 1048576 bytes/);
  const huge = await tr.fetchRevocation(null).catch((e) => e);
  assert.match(String(huge.message), /the answer is over 67108864 bytes/);
  // Exactly at the bound is fine.
  const exact = await listen(t, (req, res) => {
    res.writeHead(200);
    res.end(Buffer.alloc(MiB, 0x20));
  });
  assert.equal((await lv.httpTransport({ baseUrl: exact }).fetchProof({ licenseId: 'l', ttlHours: 1 })).length, MiB);
  assert.ok(streamed > 0);
});

test('httpTransport: an exchange over timeoutMs is aborted, a closed port fails', async (t) => {
  const base = await listen(t, () => {
    // never answers
  });
  const err = await lv.httpTransport({ baseUrl: base, timeoutMs: 200 }).fetchRevocation(null).catch((e) => e);
  assert.match(String(err.message), /^licverify: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/v2\/revocation: no answer within 200 ms$/);
  // A body that starts and then stalls is cut off too.
  const stall = await listen(t, (req, res) => {
    res.writeHead(200);
    res.write('{"epoch":');
  });
  const err2 = await lv.httpTransport({ baseUrl: stall, timeoutMs: 200 }).fetchRevocation(null).catch((e) => e);
  assert.match(String(err2.message), /no answer within 200 ms/);
  const down = await lv.httpTransport({ baseUrl: `http://127.0.0.1:${deadPort}` }).fetchRevocation(null).catch((e) => e);
  assert.ok(down instanceof Error);
  assert.match(down.message, new RegExp(`^licverify: GET http://127\\.0\\.0\\.1:${deadPort}/api/v1/v2/revocation: `));
  assert.equal(down.status, undefined);
});

test('httpTransport: misuse is a TypeError', () => {
  assert.throws(() => lv.httpTransport({}), TypeError);
  assert.throws(() => lv.httpTransport({ baseUrl: 'ftp://x' }), /http\(s\)/);
  assert.throws(() => lv.httpTransport({ baseUrl: 'http://x', timeout: 5 }), /unknown option "timeout"/);
  assert.throws(() => lv.httpTransport({ baseUrl: 'http://x', apiKey: 'a\nb' }), TypeError);
  assert.throws(() => lv.httpTransport({ baseUrl: 'http://x', timeoutMs: 0 }), TypeError);
});

// --- the directory store ---

test('the directory store: 0700 directory, 0600 files, atomic writes, session.lock', async (t) => {
  const dir = path.join(tempDir(t), 'a', 'store');
  const store = lv.createSessionStore({ dir });
  assert.equal(await store.read('proof.json', 10), null);
  await store.withLock(async () => {
    assert.ok(lstatSync(path.join(dir, 'session.lock')).isFile(), 'session.lock held');
    await store.write('proof.json', new TextEncoder().encode('{"a":1}'));
  });
  assert.ok(!existsSync(path.join(dir, 'session.lock')), 'session.lock released');
  assert.equal(lstatSync(dir).mode & 0o777, 0o700);
  assert.equal(lstatSync(path.join(dir, 'proof.json')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['proof.json'], 'no temporary file left');
  assert.equal(new TextDecoder().decode((await store.read('proof.json', 7)).bytes), '{"a":1}');
  assert.match((await store.read('proof.json', 6)).problem, /over the 6-byte bound/);
  assert.equal(await store.raiseEpoch(5), 5);
  assert.equal(await store.raiseEpoch(3), 5);
  assert.equal(await store.epoch(), 5);
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'epochs.json'), 'utf8')), { lifecycle: 5 });
  // Entries are never read through a symbolic link, nor from a FIFO.
  const elsewhere = path.join(path.dirname(dir), 'elsewhere.json');
  writeFileSync(elsewhere, '{}');
  symlinkSync(elsewhere, path.join(dir, 'set.json'));
  assert.match((await store.read('set.json', 100)).problem, /symbolic link/);
  mkdirSync(path.join(dir, 'state.json'));
  assert.match((await store.read('state.json', 100)).problem, /not a regular file/);
  assert.throws(() => lv.createSessionStore({ dir, depth: 1 }), /unknown option "depth"/);
  await assert.rejects(store.read('../x.json', 1), /no entry/);
});

// sessionOver is a session of the test license over dir, on the issuer.
function sessionOver(dir, extra = {}) {
  const { info } = issuer;
  return lv.createSession({
    keys: info.keys,
    licenseId: info.license_id,
    fingerprint: info.fingerprint,
    store: lv.createSessionStore({ dir }),
    transport: lv.httpTransport({ baseUrl: info.url, apiKey: info.api_key, timeoutMs: 2000 }),
    ...extra,
  });
}

async function issuerNow() {
  return new Date(JSON.parse(await control(issuer.url, '/_test/reset', {})).now);
}

test('what the store holds is untrusted: damaged entries are absent, with the reason', async (t) => {
  const dir = tempDir(t);
  const now = await issuerNow();
  const s = sessionOver(dir, { now: () => now });
  const first = await s.check();
  assert.equal(first.code, 'ok', JSON.stringify(first));
  assert.deepEqual(first.problems, []);
  for (const f of ['proof.json', 'set.json', 'deltas.json', 'state.json', 'epochs.json']) assert.ok(existsSync(path.join(dir, f)), f);
  // A state.json that is not JSON, deltas.json for another set: both set aside, and said so.
  writeFileSync(path.join(dir, 'state.json'), '{"synced_at": "2026-03-01T00:00:00Z",');
  writeFileSync(path.join(dir, 'deltas.json'), JSON.stringify({ base: 'sha256:' + '0'.repeat(64), deltas: ['{}'] }));
  const offline = sessionOver(dir, { now: () => now, offline: true });
  const r = await offline.check();
  assert.equal(r.code, 'ok');
  assert.equal(r.offline, true);
  assert.equal(r.refresh.done, 'none');
  assert.ok(r.problems.some((p) => /^state\.json: not JSON/.test(p)), r.problems.join('\n'));
  assert.ok(r.problems.some((p) => /^deltas\.json: its deltas follow another set\.json/.test(p)), r.problems.join('\n'));
  // A proof.json over its 1 MiB bound is treated as missing.
  writeFileSync(path.join(dir, 'proof.json'), Buffer.alloc((1 << 20) + 1, 0x20));
  const big = await offline.check();
  assert.equal(big.code, 'proof_missing');
  assert.ok(big.problems.some((p) => /^proof\.json: .*over the 1048576-byte bound/.test(p)), big.problems.join('\n'));
});

test('a transport of its own: what it returns is bounded, and its errors are failures', async (t) => {
  const now = await issuerNow();
  const { info } = issuer;
  const s = lv.createSession({
    keys: info.keys,
    licenseId: info.license_id,
    store: lv.createSessionStore({ dir: tempDir(t) }),
    transport: {
      fetchProof: async () => new Uint8Array((1 << 20) + 1),
      fetchRevocation: async () => {
        throw Object.assign(new Error('no route'), { status: 503 });
      },
    },
    now: () => now,
  });
  const r = await s.check();
  assert.equal(r.code, 'proof_missing');
  assert.equal(r.refresh.done, 'failed');
  assert.match(r.refresh.error, /returned 1048577 bytes for a proof, over the 1048576-byte bound/);
  assert.deepEqual(r.sync, { done: 'failed', error: 'no route', status: 503 });
  assert.equal(r.offline, true);
  assert.match(r.offline_reason, /no route/);
});

// --- two processes on one store ---

test('two processes checking one store: no torn file, no lowered epoch', async (t) => {
  const dir = tempDir(t);
  const start = await issuerNow();
  const child = path.join(tempDir(t), 'child.mjs');
  writeFileSync(
    child,
    `import * as lv from ${JSON.stringify(path.join(prepared().scratch, 'index.js'))};
await lv.init();
const [dir, info, start, rounds] = [process.argv[2], JSON.parse(process.argv[3]), Date.parse(process.argv[4]), Number(process.argv[5])];
const t0 = Date.now();
const s = lv.createSession({
  keys: info.keys, licenseId: info.license_id, fingerprint: info.fingerprint,
  store: lv.createSessionStore({ dir }),
  transport: lv.httpTransport({ baseUrl: info.url, apiKey: info.api_key, timeoutMs: 5000 }),
  policy: { syncIntervalSeconds: 1, backoffSeconds: 1, backoffMaxSeconds: 1, refreshPercent: 1 },
  now: () => new Date(start + (Date.now() - t0) * 100),
});
const out = [];
for (let i = 0; i < rounds; i++) {
  const r = await s.check();
  out.push({ code: r.code, epoch: r.stored_epoch, problems: r.problems, refresh: r.refresh.done, sync: r.sync.done });
  await new Promise((f) => setTimeout(f, 60));
}
console.log(JSON.stringify(out));
`,
  );
  const run = () =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [child, dir, JSON.stringify(issuer.info), start.toISOString(), '25'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
    });
  const children = [run(), run()];
  // Meanwhile the issuer's epoch rises: another license revoked and restored, over and over.
  let raising = true;
  const other = '5f0c9d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f';
  const raiser = (async () => {
    for (let i = 0; raising; i++) {
      await control(issuer.url, i % 2 === 0 ? '/_test/revoke' : '/_test/restore', { license_id: other });
      await sleep(40);
    }
  })();
  const reports = await Promise.all(children);
  raising = false;
  await raiser;
  let accepted = 0;
  for (const [k, rs] of reports.entries()) {
    let last = 0;
    for (const [i, r] of rs.entries()) {
      // ok, or the cached proof behind the epoch a newer set raised (refreshed at the next check).
      assert.ok(['ok', 'epoch_rollback'].includes(r.code), `child ${k} check ${i}: ${JSON.stringify(r)}`);
      assert.deepEqual(r.problems, [], `child ${k} check ${i}: a torn or damaged entry`);
      assert.ok(r.epoch >= last, `child ${k} check ${i}: stored epoch went from ${last} to ${r.epoch}`);
      last = r.epoch;
      accepted += (r.refresh === 'accepted') + (r.sync === 'accepted');
    }
  }
  assert.ok(accepted > 10, `the children accepted ${accepted} documents: too few to have raced`);
  for (const f of ['proof.json', 'set.json', 'deltas.json', 'state.json', 'epochs.json']) JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.json')), [], 'no lock or temporary file left');
  const stored = JSON.parse(readFileSync(path.join(dir, 'epochs.json'), 'utf8')).lifecycle;
  assert.ok(stored >= Math.max(...reports.flat().map((r) => r.epoch)));
  console.log(`session: two processes, ${reports.flat().length} checks, ${accepted} documents accepted, stored epoch ${stored}`);
});

// --- the background refresh ---

test('start() checks now and again at next_at; stop() ends it; the timer never holds the process', async (t) => {
  const dir = tempDir(t);
  const start = await issuerNow();
  let calls = 0;
  const { info } = issuer;
  const http1 = lv.httpTransport({ baseUrl: info.url, apiKey: info.api_key, timeoutMs: 2000 });
  const counting = {
    fetchProof: (r) => (calls++, http1.fetchProof(r)),
    fetchRevocation: (e) => (calls++, http1.fetchRevocation(e)),
  };
  const t0 = Date.now();
  // The session's clock runs from the issuer's; a set is due every second.
  const s = sessionOver(dir, {
    transport: counting,
    policy: { syncIntervalSeconds: 1, backoffSeconds: 1, backoffMaxSeconds: 1 },
    now: () => new Date(start.getTime() + (Date.now() - t0)),
  });
  const reports = [];
  const errors = [];
  let wake;
  s.start({
    onReport: (r) => {
      reports.push(r);
      wake?.();
    },
    onError: (e) => errors.push(e),
  });
  assert.equal(s.running, true);
  while (reports.length < 3) await new Promise((resolve) => (wake = resolve));
  s.stop();
  assert.equal(s.running, false);
  assert.deepEqual(errors, []);
  assert.equal(reports[0].refresh.done, 'accepted');
  assert.equal(reports[0].sync.done, 'accepted');
  assert.ok(reports.slice(1).some((r) => r.sync.done !== 'none'), 'a later check synced the set');
  assert.equal(s.lastReport, reports.at(-1));
  const seen = reports.length;
  const callsAtStop = calls;
  await sleep(1500);
  assert.equal(reports.length, seen, 'no check after stop()');
  assert.equal(calls, callsAtStop, 'no fetch after stop()');

  // A process whose only work left is a started session exits.
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import * as lv from ${JSON.stringify(path.join(prepared().scratch, 'index.js'))};
await lv.init();
const s = lv.createSession({ keys: ${JSON.stringify(info.keys)}, licenseId: 'lic', store: lv.createSessionStore({ dir: ${JSON.stringify(path.join(dir, 'child'))} }), offline: true });
s.start({ onReport: (r) => console.log('report', r.code) });`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.equal(out, 'report proof_missing\n');
});

test('createSession: misuse is a TypeError', () => {
  const store = lv.createSessionStore({ dir: path.join(os.tmpdir(), 'never-made') });
  const ok = { keys: '[]', licenseId: 'l', store, offline: true };
  assert.throws(() => lv.createSession({ ...ok, licenseId: '' }), TypeError);
  assert.throws(() => lv.createSession({ ...ok, store: {} }), /store must have withLock/);
  assert.throws(() => lv.createSession({ ...ok, offline: false }), /transport must have fetchProof/);
  assert.throws(() => lv.createSession({ ...ok, policy: { refreshPercnt: 5 } }), /unknown policy member "refreshPercnt"/);
  assert.throws(() => lv.createSession({ ...ok, policy: { licenseId: 'x' } }), /unknown policy member "licenseId"/);
  assert.throws(() => lv.createSession({ ...ok, policy: { refreshPercent: 1.5 } }), /must be an integer/);
  assert.throws(() => lv.createSession({ ...ok, clock: 1 }), /unknown option "clock"/);
});
