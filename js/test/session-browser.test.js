// The session in Chromium: every scenario of
// testvectors/lifecycle/scenarios.json run by test/browser/session.html
// with the packed package's browser entry point, the localStorage store
// and the HTTP transport. One loopback server serves the repository and
// proxies /issuer/ to the test issuer (sameorigin.js), so the page reaches
// the issuer from its own origin. Like browser.test.js it runs Debian's
// Chromium through playwright-core, and says it skipped where that is
// missing (a failure under CI=true).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromiumFlags, chromiumPath } from './chromium.js';
import { closedPort } from './issuer.js';
import { checkFile } from './lifecycle.js';
import { repo } from './paths.js';
import { serveWithIssuer } from './sameorigin.js';

let chromium = null;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  // reported below
}
const missing = !existsSync(chromiumPath) ? `${chromiumPath} not found (apt-get install chromium)` : chromium === null ? 'playwright-core is not installed (npm ci)' : null;
const available = missing === null;
if (!available) {
  const msg = `chromium: skipped: ${missing}`;
  console.log(msg);
  if (process.env.CI === 'true') test('chromium is installed (required under CI=true)', () => assert.fail(msg));
}

const scenariosFile = path.join(repo, 'testvectors', 'lifecycle', 'scenarios.json');

let origin;
let issuer;
let base;
let context;
let profile;
let deadUrl;
const pageErrors = [];

before(async () => {
  if (!available) return;
  origin = await serveWithIssuer();
  ({ base, issuer } = origin);
  deadUrl = `http://127.0.0.1:${await closedPort()}`;
  profile = mkdtempSync(path.join(os.tmpdir(), 'licverify-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumFlags });
});

after(async () => {
  await context?.close();
  await origin?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function openPage() {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // The browser logs each failed fetch (a closed port, a dropped
  // connection, an error status), which the scenarios cause on purpose.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|ERR_EMPTY_RESPONSE/.test(msg.text())) pageErrors.push(msg.text());
  });
  await page.goto(`${base}/js/test/browser/session.html`);
  await page.waitForFunction(() => window.ready === true);
  return page;
}

test('scenarios.json: every scenario, in Chromium with the localStorage store', { skip: !available }, async (t) => {
  assert.ok(existsSync(scenariosFile), `${scenariosFile} is missing`);
  const file = JSON.parse(readFileSync(scenariosFile, 'utf8'));
  assert.deepEqual(checkFile(file), []);
  const page = await openPage();
  assert.equal(await page.evaluate(() => window.locksInUse()), true, 'the store takes a Web Lock here');
  let passed = 0;
  for (const sc of file.scenarios) {
    await t.test(sc.id, async () => {
      const failures = await page.evaluate(({ sc, info, session, deadUrl }) => window.run(sc, info, session, deadUrl), { sc, info: issuer.info, session: file.session, deadUrl });
      assert.deepEqual(failures, [], `${sc.id} (${sc.comment})`);
      passed++;
    });
  }
  await page.close();
  console.log(`session: ${passed}/${file.scenarios.length} scenarios passed in Chromium`);
});

test('in Chromium: two tabs checking one store take turns through the Web Lock', { skip: !available }, async () => {
  await fetch(`${issuer.url}/_test/reset`, { method: 'POST', body: '{}' });
  const pages = [await openPage(), await openPage()];
  const run = (page) =>
    page.evaluate(async (info) => {
      const lv = window.lv;
      await lv.init();
      const start = Date.parse('2026-03-01T00:00:00Z');
      const t0 = Date.now();
      const s = lv.createSession({
        keys: info.keys,
        licenseId: info.license_id,
        fingerprint: info.fingerprint,
        store: lv.createSessionStore({ prefix: 'licverify.tabs.' }),
        transport: lv.httpTransport({ baseUrl: `${location.origin}/issuer`, apiKey: info.api_key }),
        policy: { syncIntervalSeconds: 1, backoffSeconds: 1, backoffMaxSeconds: 1 },
        // 100 times fast: each check is due to sync again.
        now: () => new Date(start + (Date.now() - t0) * 100),
      });
      const out = [];
      for (let i = 0; i < 15; i++) {
        const r = await s.check();
        out.push({ code: r.code, epoch: r.stored_epoch, problems: r.problems, sync: r.sync.done });
        await new Promise((f) => setTimeout(f, 20));
      }
      return out;
    }, issuer.info);
  const raising = { on: true };
  const raiser = (async () => {
    for (let i = 0; raising.on; i++) {
      await fetch(`${issuer.url}/_test/${i % 2 === 0 ? 'revoke' : 'restore'}`, { method: 'POST', body: JSON.stringify({ license_id: '5f0c9d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f' }) });
      await new Promise((f) => setTimeout(f, 30));
    }
  })();
  const reports = await Promise.all(pages.map(run));
  raising.on = false;
  await raiser;
  for (const [k, rs] of reports.entries()) {
    let last = 0;
    for (const [i, r] of rs.entries()) {
      assert.deepEqual(r.problems, [], `tab ${k} check ${i}`);
      assert.ok(r.epoch >= last, `tab ${k} check ${i}: stored epoch went from ${last} to ${r.epoch}`);
      last = r.epoch;
    }
  }
  const accepted = reports.flat().filter((r) => r.sync === 'accepted').length;
  assert.ok(accepted > 5, `${accepted} sets accepted`);
  for (const p of pages) await p.close();
});

test('no page errors', { skip: !available }, () => {
  assert.deepEqual(pageErrors, []);
});
