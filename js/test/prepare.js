// Prepares what the test files share, once per `npm test`:
// - Go's native response to every vector (internal/cmd/nativeresponses);
// - a build of the module with its test hooks, to crash it on purpose;
// - the package as users get it: `npm pack` (of js/ as committed, its
//   copy of the module included), installed offline into a scratch
//   project that the tests import from.
// It prints the packed and module sizes.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { js, out, preparedFile, repo } from './paths.js';

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });

function main() {
  const started = performance.now();
  mkdirSync(out, { recursive: true });

  const wasm = path.join(js, 'licverify.wasm');

  const native = path.join(out, 'native.json');
  run('go', ['run', './internal/cmd/nativeresponses', '-out', native], repo);

  // The module with its test hooks ({"op":"__panic"} panics inside call),
  // to crash a real instance on purpose.
  const testhooks = path.join(out, 'testhooks.wasm');
  execFileSync('go', ['build', '-buildmode=c-shared', '-tags', 'licverify_testhooks', '-o', testhooks, './wasm'], {
    cwd: repo,
    env: { ...process.env, GOOS: 'wasip1', GOARCH: 'wasm', CGO_ENABLED: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  for (const f of ['scratch']) rmSync(path.join(out, f), { recursive: true, force: true });
  const [pack] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', out], js));
  const tgz = path.join(out, pack.filename);
  const scratch = path.join(out, 'scratch');
  mkdirSync(scratch);
  writeFileSync(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'licverify-scratch', private: true, type: 'module' }, null, 2) + '\n',
  );
  // The scratch project's own module re-exports the package, so importing
  // it resolves "licverify" exactly as an application would.
  writeFileSync(path.join(scratch, 'index.js'), "export * from 'licverify';\n");
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tgz], scratch);
  const installed = path.join(scratch, 'node_modules', 'licverify');

  const prepared = {
    native,
    testhooks,
    scratch,
    installed,
    tgz,
    tgzSize: statSync(tgz).size,
    unpackedSize: pack.unpackedSize,
    wasmSize: statSync(wasm).size,
    files: pack.files.map((f) => f.path).sort(),
  };
  writeFileSync(preparedFile, JSON.stringify(prepared, null, 2) + '\n');
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `package: ${pack.filename} ${kib(prepared.tgzSize)} packed, ${kib(prepared.unpackedSize)} unpacked, ` +
      `${prepared.files.length} files; licverify.wasm ${kib(prepared.wasmSize)} ` +
      `(prepared in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

main();
