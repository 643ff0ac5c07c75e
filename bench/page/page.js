// The Chromium runs of `make bench`, driven by run.mjs through Playwright:
// window.bench.latency() and window.bench.scale(n) return the same JSON as
// node.mjs does for Node.

import { hookInstances } from '/bench/lib/hook.js';
import { firstThenMedian, medianPerOp, setReps, timedValid } from '/bench/lib/measure.js';
import * as refs from '/bench/lib/references.js';

// Installed before the package makes its first instance.
const linearMemory = hookInstances();
const lv = await import('/js/browser.js');
// ?wasm= selects another build of the module (profiles use one with names).
await lv.init({ wasm: new URLSearchParams(location.search).get('wasm') ?? undefined });

const get = async (path) => {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.text();
};
const meta = JSON.parse(await get('/fixtures/meta.json'));

function mustBeValid(what, text) {
  const r = JSON.parse(text);
  if (r.valid !== true) throw new Error(`${what}: not a valid result: ${text.slice(0, 300)}`);
}

async function latency() {
  const ed = await import('@noble/ed25519');
  const { sha512 } = await import('@noble/hashes/sha2.js');
  const { default: canonicalize } = await import('canonicalize');
  const pure = refs.pureJS({ ed, sha512, canonicalize });
  const out = {};
  for (const job of meta.latency) {
    // The fixture's text for the reference, parsed for call(), which frames it.
    const text = await get(`/fixtures/${job.file}`);
    const req = JSON.parse(text);
    mustBeValid(job.name, lv.call(req));
    out[`${job.name}/wasm`] = medianPerOp(() => lv.call(req));
    if (job.name !== 'statusproof') continue;
    const bad = refs.tampered(text);
    if (pure(text) !== true || pure(bad) !== false) throw new Error('pure-js does not tell the valid proof from the tampered one');
    out[`${job.name}/pure-js`] = medianPerOp(() => pure(text));
  }
  return out;
}

// loop calls the job's request for ms milliseconds, for a profile.
async function loop(name, ms) {
  const req = JSON.parse(await get(`/fixtures/${meta.latency.find((j) => j.name === name).file}`));
  mustBeValid(name, lv.call(req));
  let calls = 0;
  for (const end = performance.now() + ms; performance.now() < end; calls++) lv.call(req);
  return { calls };
}

async function scale(n) {
  const s = meta.sets.find((x) => x.ids === n);
  const text = await get(`/fixtures/${s.file}`);
  const v = await lv.createVerifier();
  const opts = { keys: meta.keys, now: meta.now };
  const { firstMs, ms, reps } = firstThenMedian(timedValid(() => v.verifyRevocationSet(text, opts), `set of ${n}`), setReps(n));
  const wasmBytes = linearMemory();
  const { result, set } = v.loadRevocationSet(text, opts);
  if (!result.valid) throw new Error(`load: ${result.code}`);
  if (set.lookup(s.revoked, meta.now).lookups[0].status !== 'revoked') throw new Error('the revoked id is not revoked');
  const lookup = medianPerOp(() => set.lookup(s.revoked, meta.now), { warmupMs: 200, budgetMs: 1500 });
  set.free();
  return { ms, firstMs, reps, wasmBytes, recycled: v.generation !== 1, lookupMs: lookup.ms };
}

window.bench = { latency, scale, loop, crossOriginIsolated: globalThis.crossOriginIsolated };
document.getElementById('status').textContent = 'ready';
