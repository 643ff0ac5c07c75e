// Every test vector through the packed package in Node: the response must
// meet the vector's expectation (testvectors.Check's rule) and be the very
// bytes native Go answers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { importInstalled, nativeResponses } from './prepared.js';
import { assertNoFailures, check, loadVectors } from './vectors.js';
import { typedCall } from './typed.js';

const lv = await importInstalled();
await lv.init();
const vectors = loadVectors();
const native = nativeResponses();

test('native responses cover every vector', () => {
  assert.deepEqual(Object.keys(native).sort(), vectors.map((v) => v.id).sort());
});

// Failures are collected rather than run as one test per vector, so that
// `make test` prints one line per runtime and every failure in full.
test('vectors: node responses identical to Go', () => {
  const failures = [];
  let identical = 0;
  for (const v of vectors) {
    const response = lv.call(v.request);
    const why = check(v.expected, response);
    if (why !== null) failures.push(`${v.id} (${v.comment}): ${why}`);
    else if (response !== native[v.id]) failures.push(`${v.id}: differs from Go\n node: ${response}\n   go: ${native[v.id]}`);
    else identical++;
  }
  console.log(`node: ${identical}/${vectors.length} identical to Go`);
  assertNoFailures(failures, 'node vectors');
});

// The typed functions must send what the vector's request says: each
// request is turned back into a call of the typed API (its document
// positional, its members camelCase options) and must give Go's result.
test('vectors: typed API gives the same results', () => {
  const failures = [];
  let same = 0;
  let typed = 0;
  for (const v of vectors) {
    const call = typedCall(JSON.parse(v.request));
    if (call === null) continue;
    typed++;
    let result;
    try {
      result = lv[call.fn](call.doc, call.options);
    } catch (err) {
      failures.push(`${v.id}: ${call.fn} threw ${err}`);
      continue;
    }
    if (isDeepStrictEqual({ ...result }, JSON.parse(native[v.id]))) same++;
    else failures.push(`${v.id}: ${call.fn} gave ${JSON.stringify(result)}\n   go: ${native[v.id]}`);
  }
  console.log(`node typed API: ${same}/${typed} vectors give Go's result (${vectors.length - typed} only expressible as raw requests)`);
  assertNoFailures(failures, 'typed API');
});

// has(feature) answers from the features a vector expects: every one of
// them, in any ASCII case, and nothing else; never for an invalid license.
test('verifyQKey results have has(feature)', () => {
  const qkeys = vectors
    .map((v) => ({ v, call: typedCall(JSON.parse(v.request)) }))
    .filter(({ v, call }) => call?.fn === 'verifyQKey');
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
