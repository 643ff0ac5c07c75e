// QuantumMeta's machine id follows the rules of docs/formats.md
// ("QuantumMeta's machine id"), as the Go and Python collectors do: all
// run on the same fixtures (testvectors/fingerprint/quantummeta.json,
// which python/tests holds to QuantumMeta's own code), and on this machine
// Node reports what QuantumMeta's get_machine_id() gives.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { classify, quantumMeta } from '../lib/quantummeta.js';
import { repo } from './paths.js';

const fixtures = JSON.parse(readFileSync(path.join(repo, 'testvectors', 'fingerprint', 'quantummeta.json'), 'utf8'));
const caseKeys = new Set(['name', 'comment', 'platform', 'env', 'fs', 'runs', 'interfaces', 'uname', 'expect']);
const utf8 = (s) => new TextEncoder().encode(s);

// fakeMachine answers as a fixture machine; a command it does not list fails.
function fakeMachine(c) {
  for (const k of Object.keys(c)) assert.ok(caseKeys.has(k), `unknown member ${k} in ${c.name}`);
  return {
    platform: () => c.platform,
    getenv: (k) => c.env[k],
    stat: (p) => {
      const f = c.fs[p];
      return { kind: f?.kind ?? '', exec: f?.exec ?? false, writable: f?.writable ?? false };
    },
    read: (p, limit) => {
      const f = c.fs[p];
      if (f === undefined) return { kind: 'missing' };
      if (f.kind !== 'file') return { kind: f.kind };
      const data = utf8(f.text ?? '');
      return data.length > limit ? { kind: 'large' } : { kind: 'ok', data };
    },
    run: async (p, name, args) => {
      const argv = [name, ...args].join(' ');
      assert.equal(path.posix.basename(p), name);
      const r = c.runs?.[argv];
      assert.ok(r, `the rules ran ${argv} (${p}), which ${c.name} does not list`);
      return { exit: r.exit ?? 0, stdout: utf8(r.stdout ?? ''), timeout: r.timeout ?? false, large: r.large ?? false, failed: r.failed ?? false };
    },
    interfaces: () => c.interfaces ?? [],
    uname: () => [c.uname?.nodename ?? '', c.uname?.machine ?? ''],
  };
}

test('quantummeta: the shared cache file fixtures', () => {
  assert.ok(fixtures.cache_files.length >= 50);
  for (const c of fixtures.cache_files) {
    const e = c.expect;
    assert.equal(Object.keys(e).length, 1, c.name);
    const want = [e.machine_id ?? '', e.decline ?? '', e.recompute ?? ''];
    assert.deepEqual(classify('machine_id.json', utf8(c.text)), want, c.name);
  }
});

test('quantummeta: the shared machine fixtures', async () => {
  assert.ok(fixtures.machines.length >= 50);
  for (const c of fixtures.machines) {
    assert.deepEqual(await quantumMeta(fakeMachine(c)), c.expect, c.name);
  }
});

const linux = os.platform() === 'linux';

// withCacheHome runs fn with XDG_CACHE_HOME set to dir.
async function withCacheHome(dir, fn) {
  const saved = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = dir;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  }
}

test('quantummeta: the cache is read bounded, a FIFO is not waited on, nothing is written', { skip: !linux && 'the cache is placed by XDG_CACHE_HOME on Linux only' }, async () => {
  const { collectQuantumMetaMachineId } = await import('../node.js');
  const home = mkdtempSync(path.join(os.tmpdir(), 'qm-'));
  try {
    const file = path.join(home, 'quantummeta', 'machine_id.json');
    mkdirSync(path.dirname(file));
    const text = '{"machine_id": "3F2A9C0D5E6B7A8190FEDCBA12345678"}';
    await withCacheHome(home, async () => {
      writeFileSync(file, text.padEnd(4096));
      assert.deepEqual(await collectQuantumMetaMachineId(), { quantummeta_machine_id: '3F2A9C0D5E6B7A8190FEDCBA12345678', source: 'cache', path: file });
      writeFileSync(file, text.padEnd(4097));
      assert.deepEqual(await collectQuantumMetaMachineId(), { path: file, reason: `${file} is larger than 4096 bytes` });
      unlinkSync(file);
      execFileSync('mkfifo', [file]);
      assert.deepEqual(await collectQuantumMetaMachineId(), { path: file, reason: `${file} is not a regular file` });
      unlinkSync(file);
      rmSync(path.dirname(file), { recursive: true });
      const got = await collectQuantumMetaMachineId();
      assert.equal(got.path, file);
      assert.equal(existsSync(path.dirname(file)), false, 'the collector made QuantumMeta\'s cache directory');
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('quantummeta: not a fingerprint component', { skip: !linux && 'the cache is placed by XDG_CACHE_HOME on Linux only' }, async () => {
  const { collectFingerprint } = await import('../node.js');
  const home = mkdtempSync(path.join(os.tmpdir(), 'qm-'));
  try {
    mkdirSync(path.join(home, 'quantummeta'));
    writeFileSync(path.join(home, 'quantummeta', 'machine_id.json'), '{"machine_id": "3f2a9c0d5e6b7a8190fedcba12345678"}');
    const c = await withCacheHome(home, () => collectFingerprint());
    assert.equal('quantummeta_machine_id' in c, false);
    assert.equal(Object.values(c).includes('3f2a9c0d5e6b7a8190fedcba12345678'), false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

// getMachineId runs QuantumMeta's own get_machine_id() with its cache under
// cacheHome, with the Python of python/run-tests.sh's venv.
const python = path.join(repo, 'python', '.venv', 'bin', 'python');
const hasQuantumMeta = spawnSync(python, ['-c', 'import quantummeta_license.core.hardware']).status === 0;
function getMachineId(cacheHome) {
  const code = 'from quantummeta_license.core.hardware import get_machine_id; print(get_machine_id())';
  return execFileSync(python, ['-c', code], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, encoding: 'utf8' }).trim();
}

test('quantummeta: what get_machine_id() gives, with and without its cache', async (t) => {
  if (!linux) return t.skip('the cache is placed by XDG_CACHE_HOME on Linux only');
  if (!hasQuantumMeta) {
    assert.notEqual(process.env.CI, 'true', `${python} cannot import quantummeta_license: run python/run-tests.sh --setup`);
    return t.skip(`not checked against QuantumMeta's get_machine_id(): ${python} cannot import quantummeta_license (python/run-tests.sh --setup makes it)`);
  }
  const { collectQuantumMetaMachineId } = await import('../node.js');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'qm-'));
  try {
    const cached = path.join(tmp, 'cached');
    const want = getMachineId(cached);
    assert.deepEqual(await withCacheHome(cached, collectQuantumMetaMachineId), {
      quantummeta_machine_id: want,
      source: 'cache',
      path: path.join(cached, 'quantummeta', 'machine_id.json'),
    });

    const got = await withCacheHome(path.join(tmp, 'none'), collectQuantumMetaMachineId);
    assert.ok((got.quantummeta_machine_id === undefined) !== (got.reason === undefined), JSON.stringify(got));
    const first = getMachineId(path.join(tmp, 'first'));
    if (got.quantummeta_machine_id !== undefined) {
      assert.equal(got.source, 'computed');
      assert.equal(got.quantummeta_machine_id, first);
      return;
    }
    t.diagnostic(`unavailable here: ${got.reason}`);
    assert.match(got.reason, /, so get_machine_id\(\) computes a new id, and /);
    if (got.reason.includes('uses a random UUID')) {
      assert.notEqual(getMachineId(path.join(tmp, 'second')), first, 'get_machine_id() gave the same id twice, which the reason says it cannot');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
