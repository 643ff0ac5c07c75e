// The Node recipe of docs/issuers.md writes its committed output
// (testvectors/issuers/recipes/out/node.json), byte for byte, when run
// again with this Node.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repo } from './paths.js';

const recipes = path.join(repo, 'testvectors', 'issuers', 'recipes');

test('the Node recipe writes its committed status proof', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'licverify-recipe-'));
  try {
    const out = path.join(dir, 'node.json');
    execFileSync(process.execPath, [path.join(recipes, 'node.mjs'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.deepEqual(readFileSync(out), readFileSync(path.join(recipes, 'out', 'node.json')), 'run make issuers');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
