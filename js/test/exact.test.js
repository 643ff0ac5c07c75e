// Documents reach the module as their exact bytes: the package never
// decodes bytes, never repairs a lone surrogate into U+FFFD, never strips
// a byte order mark, and never answers for the module. Each case asserts
// the module's own answer, and where it matters that a repairing host
// would have sent the signed bytes instead (so the case tells the two
// apart).

import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { importInstalled } from './prepared.js';
import { base64Strict } from './fromjson.js';
import { loadVectors } from './vectors.js';

const lv = await importInstalled();
await lv.init();
const vectors = loadVectors();
const request = (id) => {
  const v = vectors.find((x) => x.id === id);
  assert.ok(v, `vector ${id}`);
  return JSON.parse(v.request);
};
const encoder = new TextEncoder();
const code = (r) => ({ valid: r.valid, code: r.code });
const MiB = 1 << 20;

// repaired is what TextEncoder (and any host that decodes and re-encodes
// text) makes of a string: every lone surrogate becomes U+FFFD's EF BF BD.
const repaired = (s) => encoder.encode(s);

test('a proof holding a lone surrogate where the signed text had U+FFFD is malformed_json', () => {
  const { proof, keys, now } = request('transport/proof/unicode');
  assert.ok(proof.includes('\uFFFD'));
  assert.equal(lv.verifyStatusProof(proof, { keys, now }).valid, true, 'the signed text verifies');
  const forged = proof.replace('\uFFFD', '\uD800');
  assert.deepEqual(repaired(forged), repaired(proof), 'a repairing host would send the signed bytes');
  assert.deepEqual(code(lv.verifyStatusProof(forged, { keys, now })), { valid: false, code: 'malformed_json' });
  // And the bytes a string with a lone surrogate is sent as: ED A0 80.
  const wtf8 = encoder.encode(proof).map((b) => b);
  const at = wtf8.findIndex((b, i) => b === 0xef && wtf8[i + 1] === 0xbf && wtf8[i + 2] === 0xbd);
  wtf8.set([0xed, 0xa0, 0x80], at);
  assert.deepEqual(lv.verifyStatusProof(wtf8, { keys, now }), lv.verifyStatusProof(forged, { keys, now }));
});

test('a license holding a lone surrogate where the signed text had U+FFFD is malformed_json, decision block', () => {
  const r = request('transport/license/not-utf8');
  // The vector's bytes have FF where the signed text has U+FFFD.
  const b = base64Strict(r.license_b64);
  const at = b.indexOf(0xff);
  const signed = new TextDecoder().decode(Uint8Array.from([...b.subarray(0, at), 0xef, 0xbf, 0xbd, ...b.subarray(at + 1)]));
  const options = { keys: r.keys, now: r.now, productId: r.product_id, fingerprintHash: r.fingerprint_hash };
  assert.equal(lv.evaluateLicense(signed, options).decision, 'run', 'the signed text runs');
  const forged = signed.replace('\uFFFD', '\uDC00');
  assert.deepEqual(repaired(forged), repaired(signed));
  const got = lv.evaluateLicense(forged, options);
  assert.deepEqual({ ...code(got), decision: got.decision, reasons: got.reasons }, {
    valid: false,
    code: 'malformed_json',
    decision: 'block',
    reasons: ['malformed_json'],
  });
});

test('a set holding a lone surrogate where the signed text had U+FFFD is malformed_json', () => {
  const { set, keys, now, lookup } = request('transport/set/unicode-id');
  const ok = lv.verifyRevocationSet(set, { keys, now, lookup });
  assert.equal(ok.lookups[0].status, 'revoked', 'the signed set revokes lic-U+FFFD');
  const forged = set.replace('\uFFFD', '\uD800');
  assert.deepEqual(repaired(forged), repaired(set));
  assert.deepEqual(code(lv.verifyRevocationSet(forged, { keys, now, lookup })), { valid: false, code: 'malformed_json' });
  assert.deepEqual(code(lv.loadRevocationSet(forged, { keys, now }).result), { valid: false, code: 'malformed_json' });
});

// No vector signs a delta holding U+FFFD, so this one signs its own set and
// delta with a key made here: the signed bytes are the JCS form of the
// document minus its signature (docs/formats.md).
test('a delta holding a lone surrogate where the signed text had U+FFFD is malformed_json', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = 'js-test';
  const keys = [{ kid, alg: 'ed25519', public_key: Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('base64') }];
  const signed = (doc) => {
    const c = lv.canonicalize(JSON.stringify(doc));
    assert.equal(c.valid, true, c.message);
    return JSON.stringify({ ...doc, signature: sign(null, Buffer.from(c.canonical), privateKey).toString('base64') });
  };
  const times = { issued_at: '2026-01-01T00:00:00Z', valid_until: '2026-01-02T00:00:00Z' };
  const now = '2026-01-01T12:00:00Z';
  const set = signed({ epoch: 1, issuer_kid: kid, revoked_ids: ['lic-a'], ...times });
  const delta = signed({ epoch: 2, since_epoch: 1, issuer_kid: kid, added: ['lic-\uFFFD'], removed: [], ...times });
  const ok = lv.verifyRevocationSet(set, { keys, now, deltas: [delta], lookup: ['lic-\uFFFD'] });
  assert.deepEqual([ok.code, ok.epoch, ok.lookups[0].status], ['ok', 2, 'revoked'], ok.message);

  const forged = delta.replace('\uFFFD', '\uD800');
  assert.deepEqual(repaired(forged), repaired(delta));
  const r = lv.verifyRevocationSet(set, { keys, now, deltas: [forged] });
  assert.deepEqual(code(r), { valid: false, code: 'malformed_json' });
  assert.match(r.message, /^delta 0: /, 'the message names the delta');

  const { result, set: loaded } = lv.loadRevocationSet(set, { keys, now });
  assert.equal(result.valid, true);
  assert.deepEqual(code(lv.applyRevocationDelta(loaded, forged, { keys, now })), { valid: false, code: 'malformed_json' });
  assert.equal(loaded.lookup('lic-\uFFFD', now).epoch, 1, 'the set stays as it was');
  assert.equal(lv.applyRevocationDelta(loaded, delta, { keys, now }).epoch, 2);
  loaded.free();
});

test('canonicalize of a string holding a lone surrogate is malformed_json', () => {
  assert.deepEqual(code(lv.canonicalize('{"a":"\uD800"}')), { valid: false, code: 'malformed_json' });
  assert.deepEqual(code(lv.canonicalize('["\uDFFF"]')), { valid: false, code: 'malformed_json' });
  // A well-formed pair is text, and so is U+FFFD itself.
  assert.equal(lv.canonicalize('["\uD83D\uDE00","\uFFFD"]').canonical, '["\uD83D\uDE00","\uFFFD"]');
});

test('a lookup of an id holding a lone surrogate is a bad request, never lic-U+FFFD', () => {
  const { set, keys, now } = request('transport/set/unicode-id');
  const misuse = { name: 'LicverifyError', message: /^licverify: bad request: header: .*surrogate/ };
  assert.throws(() => lv.verifyRevocationSet(set, { keys, now, lookup: ['lic-\uD800'] }), misuse);
  const { set: loaded } = lv.loadRevocationSet(set, { keys, now });
  assert.throws(() => loaded.lookup('lic-\uD800', now), misuse);
  assert.equal(loaded.lookup('lic-\uFFFD', now).lookups[0].status, 'revoked');
  loaded.free();
  // Other header strings too.
  const p = request('transport/proof/unicode');
  assert.throws(() => lv.verifyStatusProof(p.proof, { keys: p.keys, now: p.now, licenseId: 'lic-\uD800' }), misuse);
});

test('a fingerprint holding a lone surrogate: a status proof refuses it; fingerprintHash answers malformed_json', () => {
  const { proof, keys, now } = request('transport/proof/unicode');
  assert.throws(() => lv.verifyStatusProof(proof, { keys, now, fingerprint: '{"host":"\uD800"}' }), {
    name: 'LicverifyError',
    message: /^licverify: bad request: .*fingerprint/,
  });
  assert.throws(() => lv.verifyStatusProof(proof, { keys, now, fingerprint: { host: '\uD800' } }), { name: 'LicverifyError' });
  assert.equal(lv.verifyStatusProof(proof, { keys, now, fingerprint: '{"host":"\uFFFD"}' }).valid, true, 'U+FFFD is text');
  // fingerprintHash's components are its document: a result, as native Go gives it.
  assert.deepEqual(code(lv.fingerprintHash('{"host":"\uD800"}')), { valid: false, code: 'malformed_json' });
});

test('a byte order mark before a signed proof is malformed_json, as bytes and as a string', () => {
  const { proof, keys, now } = request('statusproof/valid');
  assert.equal(lv.verifyStatusProof(proof, { keys, now }).valid, true);
  const withBOM = Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode(proof)]);
  assert.deepEqual(code(lv.verifyStatusProof(withBOM, { keys, now })), { valid: false, code: 'malformed_json' });
  assert.deepEqual(code(lv.verifyStatusProof(withBOM.buffer, { keys, now })), { valid: false, code: 'malformed_json' });
  assert.deepEqual(code(lv.verifyStatusProof('\uFEFF' + proof, { keys, now })), { valid: false, code: 'malformed_json' });
  // And in the keyring, which is bytes too.
  const bomKeys = Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode(keys)]);
  assert.throws(() => lv.verifyStatusProof(proof, { keys: bomKeys, now }),
    (err) => err instanceof lv.LicverifyError && err.code === 'malformed_json');
});

test('a state that is not UTF-8 is ignored: decision warn, reason state_invalid', () => {
  const r = request('license/seed/resigned');
  const options = { keys: r.keys, now: r.now, productId: r.product_id, fingerprintHash: r.fingerprint_hash };
  const first = lv.evaluateLicense(r.license, options);
  assert.equal(first.decision, 'run');
  const state = JSON.stringify({ ...first.state, last_server_message: 'ok \uFFFD' });
  const fine = lv.evaluateLicense(r.license, { ...options, state });
  assert.deepEqual([fine.decision, fine.reasons], ['run', []], 'the state with U+FFFD is read');
  const b = encoder.encode(state);
  const at = b.findIndex((x, i) => x === 0xef && b[i + 1] === 0xbf && b[i + 2] === 0xbd);
  const notUTF8 = Uint8Array.from([...b.subarray(0, at), 0xff, ...b.subarray(at + 3)]);
  for (const bad of [notUTF8, state.replace('\uFFFD', '\uD800')]) {
    const got = lv.evaluateLicense(r.license, { ...options, state: bad });
    assert.deepEqual({ valid: got.valid, decision: got.decision, reasons: got.reasons }, { valid: true, decision: 'warn', reasons: ['state_invalid'] });
  }
});

test('a genuine revocation set padded to exactly 64 MiB verifies; one byte more is input_too_large', () => {
  const { set, keys, now } = request('revocation/delta-one');
  const padded = set + '\t'.repeat(64 * MiB - encoder.encode(set).length);
  const r = lv.verifyRevocationSet(padded, { keys, now });
  assert.deepEqual(code(r), { valid: true, code: 'ok' }, r.message);
  assert.equal(r.epoch, 42);
  assert.deepEqual(code(lv.verifyRevocationSet(padded + '\t', { keys, now })), { valid: false, code: 'input_too_large' });
});

test('a request over 72 MiB is refused as a bad request, in the package and at the module', async () => {
  const { set, keys, now } = request('revocation/delta-one');
  const big = new Uint8Array(64 * MiB).fill(0x09);
  big.set(encoder.encode(set));
  // 64 MiB of set and 8 MiB of keyring: over, so refused before any buffer is made.
  const hugeKeys = new Uint8Array(8 * MiB).fill(0x20);
  assert.throws(() => lv.verifyRevocationSet(big, { keys: hugeKeys, now }), {
    name: 'LicverifyError',
    message: /^licverify: bad request: request is \d+ bytes, limit is 75497472$/,
  });
  // A raw frame over the limit: the module's alloc refuses it.
  const v = await lv.createVerifier();
  assert.throws(() => v.call(new Uint8Array(72 * MiB + 1)), {
    name: 'LicverifyError',
    message: 'licverify: bad request: request is 75497473 bytes, limit is 75497472',
  });
  assert.equal(v.generation, 1, 'the instance is fine');
  // At the limit it is the module that reads (and refuses) it.
  assert.match(JSON.parse(v.call(new Uint8Array(72 * MiB))).error, /^licverify: bad request: request does not start with "LVR2"/);
  assert.equal(lv.verifyRevocationSet(set, { keys, now }).valid, true);
});
