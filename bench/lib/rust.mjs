// The Rust crate's rows: rust/examples/bench.rs, run on bench/gen's
// fixtures. It is built in the profile the crate's tests use (rust/Cargo.toml
// optimizes every dependency there: wasmtime, Cranelift, serde_json), so
// the bench shares their build instead of a second one of wasmtime; only
// the crate's own thin layer (building a frame) is unoptimized. It prints JSON lines, one a metric
// ("status_proof", "status_proof_raw_call", "revocation_lookup",
// "first_verdict" with an empty and a warm compilation cache); this reads
// them into one object.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function rustBench(repo, fixtures, quick) {
  const args = ['run', '--locked', '--quiet', '--example', 'bench', '--', '--fixtures', fixtures];
  if (quick) args.push('--quick');
  const out = execFileSync('cargo', args, { cwd: path.join(repo, 'rust'), encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  const r = { first_verdict: {} };
  for (const line of out.split('\n').filter((l) => l.startsWith('{'))) {
    const j = JSON.parse(line);
    if (j.runtime !== 'rust') continue;
    if (j.metric === 'first_verdict') r.first_verdict[j.cache] = j.median ?? j.sample;
    else r[j.metric] = j;
  }
  if (!r.status_proof || !r.revocation_lookup || !r.first_verdict.warm) throw new Error(`rust/examples/bench.rs printed no full result: ${out.slice(0, 200)}`);
  r.cargo = execFileSync('cargo', ['--version'], { encoding: 'utf8' }).trim();
  return r;
}
