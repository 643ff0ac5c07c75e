// The offline-first session of docs/lifecycle.md ("The sessions"). Every
// decision — what holds, what to fetch and when, whether a fetched
// document replaces the cached one, what to persist, which epoch to store
// — is the module's, through the plan and accept ops. The session only
// reads and writes the store, calls the transport and keeps time.
//
// A store is the entries of the contract (proof.json, set.json,
// deltas.json, state.json) behind a small interface, kept by
// node-session.js (a directory) or browser-session.js (Web Storage):
//
//	withLock(fn)        runs fn holding the store's exclusive lock
//	read(name, limit)   → {bytes} | null (absent) | {problem} (unusable, why)
//	write(name, bytes)  replaces an entry atomically
//	epoch()             → the stored anti-rollback epoch (0: none)
//	raiseEpoch(n)       → stores n if higher; the stored epoch
//
// Everything read back is untrusted: entries are bounded, the documents
// are verified again by every plan, and the two entries the session
// parses itself (deltas.json, state.json) are used only when well formed.

import { LicverifyError } from './errors.js';
import { ops } from './ops.js';
import { rfc3339 } from './requests.js';
import { MAX_PROOF_BYTES, MAX_SET_BYTES, documentBytes } from './transport.js';

const MiB = 1 << 20;

/** LIMITS bounds every entry read back (docs/lifecycle.md, "The store"). */
export const LIMITS = Object.freeze({
  'proof.json': MiB,
  'set.json': 64 * MiB,
  'deltas.json': 64 * MiB,
  'state.json': MiB,
});

// plan accepts at most this many deltas (its table's max_items).
const MAX_DELTAS = 4096;
// Failure counters are bounded by plan's table.
const MAX_FAILURES = 1_000_000;
// A background check waits at least this long between two checks, and at
// most as long as setTimeout can (2^31-1 ms): a plan that keeps asking
// for a fetch now must not spin.
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 2 ** 31 - 1;
// After a check that threw, the background refresh tries again this late.
const RETRY_DELAY_MS = 60_000;

// The plan members the session fills itself; the others are the policy.
const managed = new Set([
  'keys',
  'now',
  'proof',
  'set',
  'deltas',
  'licenseId',
  'fingerprint',
  'minEpoch',
  'syncedAt',
  'proofFailures',
  'proofFailedAt',
  'setFailures',
  'setFailedAt',
]);

function opOptions(op) {
  const spec = Object.hasOwn(ops, op) ? ops[op] : undefined;
  if (spec === undefined) throw new LicverifyError(`licverify: this package's module has no ${op} op`);
  return spec.options;
}

/** The policy members the session accepts: plan's options less those it fills. */
function policyOf(policy) {
  if (policy === undefined) return {};
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) throw new TypeError('licverify: createSession: policy must be an object');
  const allowed = Object.keys(opOptions('plan')).filter((k) => !managed.has(k));
  for (const [k, v] of Object.entries(policy)) {
    if (!allowed.includes(k)) throw new TypeError(`licverify: createSession: unknown policy member ${JSON.stringify(k)} (policy: ${allowed.join(', ')})`);
    if (!Number.isSafeInteger(v)) throw new TypeError(`licverify: createSession: policy.${k} must be an integer`);
  }
  return { ...policy };
}

// pick keeps the members of o that op's table has.
function pick(op, o) {
  const table = opOptions(op);
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => Object.hasOwn(table, k) && v !== undefined));
}

const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/** sha256 is "sha256:<hex>" of bytes: deltas.json's base. */
export async function sha256(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new Error('licverify: session: no crypto.subtle here (a page that is not a secure context): serve the page over https or from localhost');
  }
  return `sha256:${hex(await subtle.digest('SHA-256', bytes))}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

// json parses an entry the session reads itself, or returns the reason it
// cannot be used.
function json(bytes) {
  try {
    return { value: JSON.parse(utf8.decode(bytes)) };
  } catch (err) {
    return { problem: `not JSON (${err.message})` };
  }
}

// An RFC 3339 time as the session writes it; read back, one that Date
// cannot place in years 0-9999 is refused, and the rest normalized, so
// that a damaged state.json never makes plan a bad request.
// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in ms.
const YEAR_0 = -62167219200000;
const YEAR_10000 = 253402300800000;
const timeForm = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
function readTime(v) {
  if (typeof v !== 'string' || !timeForm.test(v)) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms) || ms < YEAR_0 || ms >= YEAR_10000) return undefined;
  return rfc3339(new Date(ms));
}

const stateTimes = ['synced_at', 'proof_failed_at', 'set_failed_at'];
const stateCounts = ['proof_failures', 'set_failures'];

// parseState reads state.json's members; each bad one is left out with
// the reason. It only schedules: nothing in it is trusted for a verdict.
function parseState(bytes, problems) {
  const state = {};
  if (bytes === undefined) return state;
  const { value, problem } = json(bytes);
  if (problem !== undefined || value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`state.json: ${problem ?? 'not a JSON object'}; ignored`);
    return state;
  }
  for (const k of stateTimes) {
    if (value[k] === undefined || value[k] === null) continue;
    const t = readTime(value[k]);
    if (t === undefined) problems.push(`state.json: ${k} is not an RFC 3339 time; ignored`);
    else state[k] = t;
  }
  for (const k of stateCounts) {
    if (value[k] === undefined || value[k] === null) continue;
    const n = value[k];
    if (!Number.isSafeInteger(n) || n < 0) problems.push(`state.json: ${k} is not a count; ignored`);
    else state[k] = Math.min(n, MAX_FAILURES);
  }
  return state;
}

/**
 * readCache reads every entry of the store, and the stored epoch. Deltas
 * are used only when deltas.json names set.json's bytes as their base.
 */
export async function readCache(store) {
  const problems = [];
  const entry = async (name) => {
    const r = await store.read(name, LIMITS[name]);
    if (r === null || r === undefined) return undefined;
    if (r.problem !== undefined) {
      problems.push(`${name}: ${r.problem}; ignored`);
      return undefined;
    }
    return r.bytes;
  };
  const proof = await entry('proof.json');
  const set = await entry('set.json');
  const deltasEntry = await entry('deltas.json');
  const state = parseState(await entry('state.json'), problems);
  let deltas = [];
  if (deltasEntry !== undefined && set !== undefined) {
    const { value, problem } = json(deltasEntry);
    const ok = problem === undefined && value !== null && typeof value === 'object' && typeof value.base === 'string' && Array.isArray(value.deltas) && value.deltas.every((d) => typeof d === 'string');
    if (!ok) {
      problems.push(`deltas.json: ${problem ?? 'not {"base", "deltas": [text…]}'}; ignored`);
    } else if (value.deltas.length > MAX_DELTAS) {
      problems.push(`deltas.json: more than ${MAX_DELTAS} deltas; ignored`);
    } else if (value.base === (await sha256(set))) {
      deltas = value.deltas;
    } else if (value.deltas.length > 0) {
      // A crash between writing set.json and deltas.json: the deltas follow another set.
      problems.push('deltas.json: its deltas follow another set.json; ignored');
    }
  }
  const epoch = await store.epoch();
  return { proof, set, deltas, state, epoch, problems };
}

const due = (step, now) => step !== undefined && step !== null && Date.parse(step.at) <= now.getTime();

/**
 * makeSession returns a session (see index.d.ts, createSession) whose
 * verifier() is the Verifier to ask.
 */
export function makeSession(options, verifier) {
  if (options === null || typeof options !== 'object') throw new TypeError('licverify: createSession needs {keys, licenseId, store, transport, …}');
  const known = ['keys', 'licenseId', 'fingerprint', 'store', 'transport', 'policy', 'now', 'offline', 'ttlHours', 'verifier'];
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new TypeError(`licverify: createSession: unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
  }
  const { keys, licenseId, fingerprint, store, transport, offline = false, ttlHours = 24 } = options;
  if (keys === undefined) throw new TypeError('licverify: createSession: keys is required');
  if (typeof licenseId !== 'string' || licenseId === '') throw new TypeError('licverify: createSession: licenseId must be a non-empty string');
  for (const m of ['withLock', 'read', 'write', 'epoch', 'raiseEpoch']) {
    if (typeof store?.[m] !== 'function') throw new TypeError(`licverify: createSession: store must have ${m}() (createSessionStore makes one)`);
  }
  if (typeof offline !== 'boolean') throw new TypeError('licverify: createSession: offline must be a boolean');
  if (!offline && (typeof transport?.fetchProof !== 'function' || typeof transport?.fetchRevocation !== 'function')) {
    throw new TypeError('licverify: createSession: transport must have fetchProof() and fetchRevocation() (httpTransport makes one), unless offline');
  }
  if (!Number.isInteger(ttlHours) || ttlHours < 1) throw new TypeError('licverify: createSession: ttlHours must be a positive integer');
  const clock = options.now ?? (() => new Date());
  if (typeof clock !== 'function') throw new TypeError('licverify: createSession: now must be a function returning a Date');
  const policy = policyOf(options.policy);
  const now = () => {
    const d = clock();
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError('licverify: createSession: now() must return a valid Date');
    return d;
  };

  // The members plan and accept share: the cache, the configuration, the policy.
  const common = (cache, at) => ({
    ...policy,
    keys,
    now: at,
    licenseId,
    fingerprint,
    proof: cache.proof,
    set: cache.set,
    deltas: cache.deltas.length > 0 ? cache.deltas : undefined,
    minEpoch: cache.epoch,
  });

  function plan(cache, at) {
    const s = cache.state;
    return verifier().plan(
      pick('plan', {
        ...common(cache, at),
        syncedAt: s.synced_at,
        proofFailures: s.proof_failures,
        proofFailedAt: s.proof_failed_at,
        setFailures: s.set_failures,
        setFailedAt: s.set_failed_at,
      }),
    );
  }

  const writeJSON = (name, value) => store.write(name, encoder.encode(JSON.stringify(value) + '\n'));

  // persist writes what accept said to keep: the document first, the
  // epoch after it, so that a crash in between leaves a chain that still
  // verifies with the stored epoch.
  async function persist(answer, fetched, cache) {
    switch (answer.persist) {
      case 'proof':
        await store.write('proof.json', fetched);
        break;
      case 'set':
        await store.write('set.json', fetched);
        await writeJSON('deltas.json', { base: await sha256(fetched), deltas: [] });
        break;
      case 'delta':
        if (cache.set === undefined) throw new Error('licverify: session: accept kept a delta with no set cached');
        await writeJSON('deltas.json', { base: await sha256(cache.set), deltas: [...cache.deltas, utf8.decode(fetched)] });
        break;
      default:
        throw new Error(`licverify: session: accept asked to persist ${JSON.stringify(answer.persist)}`);
    }
    if (answer.store_epoch !== undefined) await store.raiseEpoch(answer.store_epoch);
  }

  async function recordState(cache, change) {
    const state = { ...cache.state, ...change };
    for (const k of Object.keys(state)) if (state[k] === undefined) delete state[k];
    await writeJSON('state.json', state);
  }

  // fetchAndAccept fetches one document without the lock, then under it
  // asks accept against the cache as it is now, and persists or records
  // the failure. It resolves to what was done.
  async function fetchAndAccept(read, kind, sinceEpoch) {
    const prefix = kind === 'proof' ? 'proof' : 'set';
    let fetched;
    let failure;
    try {
      const got = kind === 'proof' ? await transport.fetchProof({ licenseId, fingerprint, ttlHours }) : await transport.fetchRevocation(sinceEpoch ?? null);
      // The session's own copy: a caller's buffer may change while it is judged and written.
      fetched = documentBytes(got).slice();
      // Any transport's answer is bounded as the built-in one's is.
      const limit = kind === 'proof' ? MAX_PROOF_BYTES : MAX_SET_BYTES;
      if (fetched.byteLength > limit) throw new Error(`licverify: the transport returned ${fetched.byteLength} bytes for a ${kind}, over the ${limit}-byte bound`);
    } catch (err) {
      failure = err;
    }
    return store.withLock(async () => {
      const cache = await read();
      const at = now();
      const failed = async () =>
        recordState(cache, {
          [`${prefix}_failures`]: Math.min((cache.state[`${prefix}_failures`] ?? 0) + 1, MAX_FAILURES),
          [`${prefix}_failed_at`]: rfc3339(at),
        });
      if (failure !== undefined) {
        await failed();
        const done = { done: 'failed', error: String(failure?.message ?? failure) };
        if (failure?.status !== undefined) done.status = failure.status;
        return done;
      }
      const answer = verifier().accept(fetched, pick('accept', { ...common(cache, at), kind }));
      const done = { done: answer.accept ? 'accepted' : 'refused', code: answer.code, message: answer.message };
      if (!answer.accept) {
        await failed();
        return done;
      }
      await persist(answer, fetched, cache);
      done.persist = answer.persist;
      await recordState(cache, {
        [`${prefix}_failures`]: undefined,
        [`${prefix}_failed_at`]: undefined,
        ...(kind === 'revocation' ? { synced_at: rfc3339(at) } : {}),
      });
      return done;
    });
  }

  let last = null;
  async function runCheck() {
    // What any read of this check found unusable in the store.
    const problems = new Set();
    const read = async () => {
      const cache = await readCache(store);
      for (const p of cache.problems) problems.add(p);
      return cache;
    };
    // 1. Under the lock: the cache, the stored epoch, and what to do.
    const planNow = () =>
      store.withLock(async () => {
        const cache = await read();
        const at = now();
        return { at, answer: plan(cache, at) };
      });
    let current = await planNow();
    const none = { done: 'none' };
    let refresh = none;
    let sync = none;
    // 2. Each fetch due, the set first, unless offline-only; a fetch that
    // the plan after another makes due (a set showing a revoked proof
    // behind, a proof leaving the set behind) is made in the same check.
    // Each kind is fetched at most once per check.
    let triedProof = false;
    let triedSet = false;
    while (!offline) {
      const proofDue = !triedProof && due(current.answer.refresh_proof, current.at);
      const setDue = !triedSet && due(current.answer.sync_set, current.at);
      if (!proofDue && !setDue) break;
      if (setDue) {
        triedSet = true;
        sync = await fetchAndAccept(read, 'revocation', current.answer.sync_set.since_epoch);
      }
      if (proofDue) {
        triedProof = true;
        refresh = await fetchAndAccept(read, 'proof');
      }
      current = await planNow();
    }
    // 3. What holds now, and the stored epoch raised to it.
    const final = await store.withLock(async () => {
      const cache = await read();
      const answer = plan(cache, now());
      const epoch = answer.store_epoch === undefined ? cache.epoch : await store.raiseEpoch(answer.store_epoch);
      return { cache, answer, epoch };
    });
    const a = final.answer;
    const report = { valid: a.valid, code: a.code, message: a.message };
    if (a.proof !== undefined) report.proof = a.proof;
    if (a.set !== undefined) report.set = a.set;
    report.refresh = refresh;
    report.sync = sync;
    const failed = [refresh, sync].filter((d) => d.done === 'failed');
    report.offline = offline || failed.length > 0;
    if (offline) report.offline_reason = 'the session is offline-only';
    else if (failed.length > 0) report.offline_reason = failed.map((d) => d.error).join('; ');
    report.stored_epoch = final.epoch;
    report.next_at = a.next_at;
    report.problems = [...problems];
    return report;
  }

  // Checks of one session run one after another.
  let queue = Promise.resolve();
  function check() {
    const run = queue.then(runCheck);
    queue = run.then(
      (r) => {
        last = r;
      },
      () => {},
    );
    return run;
  }

  // The background refresh: one chain of timers per start(), ended by
  // stop() (a generation that changed drops the chain).
  let timer = null;
  let generation = 0;
  let running = false;
  let listeners = {};
  async function tick(gen) {
    timer = null;
    if (gen !== generation) return;
    let delay;
    try {
      const report = await check();
      delay = Date.parse(report.next_at) - now().getTime();
      if (!Number.isFinite(delay)) delay = RETRY_DELAY_MS;
      if (gen === generation) listeners.onReport?.(report);
    } catch (err) {
      delay = RETRY_DELAY_MS;
      if (gen === generation) listeners.onError?.(err);
    }
    if (gen !== generation) return;
    timer = setTimeout(() => tick(gen), Math.min(Math.max(delay, MIN_DELAY_MS), MAX_DELAY_MS));
    // Node: a pending refresh never keeps the process alive.
    timer?.unref?.();
  }

  return {
    check,
    /** The last report of check(), or null before the first. */
    get lastReport() {
      return last;
    },
    start(handlers = {}) {
      if (handlers === null || typeof handlers !== 'object') throw new TypeError('licverify: session.start takes {onReport?, onError?}');
      listeners = handlers;
      if (running) return;
      running = true;
      // The first check at once: what it awaits (the store, the network)
      // holds a Node process as any I/O does; only the wait between
      // checks does not.
      void tick(++generation);
    },
    stop() {
      running = false;
      generation++;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
    get running() {
      return running;
    },
  };
}
