// The fingerprint collector follows the rules of docs/formats.md
// ("Fingerprint components"), as the Go collector does: both are run on
// the same fixtures, and on this machine both must give the same hash, so
// that a license bound by an Electron app matches in a Go program.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fingerprintComponents } from '../lib/node-host.js';
import { repo } from './paths.js';

const fixtures = JSON.parse(readFileSync(path.join(repo, 'testvectors', 'fingerprint', 'collector.json'), 'utf8'));

test('fingerprint: the shared collector fixtures', () => {
  assert.ok(fixtures.cases.length > 0);
  for (const c of fixtures.cases) {
    const got = fingerprintComponents({ ...c.sources, platform: c.node.platform, arch: c.node.arch });
    assert.deepEqual(got, c.components, c.name);
  }
});

test('fingerprint: Node and Go collect the same hash on this machine', async () => {
  const lv = await import('../node.js');
  await lv.init();
  const node = lv.fingerprintHash(await lv.collectFingerprint());
  assert.equal(node.valid, true, node.message);
  const go = JSON.parse(
    execFileSync('go', ['run', './cmd/licverify', 'fingerprint', '--json'], { cwd: repo, encoding: 'utf8' }),
  );
  assert.equal(node.binding_hash, go.binding_hash);
});
