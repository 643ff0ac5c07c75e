// Timing shared by the Node and Chromium runs (no Node-only APIs). A
// figure is the median over rounds of a round's time divided by its calls,
// after a warm-up long enough for V8 to tier the module up: the same
// "median of per-round means" that the Go side gets from -count.

const now = () => performance.now();

/**
 * medianPerOp times fn and returns milliseconds per call.
 * @param {() => unknown} fn
 */
export function medianPerOp(fn, { rounds = 15, roundMs = 40, warmupMs = 400, budgetMs = 6000 } = {}) {
  let calls = 0;
  const start = now();
  do {
    fn();
    calls++;
  } while (now() - start < warmupMs || calls < 3);
  // The per-call time at the end of the warm-up sizes the rounds.
  const t0 = now();
  fn();
  fn();
  const perCall = Math.max((now() - t0) / 2, 1e-4);
  const k = Math.max(1, Math.round(roundMs / perCall));
  const n = Math.max(5, Math.min(rounds, Math.floor(budgetMs / (k * perCall))));
  const samples = [];
  for (let r = 0; r < n; r++) {
    const t = now();
    for (let i = 0; i < k; i++) fn();
    samples.push((now() - t) / k);
  }
  return { ms: median(samples), rounds: n, perRound: k };
}

/**
 * firstThenMedian times a long call: its first run (code not yet optimized
 * by V8), then, after a warm-up of at least warmupMs, the median of reps
 * runs. once runs the call and returns its time in milliseconds.
 * @param {() => number} once
 */
export function firstThenMedian(once, reps, warmupMs = 1000) {
  const firstMs = once();
  for (let spent = firstMs; spent < warmupMs; ) spent += once();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(once());
  return { firstMs, ms: median(times), reps };
}

/**
 * timedValid wraps a verification for firstThenMedian: it returns the call's
 * time and throws unless the result is valid.
 */
export function timedValid(verify, what) {
  return () => {
    const t = now();
    const r = verify();
    const ms = now() - t;
    if (r.valid !== true) throw new Error(`${what}: ${r.code}: ${r.message}`);
    return ms;
  };
}

/** setReps is how many timed runs a revocation set of n ids gets. */
export const setReps = (n) => (n >= 1_000_000 ? 2 : n >= 100_000 ? 3 : 7);

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
