// The dashboard example's own license (examples/dashboard/license.js) in
// Chromium: the page served under the README's Content Security Policy on
// one origin with the test issuer proxied under /issuer/ (sameorigin.js),
// the panel filled like a person would, and the session's report as the
// panel shows it — first from the issuer, then, with the issuer down and
// the page reloaded, from what localStorage kept. Like browser.test.js it
// says it skipped where Chromium or playwright-core is missing (a failure
// under CI=true).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromiumFlags, chromiumPath } from './chromium.js';
import { control } from './issuer.js';
import { js, out } from './paths.js';
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

// The policy the package's README tells pages to send; its default-src
// 'self' is the page's connect-src, which the proxied issuer satisfies.
const csp = /^Content-Security-Policy: (.+)$/m.exec(readFileSync(path.join(js, 'README.md'), 'utf8'))?.[1];

let origin;
let context;
let profile;
const pageErrors = [];

before(async () => {
  if (!available) return;
  assert.ok(csp, 'README.md gives the header as a line "Content-Security-Policy: ..."');
  origin = await serveWithIssuer({ headers: { 'content-security-policy': csp } });
  profile = mkdtempSync(path.join(os.tmpdir(), 'licverify-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumFlags, viewport: { width: 1100, height: 900 } });
});

after(async () => {
  await context?.close();
  await origin?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const hits = async () => JSON.parse(await control(origin.issuer.url, '/_test/hits'));

// checkLicense fills the panel as a person would, clicks Check and
// resolves to the report's fields as shown, once the panel shows its
// first report since the page loaded.
async function checkLicense(page, info) {
  await page.fill('#license-issuer', '/issuer');
  await page.fill('#license-key', info.api_key);
  await page.fill('#license-id', info.license_id);
  await page.setInputFiles('#license-keyring', { name: 'issuer-keyring.json', mimeType: 'application/json', buffer: Buffer.from(info.keys) });
  await page.click('#license-check');
  await page.waitForSelector('#license[data-checks="1"]');
  return page.$$eval('#license-report dd', (dds) => Object.fromEntries(dds.map((dd) => [dd.dataset.field, dd.textContent])));
}

test("dashboard example: its own license checked by the session, then from localStorage with the issuer down, nothing due and a sync failing", { skip: !available }, async () => {
  const { info, url } = origin.issuer;
  // The issuer signs at its own clock: set to now (whole seconds), so
  // that its documents are current for the page, whose session keeps
  // real time.
  const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
  const rfc3339 = (d) => d.toISOString().replace('.000Z', 'Z');
  await control(url, '/_test/reset', {});
  await control(url, '/_test/clock', { now: rfc3339(t0) });

  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // The browser logs the fetch the issuer drops, which the test causes.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|ERR_EMPTY_RESPONSE/.test(msg.text())) pageErrors.push(`console: ${msg.text()}`);
  });
  const res = await page.goto(`${origin.base}/examples/dashboard/`);
  assert.equal(res.headers()['content-security-policy'], csp, 'the page is served with the policy');
  await page.waitForSelector('body[data-ready="true"]');

  // Check with the panel empty: it says what is missing, and asks nothing.
  await page.click('#license-check');
  await page.waitForSelector('#license[data-state="error"]');
  assert.match(await page.textContent('#license-error'), /base URL and the license id/);
  assert.equal(await page.isHidden('#license-report'), true);

  // The first check: nothing cached, so both documents are due, fetched
  // through /issuer/ and accepted. The proof lives ttl_hours (24, the
  // session's default) from the issuer's clock; the set is the issuer's
  // first epoch; the next check is the set's sync interval (300 s) after
  // it was taken, before the proof's refresh point (18 h).
  let before = await hits();
  const first = await checkLicense(page, info);
  let after = await hits();
  assert.deepEqual({ proof: after.proof - before.proof, revocation: after.revocation - before.revocation }, { proof: 1, revocation: 1 }, 'one request of each kind');
  assert.equal(first.verdict, 'valid');
  assert.match(first.code, /^ok: /);
  assert.equal(first.valid_until, rfc3339(new Date(t0.getTime() + 24 * 3600_000)));
  assert.equal(first.refresh, 'fetched and accepted');
  assert.equal(first.sync, 'fetched and accepted (epoch 1)');
  assert.equal(first.offline, 'no');
  assert.equal(first.stored_epoch, '1');
  assert.equal(first.problems, 'none');
  const next = Date.parse(first.next_at);
  assert.ok(next >= t0.getTime() + 300_000 && next <= Date.parse(first.checked_at) + 300_000, `next check ${first.next_at}: 300 s after the set was taken (checked at ${first.checked_at})`);
  assert.equal(await page.getAttribute('#license', 'data-valid'), 'true');
  assert.match(await page.textContent('#license-status'), /^licensed$/);
  const stored = await page.evaluate(() => Object.keys(localStorage).sort());
  for (const k of ['proof.json', 'set.json', 'state.json', 'epochs.json']) assert.ok(stored.includes(`licverify.session.${k}`), `localStorage holds licverify.session.${k}: ${stored}`);
  await page.screenshot({ path: path.join(out, 'dashboard-license.png'), fullPage: true });

  // Check again, the panel unchanged: the same session checks at once,
  // with nothing due.
  before = await hits();
  await page.click('#license-check');
  await page.waitForSelector('#license[data-checks="2"]');
  after = await hits();
  assert.deepEqual({ proof: after.proof - before.proof, revocation: after.revocation - before.revocation }, { proof: 0, revocation: 0 });
  assert.deepEqual(
    await page.$$eval('#license-report dd[data-field="refresh"], #license-report dd[data-field="sync"]', (dds) => dds.map((dd) => dd.textContent)),
    ['nothing due', 'nothing due (epoch 1)'],
  );

  // The issuer goes down and the page is reloaded: a new session over the
  // same localStorage. Seconds after the first check, the plan has
  // nothing due (the sync interval has not passed, the refresh point is
  // hours away), so the check asks nothing of the issuer and the cached
  // proof and set give the verdict.
  await control(url, '/_test/mode', { proof: 'down', revocation: 'down' });
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  before = await hits();
  const second = await checkLicense(page, info);
  after = await hits();
  assert.deepEqual({ proof: after.proof - before.proof, revocation: after.revocation - before.revocation }, { proof: 0, revocation: 0 }, 'nothing is asked of the issuer');
  assert.equal(second.verdict, 'valid');
  assert.match(second.code, /^ok: /);
  assert.equal(second.valid_until, first.valid_until);
  assert.equal(second.refresh, 'nothing due');
  assert.equal(second.sync, 'nothing due (epoch 1)');
  assert.equal(second.offline, 'no');
  assert.equal(second.stored_epoch, '1');
  assert.equal(second.next_at, first.next_at, 'the same sync time, from state.json');

  // Reloaded again with the page's clock a second past that next check
  // (Playwright's clock: Date and timers, flowing from there): the set's
  // sync is due, its fetch fails (the issuer drops the connection), and
  // the verdict rests on the cache, offline — the cached set is still
  // fresh (valid 1 h from the issuer's clock) and the proof's refresh
  // point is hours away. The failure puts the next try one backoff
  // (30 s, the plan's default) after it.
  await page.clock.install({ time: next + 1000 });
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  before = await hits();
  const third = await checkLicense(page, info);
  after = await hits();
  assert.deepEqual({ proof: after.proof - before.proof, revocation: after.revocation - before.revocation }, { proof: 0, revocation: 1 }, 'the set is asked for, once');
  assert.equal(third.verdict, 'valid');
  assert.match(third.code, /^ok: /);
  assert.equal(third.valid_until, first.valid_until);
  assert.equal(third.refresh, 'nothing due');
  // A sync by interval asks for a delta since the cached set's epoch.
  const failedFetch = `GET ${origin.base}/issuer/api/v1/v2/revocation?since_epoch=1: `;
  assert.ok(third.sync.startsWith(`fetch failed: licverify: ${failedFetch}`) && third.sync.endsWith(' (epoch 1)'), third.sync);
  assert.ok(third.offline.startsWith(`yes: licverify: ${failedFetch}`), third.offline);
  assert.equal(third.stored_epoch, '1');
  const retry = Date.parse(third.next_at) - Date.parse(third.checked_at);
  assert.ok(retry > 0 && retry <= 30_000, `the next try ${third.next_at}: 30 s after the failure, before ${third.checked_at}`);
  await page.screenshot({ path: path.join(out, 'dashboard-license-offline.png'), fullPage: true });
  await page.close();
});

test('no page errors', { skip: !available }, () => {
  assert.deepEqual(pageErrors, []);
});
