// The JVM binding's rows for bench/run.mjs: builds java/ (the module's
// classes compiled at build time), runs its Bench entry point
// (java/src/test/java/io/github/licverify/Bench.java) on bench/gen's
// fixtures and returns its JSON lines, grouped:
//
//   { versions, startup: { statusproof, qkey }, latency: { status_proof,
//     status_proof_raw_call, license, qkey_plain, qkey_encrypted,
//     revocation_lookup }, revocation }
//
// Each latency is { median_us, min_us }; each startup { spawn_to_first_verdict_ms,
// jvm_to_main_ms, classes_ms, first_call_ms, runs } (the median run of new
// JVMs). Run by itself, `node bench/java.mjs [FIXTURES_DIR] [--quick]` prints
// that object (FIXTURES_DIR defaults to bench/out/fixtures, written by
// `go run ./bench/gen -out DIR -vectors testvectors`).

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const javaDir = path.join(repo, 'java');

// javaBench runs the benchmark and returns its figures; it throws with
// the reason when java or mvn is missing or the build fails.
export function javaBench(fixtures, { quick = false } = {}) {
  const cpFile = path.join(javaDir, 'target', 'bench-classpath.txt');
  execFileSync('mvn', ['-B', '-q', 'test-compile', 'dependency:build-classpath',
    `-Dmdep.outputFile=${cpFile}`, '-Dmdep.includeScope=runtime'], { cwd: javaDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const cp = [path.join(javaDir, 'target', 'classes'), path.join(javaDir, 'target', 'test-classes'),
    readFileSync(cpFile, 'utf8').trim()].join(path.delimiter);
  const out = execFileSync('java', ['-cp', cp, 'io.github.licverify.Bench', fixtures, ...(quick ? ['--quick'] : [])],
    { cwd: javaDir, encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  const r = { startup: {}, latency: {} };
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const { runtime, measure, job, ...rest } = JSON.parse(line);
    if (runtime !== 'java') throw new Error(`bench/java.mjs: a line of another runtime: ${line}`);
    if (measure === 'versions') r.versions = rest;
    else if (measure === 'startup') r.startup[job] = rest;
    else if (measure === 'latency') r.latency[job] = rest;
    else if (measure === 'revocation') r.revocation = rest;
    else throw new Error(`bench/java.mjs: unknown measure ${measure}`);
  }
  return r;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const fixtures = args.find((a) => !a.startsWith('--')) ?? path.join(repo, 'bench', 'out', 'fixtures');
  console.log(JSON.stringify(javaBench(path.resolve(fixtures), { quick: args.includes('--quick') }), null, 2));
}
