// The dashboard's own license: the panel "This dashboard's license" runs
// the package's session (docs/lifecycle.md) on the page — localStorage
// holds the last good status proof, revocation set and epoch, which a Web
// Worker cannot reach — and shows each check's report. The package is
// imported at the first check, so a page that never checks never loads it.
//
// The session fetches from the issuer's base URL, which the page's policy
// must allow (connect-src; 'self' under default-src 'self'): the issuer
// proxied on this origin, or connect-src extended by the deployer.

const $ = (id) => document.getElementById(id);
const panel = $('license');

let lv = null; // the package, once imported
let session = null;
let config = null; // what the running session was made from

async function loadPackage() {
  if (lv === null) {
    const pkg = await import('../../js/browser.js');
    await pkg.init();
    lv = pkg;
  }
  return lv;
}

// done says what a check did for one kind of document.
function done(d) {
  switch (d.done) {
    case 'none':
      return 'nothing due';
    case 'accepted':
      return 'fetched and accepted';
    case 'refused':
      return `fetched and refused: ${d.code}`;
    case 'failed':
      return `fetch failed: ${d.error}`;
    default:
      return String(d.done);
  }
}

function show(report) {
  const field = (name, text) => {
    panel.querySelector(`[data-field="${name}"]`).textContent = text;
  };
  field('verdict', report.valid ? 'valid' : 'not valid');
  field('code', `${report.code}: ${report.message}`);
  field('valid_until', report.proof?.valid_until ?? '—');
  field('refresh', done(report.refresh));
  field('sync', report.set?.epoch !== undefined ? `${done(report.sync)} (epoch ${report.set.epoch})` : done(report.sync));
  field('offline', report.offline ? `yes: ${report.offline_reason}` : 'no');
  field('stored_epoch', String(report.stored_epoch));
  field('next_at', report.next_at ?? '—');
  field('checked_at', new Date().toISOString());
  field('problems', report.problems.length === 0 ? 'none' : report.problems.join('; '));
  $('license-report').hidden = false;
  $('license-error').hidden = true;
  $('license-status').textContent = report.valid ? 'licensed' : `not licensed: ${report.code}`;
  panel.dataset.valid = String(report.valid);
  panel.dataset.code = report.code;
  panel.dataset.state = 'done';
  panel.dataset.checks = String(Number(panel.dataset.checks) + 1);
}

function fail(err) {
  $('license-error').textContent = err instanceof Error ? err.message : String(err);
  $('license-error').hidden = false;
  $('license-status').textContent = '';
  panel.dataset.state = 'error';
}

$('license-check').addEventListener('click', async () => {
  panel.dataset.state = 'checking';
  $('license-status').textContent = 'checking…';
  try {
    const baseUrl = $('license-issuer').value.trim();
    const apiKey = $('license-key').value.trim();
    const licenseId = $('license-id').value.trim();
    const file = $('license-keyring').files[0];
    if (baseUrl === '' || licenseId === '' || file === undefined) throw new Error("Fill in the issuer's base URL and the license id, and choose the issuer's keyring.");
    const keys = await file.text();
    const pkg = await loadPackage();
    const made = JSON.stringify([baseUrl, apiKey, licenseId, keys]);
    if (session !== null && made === config) {
      show(await session.check());
      return;
    }
    session?.stop();
    session = null;
    const s = pkg.createSession({
      keys,
      licenseId,
      store: pkg.createSessionStore(), // localStorage, prefix "licverify.session."
      transport: pkg.httpTransport({ baseUrl, apiKey: apiKey === '' ? undefined : apiKey }),
    });
    session = s;
    config = made;
    // The background refresh: its first check is now, then one at each
    // report's next_at; each report replaces the one shown.
    s.start({ onReport: show, onError: fail });
  } catch (err) {
    fail(err);
  }
});
