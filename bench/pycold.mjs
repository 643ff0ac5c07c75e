// The Python package's cold start, for run.mjs: `python bench.py coldstart`
// (a new process's way to its first verdict on an empty compilation cache,
// this package's tiers against the package of an earlier revision, run by
// the same interpreter and wasmtime) and the start-up table's rows for it.
// Nothing here asserts a time: the target (new ÷ old ≤ 0.15) is reported.

/**
 * Runs python/bench.py coldstart with python (python/.venv's), through
 * spawnTimed(cmd, args, opts) → {stdout}, and returns its JSON.
 */
export async function pythonColdStart(spawnTimed, python, pythonDir, fixtures, quick) {
  const r = await spawnTimed(python, ['bench.py', 'coldstart', '--fixtures', fixtures, ...(quick ? ['--quick'] : [])], { cwd: pythonDir });
  return JSON.parse(r.stdout).coldstart;
}

/** The start-up table's rows ([step, median]) for pythonColdStart's result. */
export function pythonColdStartRows(c, fmtMs) {
  const [oldName] = Object.keys(c.cold_cache).filter((k) => k.startsWith('old'));
  const old = c.cold_cache[oldName];
  const now = c.cold_cache.new;
  const text = (x) => `${fmtMs(x.verdict_ms)} (import ${fmtMs(x.import_ms)}, Verifier() ${fmtMs(x.module_ms)}, first call ${fmtMs(x.first_call_ms)}; CPU ${fmtMs(x.cpu_ms)}; exit at ${fmtMs(x.exit_ms)}; ${x.tier} tier)`;
  const ratio = c.per_call.baseline_over_optimized;
  return [
    [`Python (wasmtime): new process → first verdict, empty cache, ${oldName}`, text(old)],
    [`Python (wasmtime): new process → first verdict, empty cache, now (new ÷ old ${c.cold_cache.new_over_old.toFixed(2)}×, in CPU time ${c.cold_cache.new_over_old_cpu.toFixed(2)}×; target ≤ 0.15×)`, text(now)],
    ['Python (wasmtime): new process → first verdict, warm cache, optimized tier', text(c.warm_cache.new_optimized)],
    ['Python (wasmtime): new process → first verdict, warm cache, baseline tier', text(c.warm_cache.new_baseline)],
    ['Python (wasmtime): baseline (Winch) tier per call ÷ optimized (Cranelift)', `status proof ${ratio.status_proof}×, license ${ratio.license}×, .qkey ${ratio.qkey_plain}×, encrypted .qkey ${ratio.qkey_encrypted}×`],
  ];
}
