// Every test vector through the packed package in Node: the response must
// meet the vector's expectation (testvectors.Check's rule) and be the very
// bytes native Go answers, whether the request is the vector's frame or
// the same documents given to the typed API as bytes or as strings.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { importInstalled, nativeResponses, prepared } from './prepared.js';
import { assertNoFailures, check, frameOf, isBadRequest, isKeyringError, loadVectors, table } from './vectors.js';
import { splitFrame } from './fromjson.js';
import { typedCalls, withPad } from './typed.js';

const lv = await importInstalled();
await lv.init();
const vectors = loadVectors();
const native = nativeResponses();
const ops = table();
const bytes = (s) => new TextEncoder().encode(s);

// typedOf returns the typed calls of a vector (typed.js), padded as the vector says.
function typedOf(v) {
  const t = typedCalls(v.request, ops);
  if (t.fn === null) return t;
  const spec = ops.ops[JSON.parse(v.request).op];
  return { ...t, forms: t.forms.map((f) => withPad(f, v.pad, spec)) };
}

test('native responses cover every vector', () => {
  assert.deepEqual(Object.keys(native).sort(), vectors.map((v) => v.id).sort());
});

// Failures are collected rather than run as one test per vector, so that
// `make test` prints one line per runtime and every failure in full.
test('vectors: node responses identical to Go', () => {
  const failures = [];
  let identical = 0;
  for (const v of vectors) {
    const response = lv.call(frameOf(v, ops));
    const why = check(v.expected, response);
    if (why !== null) failures.push(`${v.id} (${v.comment}): ${why}`);
    else if (response !== native[v.id]) failures.push(`${v.id}: differs from Go\n node: ${response}\n   go: ${native[v.id]}`);
    else identical++;
  }
  console.log(`node: ${identical}/${vectors.length} identical to Go`);
  assertNoFailures(failures, 'node vectors');
});

// The typed functions must send what the vector's request says: each
// request is turned back into calls of the typed API (its document
// positional, its members camelCase options), once with every part as
// bytes and once as strings when they are UTF-8, and must give Go's
// answer: the same result, or for a bad request a LicverifyError with
// Go's message. Both write the header compact, with members in the same
// order, so even a message's byte offset into the header is the same.
test("vectors: typed API gives Go's answers, from bytes and from strings", () => {
  const failures = [];
  const same = { bytes: 0, string: 0 };
  const tried = { bytes: 0, string: 0 };
  let raw = 0;
  for (const v of vectors) {
    const t = typedOf(v);
    if (t.fn === null) {
      raw++;
      continue;
    }
    const want = JSON.parse(native[v.id]);
    // loadRevocationSet keeps the handle inside the set it returns.
    if (t.fn === 'loadRevocationSet') delete want.handle;
    for (const call of t.forms) {
      tried[call.form]++;
      const what = `${v.id} (${call.form}): ${t.fn}`;
      let result;
      try {
        result = lv[t.fn](call.doc, call.options);
        if (t.fn === 'loadRevocationSet') {
          result.set?.free();
          result = result.result;
        }
      } catch (err) {
        if (want.error !== undefined && err.name === 'LicverifyError' && err.message === want.error && err.code === want.code) same[call.form]++;
        else failures.push(`${what} threw ${err}\n   go: ${native[v.id]}`);
        continue;
      }
      if (isDeepStrictEqual({ ...result }, want)) same[call.form]++;
      else failures.push(`${what} gave ${JSON.stringify(result)}\n   go: ${native[v.id]}`);
    }
  }
  console.log(
    `node typed API: ${same.bytes}/${tried.bytes} vectors give Go's answer as bytes, ${same.string}/${tried.string} as strings ` +
      `(${raw} only expressible as raw requests)`,
  );
  assertNoFailures(failures, 'typed API');
});

// has(feature) answers from the features a vector expects: every one of
// them, in any ASCII case, and nothing else; never for an invalid license.
test('verifyQKey results have has(feature)', () => {
  const qkeys = vectors
    .map((v) => ({ v, t: typedOf(v) }))
    .filter(({ v, t }) => t.fn === 'verifyQKey' && !isBadRequest(v.expected) && !isKeyringError(v.expected))
    .map(({ v, t }) => ({ v, call: t.forms[0] }));
  const granted = qkeys.find(({ v }) => v.expected.valid && v.expected.features?.length > 0);
  const refused = qkeys.find(({ v }) => !v.expected.valid);
  assert.ok(granted && refused, 'a valid .qkey vector with features and an invalid one');

  const r = lv.verifyQKey(granted.call.doc, granted.call.options);
  for (const f of granted.v.expected.features) {
    assert.equal(r.has(f), true, f);
    assert.equal(r.has(f.toUpperCase()), true, f.toUpperCase());
  }
  assert.equal(r.has('no-such-feature'), false);
  assert.equal(r.has(` ${granted.v.expected.features[0]}`), false, 'no trimming: as Go compares');
  assert.ok(!Object.keys(r).includes('has'), 'has is not enumerable');
  assert.equal(JSON.stringify(r), JSON.stringify(JSON.parse(native[granted.v.id])));

  const bad = lv.verifyQKey(refused.call.doc, refused.call.options);
  assert.equal(bad.has(granted.v.expected.features[0]), false);
});

// A set loaded once and looked up, with its deltas applied one call later,
// must give what the one-shot revocation_set op gives for every vector:
// the same result, then the same lookups, from the set held in the module.
test('vectors: loaded revocation sets agree with verifyRevocationSet', () => {
  const failures = [];
  let n = 0;
  for (const v of vectors) {
    const t = typedOf(v);
    if (t.fn !== 'verifyRevocationSet' || isBadRequest(v.expected) || isKeyringError(v.expected)) continue;
    n++;
    const { doc: set, options } = t.forms[0];
    const { deltas, lookup, ...loadOptions } = options;
    const { lookups: wantLookups, ...want } = v.expected;
    // Rollback and freshness are decided where a chain ends: a base that
    // deltas follow is loaded on its own terms (no stored epoch, stale
    // allowed), and the apply, with the vector's options, decides them.
    if (deltas !== undefined) {
      delete loadOptions.minEpoch;
      loadOptions.allowStale = true;
    }
    const { result, set: loaded } = lv.loadRevocationSet(set, loadOptions);
    let got = result;
    if (result.valid && deltas !== undefined) {
      const { keys, now, minEpoch, allowStale, skewSeconds, limit } = options;
      got = lv.applyRevocationDelta(loaded, deltas, { keys, now, minEpoch, allowStale, skewSeconds, limit });
    }
    const why = check(want, JSON.stringify(got));
    if (why !== null) {
      failures.push(`${v.id}: ${why}`);
    } else if (loaded === null && result.valid) {
      failures.push(`${v.id}: valid but no set`);
    } else if (lookup !== undefined && v.expected.valid) {
      const r = loaded.lookup(lookup, options.now);
      const wantR = { valid: true, code: 'ok', epoch: v.expected.epoch, ...(v.expected.stale ? { stale: true } : {}), lookups: wantLookups ?? [] };
      const { message, ...gotR } = r;
      if (!isDeepStrictEqual(gotR, wantR)) failures.push(`${v.id}: lookup gave ${JSON.stringify(r)}\n want ${JSON.stringify(wantR)}`);
    }
    loaded?.free();
  }
  console.log(`node loaded sets: ${n - failures.length}/${n} revocation vectors agree`);
  assertNoFailures(failures, 'loaded sets');
});

test('a loaded set: lookups, deltas, free, and misuse', () => {
  const v = vectors.find((x) => x.id === 'revocation/delta-one') ?? vectors.find((x) => JSON.parse(x.request).deltas?.length === 1 && x.expected.valid);
  assert.ok(v, 'a valid one-delta revocation vector');
  const { set, deltas, keys, now } = JSON.parse(v.request);
  const { result, set: loaded } = lv.loadRevocationSet(set, { keys, now });
  assert.equal(result.valid, true);
  assert.ok(!('handle' in result), 'the handle stays inside the set object');
  const before = loaded.lookup([], now);
  assert.equal(before.epoch, result.epoch);

  const applied = lv.applyRevocationDelta(loaded, deltas[0], { keys, now });
  assert.equal(applied.valid, true);
  assert.equal(applied.epoch, v.expected.epoch);
  // The same delta again no longer follows on: refused, and the set stays.
  const twice = lv.applyRevocationDelta(loaded, deltas, { keys, now });
  assert.equal(twice.code, 'delta_base_mismatch');
  assert.equal(loaded.lookup('x', now).epoch, v.expected.epoch);

  assert.throws(() => loaded.lookup('x'), TypeError);
  assert.throws(() => loaded.lookup(7, now), TypeError);
  assert.throws(() => lv.applyRevocationDelta({}, deltas, { keys, now }), TypeError);
  loaded.free();
  loaded.free(); // twice is harmless
  // A freed set throws a clear error for every use, and the verifier goes on.
  assert.throws(() => loaded.lookup('x', now), { name: 'LicverifyError', message: /freed/ });
  assert.throws(() => lv.applyRevocationDelta(loaded, deltas, { keys, now }), { name: 'LicverifyError', message: /freed/ });
  assert.deepEqual(lv.loadRevocationSet('{}', { keys, now }).set, null);
});

test('a loaded set survives a crash of its instance', async () => {
  const v = vectors.find((x) => x.id === 'revocation/delta-one') ?? vectors.find((x) => JSON.parse(x.request).deltas?.length === 1 && x.expected.valid);
  const { set, deltas, keys, now } = JSON.parse(v.request);
  const verifier = await lv.createVerifier({ wasm: prepared().testhooks });
  const { set: loaded } = verifier.loadRevocationSet(set, { keys, now });
  assert.equal(verifier.applyRevocationDelta(loaded, deltas, { keys, now }).valid, true);
  const gen = verifier.generation;
  // The hook panics on every instance: thrown, with the instance replaced.
  // The hook answers these exact bytes, before any frame is read.
  assert.throws(() => verifier.call(bytes('{"op":"__panic"}')), { name: 'ModuleCrash', message: /internal: panic: test hook/ });
  assert.ok(verifier.generation > gen);
  // Loaded again and moved forward again, transparently.
  const r = loaded.lookup('x', now);
  assert.equal(r.valid, true);
  assert.equal(r.epoch, v.expected.epoch);
  loaded.free();
});

// A crash during the very call that names a loaded set's handle: the call
// is retried on the new instance with the set loaded there again (lookup),
// or has nothing left to free (free). Instance.call is wrapped to crash
// once on the chosen op.
test('a crash during a lookup or a free of a loaded set is retried on the new instance', async () => {
  const { Instance, ModuleCrash } = await import(pathToFileURL(path.join(prepared().installed, 'lib', 'instance.js')).href);
  const v = vectors.find((x) => x.id === 'revocation/delta-one');
  const { set, deltas, keys, now } = JSON.parse(v.request);
  const verifier = await lv.createVerifier();
  const { set: loaded } = verifier.loadRevocationSet(set, { keys, now });
  assert.equal(verifier.applyRevocationDelta(loaded, deltas, { keys, now }).valid, true);
  const call = Instance.prototype.call;
  const crashOnce = (op) => {
    let armed = true;
    Instance.prototype.call = function (frame) {
      if (armed && splitFrame(frame).header.op === op) {
        armed = false;
        throw new ModuleCrash('licverify: injected crash');
      }
      return call.call(this, frame);
    };
  };
  try {
    crashOnce('revocation_lookup');
    const gen = verifier.generation;
    const r = loaded.lookup('x', now);
    assert.equal(r.valid, true, r.message);
    assert.equal(r.epoch, v.expected.epoch);
    assert.ok(verifier.generation > gen);
    crashOnce('revocation_free');
    loaded.free();
    assert.throws(() => loaded.lookup('x', now), /freed/);
  } finally {
    Instance.prototype.call = call;
  }
});
