// Every test vector through the packed package in Chromium, and the demo
// page driven like a person would. Runs Debian's /usr/bin/chromium through
// playwright-core; where it is missing the tests say they were skipped,
// and under CI=true that is a failure.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { serve } from '../demo/serve.js';
import { js, out } from './paths.js';
import { nativeResponses } from './prepared.js';
import { assertNoFailures, check, loadVectors, table } from './vectors.js';
import { fakeModuleBytes } from './fakemodule.js';

const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let chromium = null;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  // reported below
}
const missing = !existsSync(chromiumPath)
  ? `${chromiumPath} not found (apt-get install chromium)`
  : chromium === null
    ? 'playwright-core is not installed (npm ci)'
    : null;
const available = missing === null;
if (!available) {
  const msg = `chromium: skipped: ${missing}`;
  console.log(msg);
  if (process.env.CI === 'true') {
    test('chromium is installed (required under CI=true)', () => assert.fail(msg));
  }
}

let context;
let server;
let base;
let profile;
const pageErrors = [];

before(async () => {
  if (!available) return;
  server = await serve(js);
  base = `http://127.0.0.1:${server.address().port}`;
  profile = mkdtempSync(path.join(os.tmpdir(), 'licverify-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: flags,
    viewport: { width: 1100, height: 900 },
  });
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// openPage opens url and records its errors; allow404 tolerates the
// browser's log line for a fetch that is meant to fail.
async function openPage(url, { allow404 = false } = {}) {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${url}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (allow404 && /status of 404/.test(msg.text())) return;
    pageErrors.push(`${url}: console: ${msg.text()}`);
  });
  await page.goto(base + url);
  return page;
}

test('vectors: chromium responses identical to Go', { skip: !available }, async () => {
  const vectors = loadVectors();
  const native = nativeResponses();
  const page = await openPage('/test/browser/runner.html');
  await page.waitForFunction(() => window.ready === true);
  // The page frames each request from its exact text itself, with the
  // same fromjson.js as Node: a 64 MiB padded document is built there
  // rather than copied across.
  const responses = await page.evaluate(
    async ({ requests, ops }) => {
      const { fromJSON } = await import('/test/fromjson.js');
      await window.lv.init();
      return requests.map((r) => window.lv.call(fromJSON(r.request, r.pad, ops)));
    },
    { requests: vectors.map((v) => ({ request: v.request, pad: v.pad })), ops: table() },
  );
  const failures = [];
  let identical = 0;
  vectors.forEach((v, i) => {
    const why = check(v.expected, responses[i]);
    if (why !== null) failures.push(`${v.id} (${v.comment}): ${why}`);
    else if (responses[i] !== native[v.id]) failures.push(`${v.id}: differs from Go\n chromium: ${responses[i]}\n       go: ${native[v.id]}`);
    else identical++;
  });
  console.log(`chromium: ${identical}/${vectors.length} identical to Go`);
  assertNoFailures(failures, 'chromium vectors');
  await page.close();
});

test('in chromium: init, misuse, storage helpers', { skip: !available }, async () => {
  const page = await openPage('/test/browser/runner.html', { allow404: true });
  await page.waitForFunction(() => window.ready === true);
  const got = await page.evaluate(async (fake) => {
    const lv = window.lv;
    const out = {};
    // A fresh page: nothing initialized yet.
    try {
      lv.canonicalize('{}');
    } catch (e) {
      out.beforeInit = e.message;
    }
    try {
      await lv.init({ wasm: new URL('./no-such.wasm', location.href) });
    } catch (e) {
      out.badInit = e.message;
    }
    await lv.init();
    out.canonical = lv.canonicalize('{"b":[1.50],"a":"\\u00e9"}').canonical;
    out.duplicate = lv.canonicalize('{"a":1,"a":2}').code;
    // Documents go as their exact bytes here too: no repair, no BOM strip.
    out.surrogate = lv.canonicalize('{"a":"\uD800"}').code;
    out.bom = lv.canonicalize(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).code;
    out.raw = lv.call({ op: 'canonicalize', document: '[1.0]' });
    try {
      lv.verifyRevocationSet('{}', { keys: '[]', now: '2026-01-01T00:00:00Z', lookup: ['lic-\uD800'] });
    } catch (e) {
      out.lookup = `${e.name} ${e.message}`;
    }
    try {
      lv.canonicalize({});
    } catch (e) {
      out.misuse = e.name;
    }
    localStorage.clear();
    const store = lv.createEpochStore();
    await store.raise('proofs', 12);
    await store.raise('proofs', 3);
    out.epoch = await lv.createEpochStore().get('proofs');
    out.stored = localStorage.getItem('licverify.epochs');
    const fp = await lv.collectFingerprint();
    out.installIdKept = (await lv.collectFingerprint()).install_id === fp.install_id;
    out.installId = fp.install_id;
    out.hash = lv.fingerprintHash(fp).valid;
    // A module that traps: the error carries its stderr, and the next call
    // gets a fresh instance.
    const v = await lv.createVerifier({ wasm: new Uint8Array(fake) });
    const bytes = (s) => new TextEncoder().encode(s);
    try {
      v.call(bytes('T'));
    } catch (e) {
      out.crash = `${e instanceof lv.ModuleCrash} ${e.message}`;
    }
    out.afterCrash = v.call(bytes('{"valid":true}'));
    return out;
  }, Array.from(fakeModuleBytes()));
  assert.match(got.beforeInit, /await init\(\)/);
  assert.match(got.badInit, /404/);
  assert.equal(got.canonical, '{"a":"é","b":[1.5]}');
  assert.equal(got.duplicate, 'duplicate_key');
  assert.equal(got.surrogate, 'malformed_json');
  assert.equal(got.bom, 'malformed_json');
  assert.equal(got.raw, '{"valid":true,"code":"ok","message":"canonical form computed","canonical":"[1]"}');
  assert.match(got.lookup, /^LicverifyError licverify: bad request: header: .*surrogate/);
  assert.equal(got.misuse, 'TypeError');
  assert.equal(got.epoch, 12);
  assert.deepEqual(JSON.parse(got.stored), { proofs: 12 });
  assert.match(got.installId, /^[0-9a-f]{32}$/);
  assert.equal(got.installIdKept, true);
  assert.equal(got.hash, true);
  assert.match(got.crash, /^true .*unreachable\nboom/s);
  assert.equal(got.afterCrash, '{"valid":true}');
  await page.close();
});

// The dashboard use case, driven like a person would: paste a keyring and
// a valid proof from the vectors → "valid"; change one signed byte →
// bad_signature (the spec's check order: a tampered document never
// reports a code derived from its forged content).
test('demo page: a valid proof, then a tampered one', { skip: !available }, async () => {
  const v = loadVectors().find((x) => {
    const r = JSON.parse(x.request);
    const members = Object.keys(r).sort().join(',');
    return r.op === 'status_proof' && x.expected.valid && !x.pad && members === 'keys,now,op,proof' && r.proof.includes('"status":"valid"');
  });
  assert.ok(v, 'a plain valid status proof vector');
  const { keys, now, proof } = JSON.parse(v.request);
  const tampered = proof.replace('"status":"valid"', '"status":"revoked"');
  assert.notEqual(tampered, proof);

  const page = await openPage('/demo/');
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#keys', keys);
  await page.fill('#now', now);
  await page.fill('#document', proof);
  await page.click('#verify');
  await page.waitForSelector('body[data-verdicts="1"]');
  assert.match(await page.textContent('#verdict'), /^valid/, await page.textContent('#summary'));
  assert.equal(await page.getAttribute('#verdict', 'data-code'), 'ok');
  const claims = await page.$$eval('#claims td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.ok(claims.includes('license_id') && claims.includes('valid_until'), `claims shown: ${claims}`);
  await page.screenshot({ path: path.join(out, 'demo.png'), fullPage: true });

  await page.fill('#document', tampered);
  await page.click('#verify');
  await page.waitForSelector('body[data-verdicts="2"]');
  assert.equal(await page.getAttribute('#verdict', 'data-code'), 'bad_signature');
  assert.match(await page.textContent('#verdict'), /bad_signature/);
  assert.equal(await page.$$eval('#claims tr', (rows) => rows.length), 0, 'no claims from a forged document');
  await page.screenshot({ path: path.join(out, 'demo-tampered.png'), fullPage: true });
  console.log(`chromium: demo page screenshots in ${path.relative(js, out)}/demo.png and demo-tampered.png`);
  await page.close();
});

test('no page errors', { skip: !available }, () => {
  assert.deepEqual(pageErrors, []);
});
