// The dashboard's verifier: a module Web Worker that owns the licverify
// module, so that compiling it and verifying thousands of documents never
// blocks the page. It loads the keyring and the revocation set once (the
// set stays in the module: a lookup is O(1) and never verifies it again),
// then verifies each document and posts its rows in batches, with the
// progress so far.
//
// Messages in:
//   {type: 'verify', now, productId, keyring, set, documents: [{name, data}]}
//     keyring, set: {name, version, data}, data a string, bytes or a File
//     (set may be null; the page gives each one it reads a new version)
//   {type: 'verify', sample: url}: a sample bundle, fetched here
// Messages out: {type: 'ready'}, {type: 'sample', now, productId, ...},
//   {type: 'set', ...}, {type: 'progress', done, total, rows},
//   {type: 'done', total, ms}, {type: 'error', message, code?}

import { init, verifyStatusProof, evaluateLicense, loadRevocationSet } from '../../js/browser.js';

const ready = init(); // compiles licverify.wasm once, inside the worker
ready.then(
  () => postMessage({ type: 'ready', scope: self.constructor.name }),
  (err) => postMessage({ type: 'error', message: `loading licverify failed: ${err.message}` }),
);

// The loaded set and what it was loaded from, reused while they are the same.
let loaded = null;

// bytesOf reads what the page sent: a File or Blob as its bytes, a string
// as it is (the verifier takes both; it never needs a parsed object).
const bytesOf = async (data) => (data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data);

const decoder = new TextDecoder();

// kindOf picks the verb from a document's members; the exact bytes are
// what is verified. Anything that is not a license.key is tried as a
// status proof (object, API wrapper or compact string), which says what
// is wrong with it.
function kindOf(data) {
  const text = typeof data === 'string' ? data : decoder.decode(data.subarray(0, 4096));
  return /"(schema_version|product_id)"\s*:/.test(text) ? 'license' : 'status_proof';
}

// row turns a verification result and the set's answer into a table row.
// The verdict: the verifier's rejection first; then the revocation set
// (a license the set revokes or suspends is rejected even when its own
// document is valid); then warnings; else valid.
function row(name, kind, r, lookup) {
  const claims = r.license_id !== undefined;
  let verdict = 'valid';
  let code = 'ok';
  if (!r.valid) {
    verdict = 'rejected';
    code = r.code;
  } else if (lookup?.status === 'revoked' || lookup?.status === 'suspended') {
    verdict = 'rejected';
    code = lookup.status;
  } else if (kind === 'status_proof' && r.grace) {
    verdict = 'warn';
    code = 'grace_period';
  } else if (kind === 'license' && r.decision === 'warn') {
    verdict = 'warn';
    code = r.reasons.find((x) => x !== 'check_due' && x !== 'update_not_allowed') ?? 'warn';
  }
  return {
    name,
    kind,
    license_id: claims ? r.license_id : null,
    status: claims ? r.status : null,
    verdict,
    code,
    message: r.message,
    expires: kind === 'license' ? (r.trial_ends_at ?? r.expires_at ?? null) : (r.valid_until ?? null),
    refresh: kind === 'license' ? (r.state?.next_check_due_at ?? null) : (r.refresh_after ?? null),
    set: lookup?.status ?? null,
    until: lookup?.until ?? null,
  };
}

// loadSet verifies the revocation set once per keyring, set and time
// (key names them: the page gives each keyring and set it reads a new
// version).
function loadSet(key, keys, set, now) {
  if (loaded?.key === key) return loaded.summary;
  loaded?.set?.free();
  loaded = null;
  if (set === null) return { loaded: false, message: 'no revocation set: lookups skipped' };
  const { result, set: handle } = loadRevocationSet(set.data, { keys, now });
  const summary = result.valid
    ? { loaded: true, name: set.name, epoch: result.epoch, valid_until: result.valid_until, revoked: result.revoked_count, suspended: result.suspended_count, kid: result.kid ?? null }
    : { loaded: false, name: set.name, code: result.code, message: result.message };
  loaded = { key, set: handle, summary };
  return summary;
}

// sample fetches a sample bundle (data/samples.json, or bench's 10,000
// proofs): {now, product_id, keyring, revocation_set (file names beside
// it), documents: [{name, text}]}.
async function sample(url) {
  const get = async (u) => {
    const res = await fetch(u);
    if (!res.ok) throw new Error(`${u}: ${res.status} ${res.statusText}`);
    return res;
  };
  const bundle = await (await get(url)).json();
  const beside = (name) => new URL(name, new URL(url, location.href)).href;
  const [keyring, set] = await Promise.all([get(beside(bundle.keyring)).then((r) => r.text()), get(beside(bundle.revocation_set)).then((r) => r.text())]);
  postMessage({ type: 'sample', now: bundle.now, productId: bundle.product_id, keyring: bundle.keyring, set: bundle.revocation_set, count: bundle.documents.length });
  return {
    now: bundle.now,
    productId: bundle.product_id,
    keyring: { name: bundle.keyring, version: url, data: keyring },
    set: { name: bundle.revocation_set, version: url, data: set },
    documents: bundle.documents.map((d) => ({ name: d.name, data: d.text })),
  };
}

let run = 0;

async function verify(request) {
  const id = ++run;
  const started = performance.now();
  await ready;
  const { now, productId, keyring, set, documents } = request.sample ? await sample(request.sample) : request;
  const keys = await bytesOf(keyring.data);
  const setIn = set === null ? null : { name: set.name, data: await bytesOf(set.data) };
  // A keyring that does not load throws LicverifyError with its code.
  const key = `${keyring.version}|${set?.version}|${now}`;
  postMessage({ type: 'set', ...loadSet(key, keys, setIn, now) });
  const total = documents.length;
  // Batches small enough for steady progress, large enough that 10,000
  // documents take about 50 messages.
  const batch = Math.max(8, Math.ceil(total / 50));
  let done = 0;
  while (done < total) {
    if (id !== run) return; // a newer run replaced this one
    const slice = documents.slice(done, done + batch);
    const results = [];
    for (const d of slice) {
      const data = await bytesOf(d.data);
      const kind = kindOf(data);
      const r = kind === 'license' ? evaluateLicense(data, { keys, now, productId }) : verifyStatusProof(data, { keys, now });
      results.push({ name: d.name, kind, r });
    }
    // One lookup per batch, of the ids whose documents verified: an id
    // read from a forged document is never looked up.
    const ids = results.filter((x) => x.r.license_id !== undefined).map((x) => x.r.license_id);
    const answer = loaded?.set && ids.length > 0 ? loaded.set.lookup(ids, now) : null;
    const lookups = new Map(answer?.valid ? answer.lookups.map((l) => [l.license_id, l]) : []);
    const rows = results.map((x) => row(x.name, x.kind, x.r, x.r.license_id !== undefined ? lookups.get(x.r.license_id) : undefined));
    done += slice.length;
    postMessage({ type: 'progress', done, total, rows });
    // Let a message from the page (a new run) in between batches.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  postMessage({ type: 'done', total, ms: performance.now() - started });
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'verify') return;
  verify(event.data).catch((err) => postMessage({ type: 'error', message: err.message, code: err.code }));
});
