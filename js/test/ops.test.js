// The typed API is a thin layer over the module's one table of ops
// (internal/api/ops.json): lib/ops.js must be what scripts/generate-ops.js
// makes of it today, and every op and member of the table must reach the
// wire from the JavaScript API, under its name and in its kind's form.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { generate, outFile, tableFile } from '../scripts/generate-ops.js';
import { splitFrame } from './fromjson.js';
import { importInstalled, prepared } from './prepared.js';
import { loadVectors } from './vectors.js';

const table = JSON.parse(readFileSync(tableFile, 'utf8'));

test('lib/ops.js is generated from internal/api/ops.json (run `npm run generate`)', () => {
  assert.equal(readFileSync(outFile, 'utf8'), generate(readFileSync(tableFile, 'utf8')));
});

test('the package speaks the ABI version of the table', async () => {
  const { ABI_VERSION } = await import(pathToFileURL(path.join(prepared().installed, 'lib', 'instance.js')).href);
  assert.equal(ABI_VERSION, table.abi_version);
});

// A value of each kind, and the wire form the frame must carry for it.
const samples = {
  bytes: (name) => ({ value: `{"${name}":"é"}`, parts: [new TextEncoder().encode(`{"${name}":"é"}`)] }),
  'bytes[]': (name) => ({ value: [`{"${name}":1}`, `{"${name}":2}`], parts: [1, 2].map((i) => new TextEncoder().encode(`{"${name}":${i}}`)) }),
  string: () => ({ value: 'sample', header: 'sample' }),
  strings: () => ({ value: ['a', 'b'], header: ['a', 'b'] }),
  time: () => ({ value: new Date(Date.UTC(2025, 11, 30, 16)), header: '2025-12-30T16:00:00Z' }),
  int: (name, m) => ({ value: m.min ?? 1, header: m.min ?? 1 }),
  bool: () => ({ value: true, header: true }),
};

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

test('the JS API reaches every op and member of the table', async () => {
  const lv = await importInstalled();
  await lv.init();
  const { Instance } = await import(pathToFileURL(path.join(prepared().installed, 'lib', 'instance.js')).href);
  const v = loadVectors().find((x) => x.id === 'revocation/delta-one');
  const { set, keys, now } = JSON.parse(v.request);
  let loaded = null;
  // How each op is reached from the API: (document, options) => call.
  // An op of the table missing here is an op users cannot reach.
  const api = {
    canonicalize: (doc, o) => lv.canonicalize(doc, o),
    fingerprint: (doc, o) => lv.fingerprintHash(doc, o),
    status_proof: (doc, o) => lv.verifyStatusProof(doc, o),
    revocation_set: (doc, o) => lv.verifyRevocationSet(doc, o),
    revocation_load: (doc, o) => lv.loadRevocationSet(doc, o),
    revocation_lookup: (doc, o) => loaded.lookup(doc, o.now),
    revocation_apply: (doc, o) => lv.applyRevocationDelta(loaded, doc, o),
    revocation_free: () => loaded.free(),
    license: (doc, o) => lv.evaluateLicense(doc, o),
    qkey: (doc, o) => lv.verifyQKey(doc, o),
    plan: (doc, o) => lv.plan(o),
    accept: (doc, o) => lv.accept(doc, o),
  };
  const call = Instance.prototype.call;
  const sent = [];
  Instance.prototype.call = function (frame) {
    sent.push(splitFrame(frame.slice()));
    return call.call(this, frame);
  };
  const failures = [];
  try {
    // The ops on a handle need a set loaded; free goes last.
    const names = Object.keys(table.ops).sort((a, b) => (a === 'revocation_free') - (b === 'revocation_free'));
    for (const op of names) {
      const spec = table.ops[op];
      if (!Object.hasOwn(api, op)) {
        failures.push(`op ${op} has no JavaScript API`);
        continue;
      }
      if (loaded === null) {
        loaded = lv.loadRevocationSet(set, { keys, now }).set;
        assert.ok(loaded, 'a genuine set loads');
      }
      let doc;
      const options = {};
      const want = {};
      for (const [name, m] of Object.entries(spec.members)) {
        if (m.kind === 'handle') continue;
        const sample = samples[m.kind];
        if (sample === undefined) {
          failures.push(`${op}.${name}: kind ${m.kind} has no sample here: teach the test (and requests.js) the kind`);
          continue;
        }
        const s = sample(name, m);
        want[name] = s;
        if (name === spec.document) doc = s.value;
        else options[camel(name)] = s.value;
      }
      sent.length = 0;
      try {
        api[op](doc, options);
      } catch {
        // Samples need not make a valid request: only the frame matters.
      }
      const frame = sent.find((f) => f.header.op === op);
      if (frame === undefined) {
        failures.push(`${op}: no frame of the op was sent`);
        continue;
      }
      for (const [name, s] of Object.entries(want)) {
        if (s.parts !== undefined) {
          const got = frame.parts.filter(([n]) => n === name).map(([, d]) => d);
          if (!isDeepStrictEqual(got.map((d) => [...d]), s.parts.map((d) => [...d]))) failures.push(`${op}.${name}: parts ${JSON.stringify(got.map((d) => new TextDecoder().decode(d)))}`);
        } else if (!isDeepStrictEqual(frame.header[name], s.header)) {
          failures.push(`${op}.${name}: header has ${JSON.stringify(frame.header[name])}, want ${JSON.stringify(s.header)}`);
        }
      }
      for (const [name, m] of Object.entries(spec.members)) {
        if (m.kind === 'handle' && !Number.isSafeInteger(frame.header[name])) failures.push(`${op}.${name}: no handle in ${frame.headerText}`);
      }
      // Nothing the table lacks goes out.
      for (const name of [...Object.keys(frame.header), ...frame.parts.map(([n]) => n)]) {
        if (name !== 'op' && !Object.hasOwn(spec.members, name)) failures.push(`${op}: sent ${name}, which the table lacks`);
      }
    }
  } finally {
    Instance.prototype.call = call;
  }
  assert.deepEqual(failures, []);
});

test('options are exactly the table members in camelCase', async () => {
  const { ops } = await import(pathToFileURL(path.join(prepared().installed, 'lib', 'ops.js')).href);
  for (const [op, spec] of Object.entries(table.ops)) {
    const want = Object.keys(spec.members)
      .filter((name) => name !== spec.document && spec.members[name].kind !== 'handle')
      .map((name) => [camel(name), name]);
    assert.deepEqual(Object.entries(ops[op].options), want, op);
  }
});
