// The Node epoch store's lock (lib/filelock.js): processes, stores for one
// path and aliased paths raising one file lose no raise, and the lock is
// the Python (and Go) stores' lock. Imports the store directly: no packed
// package is needed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { repo } from './paths.js';
import { LOCK_STALE_MS, lockFile } from '../lib/filelock.js';
import { createEpochStore } from '../lib/node-host.js';

const raiser = path.join(repo, 'epochstore', 'testdata');
const ROUNDS = 20;

function tempDir(t) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-locks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// raiseTogether starts one child per command (epochstore/testdata/raise.*,
// each given its number and the count), lets them all go at once, and
// checks that the file ends with every child's last epochs.
async function raiseTogether(file, commands) {
  const n = commands.length;
  const children = commands.map(([cmd, script], k) => {
    const child = spawn(cmd, [path.join(raiser, script), file, String(k), String(n), String(ROUNDS)], {
      stdio: ['pipe', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const done = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${script} (child ${k}) exited ${code}: ${stderr}`))));
    });
    return { child, done };
  });
  for (const { child } of children) child.stdin.end();
  await Promise.all(children.map((c) => c.done));

  const want = { shared: ROUNDS * n };
  for (let k = 0; k < n; k++) want[`own-${k}`] = ROUNDS;
  const got = JSON.parse(readFileSync(file, 'utf8'));
  const lost = Object.keys(want).filter((ns) => !(ns in got));
  assert.deepEqual(lost, [], `${lost.length} of ${Object.keys(want).length} namespaces lost`);
  assert.deepEqual(got, want);
  assert.ok(!existsSync(`${file}.lock`), 'the lock file is removed');
}

// lookPath is the command's file in PATH, or null.
function lookPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return null;
}

// python runs raise.py; null without one.
const python = lookPath(process.platform === 'win32' ? 'python.exe' : 'python3');

test('six Node processes raising one file lose no raise', async (t) => {
  const file = path.join(tempDir(t), 'epochs.json');
  await raiseTogether(file, Array.from({ length: 6 }, () => [process.execPath, 'raise.mjs']));
});

test('Node and Python processes raising one file take one lock', async (t) => {
  if (python === null) {
    if (process.env.CI === 'true') assert.fail('no python3 in PATH; CI=true, so this fails instead of skipping');
    t.skip('no python3 in PATH');
    return;
  }
  const file = path.join(tempDir(t), 'epochs.json');
  await raiseTogether(file, [
    [process.execPath, 'raise.mjs'],
    [python, 'raise.py'],
    [process.execPath, 'raise.mjs'],
    [python, 'raise.py'],
  ]);
});

// 400 raises of distinct namespaces, spread over the stores, all at once.
async function raiseThrough(file, stores) {
  await Promise.all(Array.from({ length: 400 }, (_, i) => stores[i % stores.length].raise(`ns-${i}`, i + 1)));
  const got = JSON.parse(readFileSync(file, 'utf8'));
  let lost = 0;
  for (let i = 0; i < 400; i++) if (got[`ns-${i}`] !== i + 1) lost++;
  assert.equal(lost, 0, `${lost} of 400 raises lost`);
}

test('two stores for one path in one process lose no raise', async (t) => {
  const file = path.join(tempDir(t), 'epochs.json');
  await raiseThrough(file, [createEpochStore({ path: file }), createEpochStore({ path: file })]);
  assert.ok(!existsSync(`${file}.lock`));
});

test('stores for one file under aliased paths take one lock', async (t) => {
  const dir = tempDir(t);
  const real = path.join(dir, 'real');
  mkdirSync(real);
  const file = path.join(real, 'epochs.json');
  const spellings = [file, path.relative(process.cwd(), file), path.join(real, '.', 'epochs.json')];
  try {
    symlinkSync(real, path.join(dir, 'link'), 'dir');
    spellings.push(path.join(dir, 'link', 'epochs.json'));
  } catch (err) {
    if (process.platform !== 'win32') throw err; // which needs a privilege for it
  }
  await raiseThrough(file, spellings.map((p) => createEpochStore({ path: p })));
});

test('a held lock excludes, a stale one is removed, a taken-over one is not written through', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'epochs.json');

  const first = await lockFile(file);
  let second = null;
  const waiting = lockFile(file).then((l) => (second = l));
  for (let i = 0; i < 20; i++) await tick();
  assert.equal(second, null, 'the second waits while the first holds');
  assert.ok(await first.held());
  await first.release();
  await waiting;
  assert.ok(await second.held());

  // Taken over: the holder sees it, and its release leaves the other's lock.
  writeFileSync(`${file}.lock`, '{"pid":1,"token":"another"}\n');
  assert.equal(await second.held(), false);
  await second.release();
  assert.equal(readFileSync(`${file}.lock`, 'utf8'), '{"pid":1,"token":"another"}\n');

  // Stale (modified over LOCK_STALE_MS ago): removed, and the raise goes on.
  const old = new Date(Date.now() - 2 * LOCK_STALE_MS);
  utimesSync(`${file}.lock`, old, old);
  const store = createEpochStore({ path: file });
  assert.equal(await store.raise('a', 3), 3);
  assert.ok(!existsSync(`${file}.lock`));
});

test('a symbolic link at the lock name is neither followed nor removed', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'epochs.json');
  const victim = path.join(dir, 'victim');
  try {
    symlinkSync(victim, `${file}.lock`);
  } catch (err) {
    if (process.platform === 'win32') return t.skip('no symbolic links here');
    throw err;
  }
  await assert.rejects(createEpochStore({ path: file }).raise('a', 1), {
    message: `licverify: epoch store ${file}: locking it: ${file}.lock is not a regular file; remove it`,
  });
  assert.ok(!existsSync(victim));
  assert.ok(!existsSync(file));
  assert.ok(lstatSync(`${file}.lock`).isSymbolicLink());
});
