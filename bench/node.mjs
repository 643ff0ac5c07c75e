// The Node runs of `make bench`, one measurement per process so that
// memory figures are that measurement's own. run.mjs starts it:
//
//	node node.mjs latency         the latency jobs: wasm and references
//	node node.mjs first           import, init, one status proof (start-up)
//	node --expose-gc node.mjs scale N   the revocation set of N ids
//	node --cpu-prof node.mjs loop JOB MS      JOB's request over and over, to profile
//	node --cpu-prof node.mjs loopset N REPS   the set of N ids, REPS times, to profile
//	node node.mjs baseline-latency        the status proof through the baseline module
//	node --expose-gc node.mjs baseline-scale N   the set of N ids through the baseline module
//	node node.mjs big NAME                one 64 MiB set of meta.json's big (forged, genuine)
//
// The baseline is the module of the last release before ABI 2 (run.mjs
// extracts it and its own js/ into out/baseline/): it speaks ABI 1, JSON
// requests with the documents inside JSON strings, which is the test
// vectors' JSON form of a request as it is.
//
// and reads one JSON line from its output. LICVERIFY_BENCH_WASM names
// another build of the module (the profiles use one that keeps function
// names).

import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const fixtures = process.env.LICVERIFY_BENCH_FIXTURES ?? here('./out/fixtures');
const wasm = process.env.LICVERIFY_BENCH_WASM ?? here('../host/licverify.wasm');
const meta = () => JSON.parse(readFileSync(`${fixtures}/meta.json`, 'utf8'));
// A fixture is a request in the test vectors' JSON form: the references
// read its text, the package's call() takes it parsed and frames it
// (wasm/ABI.md), as it does on every call.
const request = (job) => readFileSync(`${fixtures}/${job.file}`, 'utf8');

function mustBeValid(what, text) {
  const r = JSON.parse(text);
  if (r.valid !== true) throw new Error(`${what}: not a valid result: ${text.slice(0, 300)}`);
}

// first is a new process's way to its first verified result: import the
// package, compile the module, instantiate it (init), one status proof.
// The module is compiled separately, so that the phases can be told apart;
// init({wasm}) with bytes does the same work in one step.
async function first() {
  const t0 = performance.now();
  const req = JSON.parse(request(meta().latency.find((j) => j.name === 'statusproof')));
  const lv = await import('../js/node.js');
  const t1 = performance.now();
  const module = await WebAssembly.compile(readFileSync(wasm));
  const t2 = performance.now();
  await lv.init({ wasm: module });
  const t3 = performance.now();
  const text = lv.call(req);
  const t4 = performance.now();
  mustBeValid('first call', text);
  return { ms: t4, phases: { boot: t0, import: t1 - t0, compile: t2 - t1, instantiate: t3 - t2, call: t4 - t3 } };
}

async function latency() {
  const { medianPerOp } = await import('./lib/measure.js');
  const refs = await import('./lib/references.js');
  const lv = await import('../js/node.js');
  await lv.init({ wasm });
  const ed = await import('@noble/ed25519');
  const { sha512 } = await import('@noble/hashes/sha2.js');
  const { default: canonicalize } = await import('canonicalize');
  const references = {
    'pure-js': refs.pureJS({ ed, sha512, canonicalize }),
    'node-crypto': refs.nodeCrypto({ crypto, canonicalize }),
  };
  const out = {};
  for (const job of meta().latency) {
    const text = request(job);
    const req = JSON.parse(text);
    mustBeValid(job.name, lv.call(req));
    out[`${job.name}/wasm`] = medianPerOp(() => lv.call(req));
    if (job.name !== 'statusproof') continue;
    const bad = refs.tampered(text);
    if (JSON.parse(lv.call(JSON.parse(bad))).code !== 'bad_signature') throw new Error('the tampered request is not a bad signature');
    for (const [name, verify] of Object.entries(references)) {
      if (verify(text) !== true || verify(bad) !== false) throw new Error(`${name} does not tell the valid proof from the tampered one`);
      out[`${job.name}/${name}`] = medianPerOp(() => verify(text));
    }
  }
  return out;
}

// scale verifies the set of n ids with verifyRevocationSet (the typed API:
// request building, the copy into the module, the verification), then
// loads it and times lookups, then drops the verifier to see memory come
// back.
async function scale(n) {
  const { hookInstances } = await import('./lib/hook.js');
  const { medianPerOp, firstThenMedian, setReps, timedValid } = await import('./lib/measure.js');
  const linearMemory = hookInstances();
  const lv = await import('../js/node.js');
  const m = meta();
  const s = m.sets.find((x) => x.ids === n);
  const text = readFileSync(`${fixtures}/${s.file}`, 'utf8');
  let v = await lv.createVerifier({ wasm });
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const opts = { keys: m.keys, now: m.now };
  const { firstMs, ms, reps } = firstThenMedian(timedValid(() => v.verifyRevocationSet(text, opts), `set of ${n}`), setReps(n));
  const wasmBytes = linearMemory();
  const generation = v.generation;
  const lookupMs = lookups(v, text, opts, s.revoked, m.now, medianPerOp);
  const peakRSS = process.resourceUsage().maxRSS * 1024;
  globalThis.gc?.();
  const rssKept = process.memoryUsage().rss;
  // Recycling: drop the verifier (and with it the instance), then collect.
  v = null;
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    globalThis.gc?.();
  }
  return {
    ms,
    firstMs,
    reps,
    wasmBytes,
    recycled: generation !== 1,
    lookupMs,
    rssBefore,
    peakRSS,
    rssKept,
    rssRecycled: process.memoryUsage().rss,
  };
}

// lookups loads the set and times one lookup; the set is freed before it
// returns, so nothing of it outlives this function.
function lookups(v, text, opts, revoked, now, medianPerOp) {
  const { result, set } = v.loadRevocationSet(text, opts);
  if (!result.valid) throw new Error(`load: ${result.code}`);
  if (set.lookup(revoked, now).lookups[0].status !== 'revoked') throw new Error('the revoked id is not revoked');
  const t = medianPerOp(() => set.lookup(revoked, now), { warmupMs: 200, budgetMs: 1500 });
  set.free();
  return t.ms;
}

async function loop(name, ms) {
  const req = JSON.parse(request(meta().latency.find((j) => j.name === name)));
  const lv = await import('../js/node.js');
  await lv.init({ wasm });
  mustBeValid(name, lv.call(req));
  let calls = 0;
  for (const end = performance.now() + ms; performance.now() < end; calls++) lv.call(req);
  return { calls };
}

async function loopset(n, reps) {
  const lv = await import('../js/node.js');
  await lv.init({ wasm });
  const m = meta();
  const text = readFileSync(`${fixtures}/${m.sets.find((x) => x.ids === n).file}`, 'utf8');
  for (let i = 0; i < reps; i++) {
    const r = lv.verifyRevocationSet(text, { keys: m.keys, now: m.now });
    if (!r.valid) throw new Error(r.code);
  }
  return { reps };
}

// baselineInstance is one instance of the baseline module, through the
// baseline package's own ABI 1 caller (alloc, write the JSON text, call,
// read and free the response).
async function baselineInstance() {
  const dir = here('./out/baseline/js/');
  const { Instance } = await import(`${dir}lib/instance.js`);
  return new Instance(await WebAssembly.compile(readFileSync(`${dir}licverify.wasm`)));
}

async function baselineLatency() {
  const { medianPerOp } = await import('./lib/measure.js');
  const inst = await baselineInstance();
  const text = request(meta().latency.find((j) => j.name === 'statusproof'));
  mustBeValid('baseline status proof', inst.call(text));
  return { statusproof: medianPerOp(() => inst.call(text)) };
}

// baselineScale is scale's verify for the baseline module: the request is
// JSON with the set inside a string, as its package built it.
async function baselineScale(n) {
  const { hookInstances } = await import('./lib/hook.js');
  const { firstThenMedian, setReps, timedValid } = await import('./lib/measure.js');
  const linearMemory = hookInstances();
  const m = meta();
  const s = m.sets.find((x) => x.ids === n);
  const text = readFileSync(`${fixtures}/${s.file}`, 'utf8');
  const inst = await baselineInstance();
  const verify = () => JSON.parse(inst.call(JSON.stringify({ op: 'revocation_set', keys: m.keys, now: m.now, set: text })));
  const { firstMs, ms, reps } = firstThenMedian(timedValid(verify, `baseline set of ${n}`), setReps(n));
  return { ms, firstMs, reps, wasmBytes: linearMemory(), peakRSS: process.resourceUsage().maxRSS * 1024 };
}

// big verifies one 64 MiB set once, on an instance made before the clock
// starts, and reports its verdict (or the crash), time and memory. A
// verdict other than the set's expected one is reported, not thrown:
// run.mjs says which runtime answered otherwise.
async function big(name) {
  const { hookInstances } = await import('./lib/hook.js');
  const linearMemory = hookInstances();
  const lv = await import('../js/node.js');
  const m = meta();
  const b = m.big.find((x) => x.name === name);
  const text = readFileSync(`${fixtures}/${b.file}`, 'utf8');
  const v = await lv.createVerifier({ wasm });
  v.canonicalize('{}');
  const t = performance.now();
  let code;
  let message;
  let error = null;
  try {
    ({ code, message } = v.verifyRevocationSet(text, { keys: m.keys, now: m.now }));
  } catch (err) {
    error = String(err?.message ?? err).slice(0, 300);
  }
  const ms = performance.now() - t;
  if (error === null && code !== b.code) console.error(`${name}: code ${code} (${message}), want ${b.code}`);
  return { ms, code, message, error, wasmBytes: linearMemory(), peakRSS: process.resourceUsage().maxRSS * 1024 };
}

const [mode, arg, arg2] = process.argv.slice(2);
const run = {
  first,
  latency,
  scale: () => scale(Number(arg)),
  loop: () => loop(arg, Number(arg2)),
  loopset: () => loopset(Number(arg), Number(arg2)),
  'baseline-latency': baselineLatency,
  'baseline-scale': () => baselineScale(Number(arg)),
  big: () => big(arg),
}[mode];
if (run === undefined) {
  console.error('usage: node node.mjs latency | first | scale N | loop JOB MS | loopset N REPS');
  process.exit(2);
}
console.log(JSON.stringify(await run()));
