// The main-thread probe of `make bench`'s dashboard mode (run.mjs adds it
// to examples/dashboard/ with page.addInitScript, before the page's own
// scripts): the long tasks (PerformanceObserver "longtask": every task
// over 50 ms) and the longest gap between the ticks of a 10 ms timer, which
// is how long an input could have waited. arm() starts a measurement,
// read() returns it.

(() => {
  const tasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });

  let from = 0;
  let last = performance.now();
  let maxGap = 0;
  setInterval(() => {
    const t = performance.now();
    if (from > 0) maxGap = Math.max(maxGap, t - last);
    last = t;
  }, 10);

  window.__probe = {
    arm() {
      from = performance.now();
      last = from;
      maxGap = 0;
    },
    read() {
      const during = tasks.filter((x) => x.start >= from).map((x) => x.duration);
      return {
        longTasks: during.length,
        longestTask: during.length ? Math.max(...during) : null,
        // Total blocking time: what each long task spent over 50 ms.
        blocking: during.reduce((a, d) => a + d - 50, 0),
        maxGap,
      };
    },
  };
})();
