// What the package says about itself and carries: the README's module
// sizes (so that they cannot go stale), its committed copies of the module
// and the LICENSE (the package is the directory as committed, so that a
// checkout installs as it is), and what git ignores of what packing writes.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { js, repo } from './paths.js';
import { prepared } from './prepared.js';

const readme = readFileSync(path.join(js, 'README.md'), 'utf8');

// readmeSize returns the README's figure for a row of its size table, in bytes.
function readmeSize(row) {
  const m = new RegExp(`^\\| ${row} \\| ([\\d.]+) MB \\|$`, 'm').exec(readme);
  assert.ok(m, `README.md has no size row "${row}"`);
  return Number(m[1]) * 1e6;
}

test("README.md's module sizes are within 3 % of host/licverify.wasm's", () => {
  const wasm = readFileSync(path.join(repo, 'host', 'licverify.wasm'));
  const real = {
    raw: wasm.length,
    'gzip -9': zlib.gzipSync(wasm, { level: 9 }).length,
    'brotli, quality 11': zlib.brotliCompressSync(wasm, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length },
    }).length,
  };
  const off = [];
  for (const [row, bytes] of Object.entries(real)) {
    const said = readmeSize(row);
    const mb = (bytes / 1e6).toFixed(2);
    if (Math.abs(said - bytes) / bytes > 0.03) off.push(`${row}: README says ${said / 1e6} MB, the module is ${mb} MB (${bytes} bytes)`);
  }
  console.log(`sizes: licverify.wasm ${Object.entries(real).map(([k, v]) => `${k} ${(v / 1e6).toFixed(2)} MB`).join(', ')}`);
  assert.deepEqual(off, [], 'update the size table of js/README.md');
  // The package ships that very module.
  assert.equal(prepared().wasmSize, wasm.length);
});

test('the packed tarball carries LICENSE, identical to the repository\'s', () => {
  const { tgz } = prepared();
  const entries = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).split('\n');
  assert.ok(entries.includes('package/LICENSE'), `package/LICENSE not in ${path.basename(tgz)}: ${entries.join(' ')}`);
  const packed = execFileSync('tar', ['-xzOf', tgz, 'package/LICENSE']);
  assert.ok(packed.equals(readFileSync(path.join(repo, 'LICENSE'))), 'package/LICENSE differs from ../LICENSE');
  const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(packed.toString('utf8'), /Apache License\s+Version 2\.0/);
});

// The README's way of installing before the package is on the registry:
// npm install of the checkout's js/ directory, which npm links, so the
// project gets js/ exactly as committed. It works at once, through import
// and require().
test('npm install <checkout>/js gives a working package', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-checkout-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true }) + '\n');
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', js], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const check = "lv.init().then(() => console.log(lv.canonicalize('[1.0]').canonical))";
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as lv from 'licverify'; ${check}`], { cwd: dir, encoding: 'utf8' });
    const cjs = execFileSync(process.execPath, ['-e', `const lv = require('licverify'); ${check}`], { cwd: dir, encoding: 'utf8' });
    assert.equal(esm, '[1]\n');
    assert.equal(cjs, '[1]\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("js/licverify.wasm and js/LICENSE are host/licverify.wasm and LICENSE, byte for byte", () => {
  // make wasm copies the module; a module built without it, or a LICENSE
  // edited in one place, fails here.
  const same = (a, b) => readFileSync(path.join(js, a)).equals(readFileSync(path.join(repo, b)));
  assert.ok(same('licverify.wasm', 'host/licverify.wasm'), 'js/licverify.wasm differs from host/licverify.wasm: run make wasm (or cp host/licverify.wasm js/)');
  assert.ok(same('LICENSE', 'LICENSE'), 'js/LICENSE differs from LICENSE: cp LICENSE js/');
});

test('git ignores what packing and testing write in js/, and not the package', (t) => {
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: js, encoding: 'utf8' });
  if (inside.status !== 0) return t.skip('not a git work tree');
  for (const f of ['licverify-0.1.0.tgz', 'licverify-12.3.4.tgz', 'test/out/x']) {
    const r = spawnSync('git', ['check-ignore', '-q', '--no-index', f], { cwd: js });
    assert.equal(r.status, 0, `js/${f} is not ignored by git`);
  }
  for (const f of ['index.d.ts', 'README.md', 'test/types.ts', 'licverify.wasm', 'LICENSE', 'node.cjs']) {
    const r = spawnSync('git', ['check-ignore', '-q', '--no-index', f], { cwd: js });
    assert.equal(r.status, 1, `js/${f} must not be ignored`);
  }
  // What a checkout must hold for npm install <checkout>/js to work.
  for (const f of ['licverify.wasm', 'LICENSE']) {
    const r = spawnSync('git', ['ls-files', '--error-unmatch', f], { cwd: js });
    assert.equal(r.status, 0, `js/${f} is not committed`);
  }
});
