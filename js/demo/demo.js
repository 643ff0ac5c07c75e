// The dashboard use case: paste or drop a document and a keyring, see the
// verdict, the claims and the reasons. Everything runs in the page.

import * as lv from '../browser.js';

const $ = (id) => document.getElementById(id);
const docEl = $('document');
let dropped = null; // {name, bytes} of a dropped file, until the text is edited

// The document kind, from its text. Detection only picks the op: the
// exact text (or bytes) is what gets verified.
function detect(text, bytes) {
  const t = text?.trimStart() ?? '';
  if (!t.startsWith('{')) {
    if (bytes) return 'qkey'; // binary: an encrypted .qkey
    return 'status_proof'; // the compact (base64) form of a proof
  }
  let v;
  try {
    v = JSON.parse(t);
  } catch {
    return 'status_proof'; // let the verifier say what is wrong
  }
  const has = (k) => v !== null && typeof v === 'object' && k in v;
  if (has('revoked_ids') || has('since_epoch')) return 'revocation_set';
  if (has('schema_version') || has('product_id')) return 'license';
  if (has('package') && has('user')) return 'qkey';
  return 'status_proof';
}

function verify() {
  const keys = $('keys').value;
  const now = $('now').value.trim();
  const expected = $('expected').value.trim();
  const text = dropped ? decodeOrNull(dropped.bytes) : docEl.value;
  const kind = $('kind').value === 'auto' ? detect(text, dropped?.bytes) : $('kind').value;
  const doc = dropped ? dropped.bytes : docEl.value;
  const notes = [];
  let result;
  try {
    switch (kind) {
      case 'status_proof':
        result = lv.verifyStatusProof(doc, { keys, now, licenseId: expected || undefined });
        break;
      case 'revocation_set':
        result = lv.verifyRevocationSet(doc, { keys, now, lookup: expected || undefined });
        break;
      case 'license': {
        let productId = expected;
        if (!productId) {
          productId = productOf(text);
          notes.push('no product id given: the license was checked against its own product_id');
        }
        result = lv.evaluateLicense(doc, { keys, now, productId });
        break;
      }
      case 'qkey':
        // A dropped file as its bytes; pasted text (a plain .qkey) as text.
        result = lv.verifyQKey(doc, { keys, now, package: expected || undefined });
        break;
    }
  } catch (err) {
    show({ error: err.message }, kind, notes);
    return;
  }
  show(result, kind, notes);
}

function decodeOrNull(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function productOf(text) {
  try {
    return String(JSON.parse(text).product_id ?? '');
  } catch {
    return '';
  }
}

const names = {
  status_proof: 'status proof',
  revocation_set: 'revocation set',
  license: 'license.key',
  qkey: '.qkey license',
};

function show(result, kind, notes) {
  // Counts verdicts shown, so that a script driving the page can tell a new one.
  document.body.dataset.verdicts = String(Number(document.body.dataset.verdicts ?? 0) + 1);
  const verdict = $('verdict');
  const tbody = $('claims').tBodies[0];
  const reasons = $('reasons');
  tbody.replaceChildren();
  reasons.replaceChildren();
  $('no-claims').textContent = '';
  if (result.error !== undefined) {
    verdict.className = 'verdict invalid';
    verdict.textContent = 'cannot verify';
    verdict.dataset.code = 'error';
    $('summary').textContent = result.error;
    $('raw').textContent = '';
    return;
  }
  verdict.className = `verdict ${result.valid ? 'valid' : 'invalid'}`;
  verdict.replaceChildren(result.valid ? 'valid' : 'invalid', Object.assign(document.createElement('code'), { textContent: result.code }));
  verdict.dataset.code = result.code;
  $('summary').textContent = `${names[kind]}: ${result.message}`;
  for (const [k, v] of Object.entries(result)) {
    if (k === 'valid' || k === 'code' || k === 'message' || k === 'reasons') continue;
    const tr = tbody.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = typeof v === 'string' ? v : JSON.stringify(v);
  }
  $('no-claims').textContent = tbody.rows.length
    ? ''
    : 'none: claims are shown only once the signature has verified';
  const items = [...(Array.isArray(result.reasons) ? result.reasons : []), ...notes];
  if (!result.valid && !items.length) items.push(`${result.code}: ${result.message}`);
  if (result.valid && !items.length) items.push('every check passed');
  for (const r of items) reasons.append(Object.assign(document.createElement('li'), { textContent: r }));
  $('raw').textContent = JSON.stringify(result, null, 2);
}

docEl.addEventListener('input', () => {
  dropped = null;
  docEl.readOnly = false;
});
docEl.addEventListener('dragover', (e) => {
  e.preventDefault();
  docEl.classList.add('drop');
});
docEl.addEventListener('dragleave', () => docEl.classList.remove('drop'));
docEl.addEventListener('drop', async (e) => {
  e.preventDefault();
  docEl.classList.remove('drop');
  const file = e.dataTransfer.files[0];
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = decodeOrNull(bytes);
  dropped = { name: file.name, bytes };
  docEl.value = text ?? `(${file.name}: ${bytes.length} bytes of binary data)`;
  verify();
});
$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  verify();
});

$('now').value = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
await lv.init();
$('verify').disabled = false;
document.body.dataset.ready = 'true';
