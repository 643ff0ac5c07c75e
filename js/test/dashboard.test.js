// The dashboard example's sample data (examples/dashboard/data/) is what
// its generator writes, byte for byte: committed, and reproducible. The
// page itself is tested in Chromium by browser.test.js.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repo } from './paths.js';
import { build, files } from '../../examples/dashboard/gen.mjs';

const data = path.join(repo, 'examples', 'dashboard', 'data');

test('examples/dashboard/data is what gen.mjs writes (node examples/dashboard/gen.mjs)', async () => {
  const want = await files();
  for (const [name, text] of Object.entries(want)) {
    assert.equal(readFileSync(path.join(data, name), 'utf8'), text, `${name} differs: run node examples/dashboard/gen.mjs`);
  }
  const bundle = JSON.parse(want['samples.json']);
  assert.ok(bundle.keyring in want && bundle.revocation_set in want);
  // A second build gives the same bytes: nothing random, nothing from the clock.
  assert.deepEqual(await files(), want);
});

test('the sample covers every verdict, and the set both revokes and suspends', async () => {
  const s = await build();
  const verdicts = new Set(s.expected.map((e) => e.verdict));
  assert.deepEqual([...verdicts].sort(), ['rejected', 'valid', 'warn']);
  const sets = new Set(s.expected.map((e) => e.set));
  for (const x of ['revoked', 'suspended', 'not_revoked', null]) assert.ok(sets.has(x), `a row whose set column is ${x}`);
  assert.ok(s.expected.some((e) => e.kind === 'license') && s.expected.some((e) => e.kind === 'status_proof'));
  assert.equal(new Set(s.documents.map((d) => d.name)).size, s.documents.length, 'names are unique');
});
