// `make bench`: licverify's speed, size, start-up and scale in every
// runtime, side by side with the JS references, measured in one run on this
// machine. It writes bench/results.md, bench/chart.svg and bench/chart.png.
//
// The Go figures come from `go test -bench` (bench/bench_test.go and
// host/bench_scale_test.go, -benchmem); the Node figures from node.mjs, one
// process per measurement; the Chromium figures from page/ through
// playwright-core and Debian's /usr/bin/chromium. Every runtime verifies the
// same bytes, written by bench/gen. Nothing here asserts a time: targets
// missed are reported, with a profile of what dominates.
//
// Beside them: the Python package over wasmtime (python/bench.py, in
// python/.venv, and its first start against an earlier package's,
// pycold.mjs); the JVM library over Chicory (java/'s Bench, through
// bench/java.mjs); the baseline, the module of the last release before ABI 2
// (BASELINE, extracted from git with its own js/ into out/baseline/), in
// Node, in Chromium's first-result page and in wazero's start-up (its own
// bench/startup, built from its own tree); and the 64 MiB sets of
// bench/gen, a forged one and a genuine one, in native Go and wazero
// (bench/forged) and Node, one process each, stopped after BIG_LIMIT_MS.
//
// BENCH_QUICK=1 runs fewer rounds, for working on this script.
//
// `node run.mjs --only PART[,PART]` (or BENCH_ONLY=PART[,PART] in the
// environment, which `make bench` passes on) runs only some parts, after
// the inputs and the builds they need: "startup" (a new process's way to
// its first verdict in wazero, empty and warm cache, the new module and the
// baseline's) and "forged" (the 64 MiB sets). It prints their figures and
// Issue 14's rows for them, and writes bench/out/results-partial.md and
// .json; results.md and the chart are left alone.
//
// `node run.mjs dashboard` runs one measurement only: the dashboard example
// (examples/dashboard/) verifying 10,000 status proofs in Chromium, the
// time to its full table and the longest main-thread task. It prints the
// figures and writes bench/out/dashboard.json; results.md is left alone.

import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { median, setReps } from './lib/measure.js';
import { pythonColdStart, pythonColdStartRows } from './pycold.mjs';
import { build as buildDashboardSample, bundle as dashboardBundle } from '../examples/dashboard/gen.mjs';
import { chromiumFlags, chromiumPath } from '../js/test/chromium.js';
import { javaBench } from './java.mjs';
import { rustBench } from './lib/rust.mjs';

const bench = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(bench);
const out = path.join(bench, 'out');
const fixtures = path.join(out, 'fixtures');
const quick = process.env.BENCH_QUICK === '1';
// PARTS are what --only can select.
const PARTS = ['startup', 'forged'];
let mode = 'all';
let only = process.env.BENCH_ONLY || null;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--only') only = process.argv[++i] ?? '';
  else if (a.startsWith('--only=')) only = a.slice('--only='.length);
  else mode = a;
}
if (only !== null) {
  only = only.split(',').map((x) => x.trim()).filter(Boolean);
  const unknown = only.filter((x) => !PARTS.includes(x));
  if (only.length === 0 || unknown.length) throw new Error(`run.mjs --only: ${unknown.length ? `unknown part ${unknown.join(', ')}` : 'no part'}; the parts are ${PARTS.join(', ')}`);
  if (mode !== 'all') throw new Error(`run.mjs: --only goes with no mode (not ${mode})`);
  mode = 'partial';
}
const started = Date.now();
// BASELINE is the last release before this work: its module is committed
// at host/licverify.wasm and speaks ABI 1 (its wasm/ABI.md).
const BASELINE = 'a192d67';
// BIG_LIMIT_MS bounds one verification of a 64 MiB set.
const BIG_LIMIT_MS = 5 * 60_000;
// The baseline's module, extracted from git, and the module as committed.
const baselineWasm = path.join(out, 'baseline.wasm');
const wasmFile = path.join(repo, 'host', 'licverify.wasm');
const env = { ...process.env, LICVERIFY_BENCH_FIXTURES: fixtures };

function log(msg) {
  console.log(`bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s: ${msg}`);
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, {
    cwd: repo,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
    ...opts,
  });
}

// spawnTimed runs a process and returns its stdout, its wall time from
// spawn to exit and from spawn to the end of its first line of output, in
// milliseconds.
function spawnTimed(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const p = spawn(cmd, args, { cwd: bench, env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    let firstLineMs = null;
    p.stdout.on('data', (d) => {
      stdout += d;
      if (firstLineMs === null && stdout.includes('\n')) firstLineMs = performance.now() - t;
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = performance.now() - t;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, ms, firstLineMs });
    });
  });
}

// spawnLimited is spawnTimed with a time limit: it resolves with
// {stdout, ms} or {error, ms} (a non-zero exit, such as an out-of-memory
// crash, or the limit reached; then also peakRSS, the process's high-water
// mark when it was stopped, on Linux), never rejects.
function spawnLimited(cmd, args, limitMs, opts = {}) {
  return new Promise((resolve) => {
    const t = performance.now();
    const p = spawn(cmd, args, { cwd: bench, env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let peakRSS;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        peakRSS = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))[1]) * 1024;
      } catch {
        // not Linux, or gone meanwhile
      }
      p.kill('SIGKILL');
    }, limitMs);
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', (e) => resolve({ error: String(e), ms: performance.now() - t }));
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t;
      if (timedOut) resolve({ error: `no verdict within ${limitMs / 60000} min (stopped)`, ms, peakRSS });
      else if (code !== 0) resolve({ error: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`, ms });
      else resolve({ stdout, ms });
    });
  });
}

// medianPhases takes the median of each phase over runs.
const medianPhases = (runs) => Object.fromEntries(Object.keys(runs[0]).map((k) => [k, median(runs.map((r) => r[k]))]));

const lastJSON = (stdout) => JSON.parse(stdout.trim().split('\n').pop());

// ---------------------------------------------------------------- Go side

// goBench runs a compiled test binary's benchmarks and returns every result
// line as {name, ns, bytes, allocs, metrics} (one per -count).
function goBench(binary, pattern, { benchtime, count = 1, cwd = bench, extra = [] }) {
  const text = run(
    binary,
    ['-test.run', '^$', '-test.bench', pattern, '-test.benchtime', benchtime, '-test.count', String(count), '-test.benchmem', ...extra],
    { cwd, maxBuffer: 64 << 20 },
  );
  const lines = [];
  for (const line of text.split('\n')) {
    const m = /^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const r = { name: m[1], n: Number(m[2]), metrics: {}, line: line.replace(/\s+/g, ' ').trim() };
    const parts = m[3].trim().split(/\s+/);
    for (let i = 0; i + 1 < parts.length; i += 2) r.metrics[parts[i + 1]] = Number(parts[i]);
    lines.push(r);
  }
  if (lines.length === 0) throw new Error(`${binary} ${pattern}: no benchmark ran:\n${text.slice(-2000)}`);
  return lines;
}

// medianOf groups result lines by name and takes the median of a metric.
function medianOf(lines, metric) {
  const by = new Map();
  for (const l of lines) {
    if (!(metric in l.metrics)) continue;
    if (!by.has(l.name)) by.set(l.name, []);
    by.get(l.name).push(l.metrics[metric]);
  }
  return Object.fromEntries([...by].map(([k, v]) => [k, median(v)]));
}

// pprofTop returns the first lines of `go tool pprof -top` (extra: more
// flags, such as -sample_index=alloc_space).
function pprofTop(binary, profile, n = 12, extra = []) {
  const text = run('go', ['tool', 'pprof', '-top', `-nodecount=${n}`, ...extra, binary, profile]);
  const lines = text.split('\n');
  const head = lines.findIndex((l) => /flat%/.test(l));
  return lines.slice(head, head + 1 + n).join('\n');
}

// ---------------------------------------------------------------- V8 profiles

// cpuProfileTop aggregates a .cpuprofile's self time by function and by
// group (package), returning the top entries in percent.
function cpuProfileTop(file, n = 12) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const fn = byId.get(p.samples[i]).callFrame.functionName || '(anonymous)';
    const d = p.timeDeltas[i + 1] ?? 0;
    self.set(fn, (self.get(fn) ?? 0) + d);
    total += d;
  }
  const groups = new Map();
  for (const [fn, t] of self) groups.set(groupOf(fn), (groups.get(groupOf(fn)) ?? 0) + t);
  const top = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => ({ name, pct: (100 * t) / total }));
  return { functions: top(self), groups: top(groups) };
}

// groupOf maps a function of a profile to its Go package (see goPackage),
// or keeps V8's own entries ("(garbage collector)", JS functions) as they are.
function groupOf(fn) {
  if (fn.startsWith('(')) return fn;
  return goPackage(fn) ?? `JS: ${fn}`;
}

// ---------------------------------------------------------------- wasm size

// wasmBreakdown reads a module that keeps its name section and returns the
// code bytes per Go package and the size of the data section.
function wasmBreakdown(file) {
  const b = readFileSync(file);
  let pos = 8;
  const u32 = () => {
    let r = 0;
    let shift = 0;
    for (;;) {
      const x = b[pos++];
      r += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(x & 0x80)) return r;
    }
  };
  const str = () => {
    const n = u32();
    const s = b.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  let imported = 0;
  let bodies = [];
  const names = new Map();
  const sections = {};
  while (pos < b.length) {
    const id = b[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 2) {
      for (let i = 0, n = u32(); i < n; i++) {
        str();
        str();
        const kind = b[pos++];
        if (kind === 0) {
          u32();
          imported++;
        } else throw new Error(`wasm: import kind ${kind} not handled`);
      }
    } else if (id === 10) {
      bodies = [];
      for (let i = 0, n = u32(); i < n; i++) {
        const len = u32();
        bodies.push(len);
        pos += len;
      }
    } else if (id === 0) {
      const name = str();
      if (name === 'name') {
        while (pos < end) {
          const sub = b[pos++];
          const len = u32();
          const subEnd = pos + len;
          if (sub === 1) {
            for (let i = 0, n = u32(); i < n; i++) {
              const idx = u32();
              names.set(idx, str());
            }
          }
          pos = subEnd;
        }
      }
      sections[`custom:${name}`] = size;
    }
    sections[id] = (sections[id] ?? 0) + size;
    pos = end;
  }
  const byPkg = new Map();
  bodies.forEach((len, i) => {
    const name = names.get(imported + i) ?? '?';
    const pkg = goPackage(name) ?? `(other: ${name})`;
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + len);
  });
  const code = bodies.reduce((a, x) => a + x, 0);
  return {
    code,
    data: sections[11] ?? 0,
    packages: [...byPkg].sort((a, b) => b[1] - a[1]).map(([name, bytes]) => ({ name, bytes })),
  };
}

// goPackage returns the package of a Go function as the wasm name section
// spells it: the package path with "/" written "_", then "." and the name
// (crypto_internal_fips140_edwards25519_field.feMulGeneric,
// github.com_licverify_licverify_verify.StatusProof). Compiler-generated
// functions (type_.eq...) are grouped; anything else is null.
function goPackage(sym) {
  const domain = /^(github\.com|filippo\.io|golang\.org)_/.exec(sym);
  const rest = domain ? sym.slice(domain[0].length) : sym;
  const dot = rest.indexOf('.');
  if (dot <= 0) return null;
  const pkg = rest.slice(0, dot);
  if (!/^[a-z0-9_]+$/.test(pkg)) return null;
  if (pkg === 'type_' || pkg === 'go_') return '(compiler-generated type functions)';
  return (domain ? `${domain[1]}/` : '') + pkg.replace(/_/g, '/');
}

// ---------------------------------------------------------------- Chromium

// serve serves the package (js/, with the committed module), the bench page
// and libraries, the examples, the references and the inputs. A path may
// start with /rN/: the same files under a new URL, so that nothing of an
// earlier run comes from a cache. Cross-origin isolation gives the page
// fine timers.
function serve() {
  const types = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.json': 'application/json',
    '.wasm': 'application/wasm',
  };
  const roots = { js: path.join(repo, 'js'), basejs: path.join(out, 'baseline', 'js'), bench: bench, nm: path.join(bench, 'node_modules'), examples: path.join(repo, 'examples'), fixtures };
  const firstPage = readFileSync(path.join(bench, 'page', 'first.html'), 'utf8');
  let request = null; // read on first use: the dashboard mode has no such fixture
  const server = http.createServer((req, res) => {
    const headers = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-cache',
    };
    const fail = (status) => {
      res.writeHead(status, headers);
      res.end();
    };
    let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/[rb]\d+\//, '/');
    if (rel === '/bench/page/first.html' || rel === '/bench/page/first-baseline.html') {
      res.writeHead(200, { ...headers, 'content-type': types['.html'] });
      request ??= readFileSync(path.join(fixtures, 'request-statusproof.json'), 'utf8');
      // The baseline page is the same page on the baseline's package and
      // module (out/baseline/js/, served as /basejs/).
      const page = rel.endsWith('baseline.html') ? firstPage.replaceAll('../../js/', '../../basejs/') : firstPage;
      return res.end(page.replace('{{REQUEST}}', request));
    }
    const [, top, ...rest] = rel.split('/');
    if (!(top in roots) || rest.some((s) => s === '..')) return fail(404);
    let file = path.join(roots[top], ...rest);
    // The package as committed: its module is host/licverify.wasm (js/'s
    // copy is a build product that may be stale or absent).
    if (top === 'js' && rest.join('/') === 'licverify.wasm') file = path.join(repo, 'host', 'licverify.wasm');
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        file = path.join(file, 'index.html');
        st = statSync(file);
      }
      if (!st.isFile()) return fail(404);
    } catch {
      return fail(404);
    }
    res.writeHead(200, { ...headers, 'content-type': types[path.extname(file)] ?? 'application/octet-stream', 'content-length': st.size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function launch(chromium) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'licverify-bench-chromium-'));
  const t = performance.now();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
  });
  return {
    context,
    profile,
    launchMs: performance.now() - t,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// rendererPeakRSS is the largest peak RSS (VmHWM) among the renderer
// processes of the browser using profile; Linux only.
function rendererPeakRSS(profile) {
  if (!existsSync('/proc/self/status')) return null;
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Chromium's children rewrite their argv into one space-separated string.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
      procs.set(Number(pid), { cmd, ppid });
    } catch {
      // gone meanwhile
    }
  }
  const root = [...procs].find(([, p]) => p.cmd.some((a) => a === `--user-data-dir=${profile}`) && !p.cmd.some((a) => a.startsWith('--type=')));
  if (!root) return null;
  const under = (pid) => {
    for (let p = procs.get(pid); p; p = procs.get(p.ppid)) if (p.ppid === root[0]) return true;
    return false;
  };
  let peak = null;
  for (const [pid, p] of procs) {
    if (!p.cmd.includes('--type=renderer') || !under(pid)) continue;
    try {
      const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
      peak = Math.max(peak ?? 0, kb * 1024);
    } catch {
      // gone meanwhile
    }
  }
  return peak;
}

async function openBenchPage(context, base) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/bench/page/index.html`);
  await page.waitForFunction(() => window.bench !== undefined || document.getElementById('status')?.textContent !== 'loading', null, { timeout: 60_000 });
  if (errors.length) throw new Error(`bench page: ${errors.join('; ')}`);
  if (!(await page.evaluate(() => window.bench?.crossOriginIsolated))) log('warning: the page is not cross-origin isolated (coarse timers)');
  return page;
}

// ---------------------------------------------------------------- formatting

const fmtMs = (ms) => {
  if (ms == null || Number.isNaN(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : ms < 0.1 ? 1 : 0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
};
const fmtX = (x) => (x == null || Number.isNaN(x) ? '–' : `${x < 10 ? x.toFixed(1) : x.toFixed(0)}×`);
const MiB = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MiB`);
const kB = (b) => `${(b / 1000).toFixed(0)} kB`;
const MB = (b) => `${(b / 1e6).toFixed(2)} MB`;
const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)} %`;
const ratio = (a, b) => (a != null && b != null ? a / b : null);
const over = (x, goal) => (x > goal ? `by ${pct(x / goal - 1)}` : '');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

// ---------------------------------------------------------------- chart

const runtimes = [
  ['native', 'native Go', '#1f5fa8'],
  ['wazero', 'wasm · wazero', '#5b9bd5'],
  ['node', 'wasm · Node', '#2e8b57'],
  ['chromium', 'wasm · Chromium', '#8fbc8f'],
  ['purejs-node', 'pure JS · Node', '#d2691e'],
  ['purejs-chromium', 'pure JS · Chromium', '#f4a460'],
  ['nodecrypto', 'node:crypto + JS JCS', '#7f7f7f'],
  ['python', 'wasm · Python (wasmtime)', '#9467bd'],
  ['java', 'wasm · JVM (Chicory, build-time compiled)', '#8c564b'],
  ['rust', 'wasm · Rust (wasmtime)', '#b7410e'],
];

// chartSVG draws the latency table as grouped horizontal bars on a log
// scale (the jobs span four orders of magnitude).
function chartSVG(latency, jobs, subtitle) {
  const rowH = 17;
  const gap = 14;
  const left = 230;
  const width = 900;
  const plotW = width - left - 90;
  const top = 70;
  const all = jobs.flatMap((j) => runtimes.map(([k]) => latency[j.name]?.[k]).filter((x) => x != null));
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const x = (ms) => left + (plotW * Math.log10(ms / lo)) / Math.log10(hi / lo);
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [];
  let y = top;
  for (const j of jobs) {
    const present = runtimes.filter(([k]) => latency[j.name]?.[k] != null);
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${esc(j.label)}</text>`);
    y += 18;
    for (const [k, label, color] of present) {
      const ms = latency[j.name][k];
      parts.push(`<text x="${left - 8}" y="${y + 12}" text-anchor="end">${esc(label)}</text>`);
      parts.push(`<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(ms) - left).toFixed(1)}" height="${rowH - 4}" fill="${color}"/>`);
      parts.push(`<text x="${(x(ms) + 5).toFixed(1)}" y="${y + 12}">${esc(fmtMs(ms))}</text>`);
      y += rowH;
    }
    y += gap;
  }
  const grid = [];
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    grid.push(`<line x1="${x(v).toFixed(1)}" y1="${top - 8}" x2="${x(v).toFixed(1)}" y2="${y - gap}" stroke="#ddd"/>`);
    grid.push(`<text x="${x(v).toFixed(1)}" y="${top - 12}" text-anchor="middle" fill="#555">${esc(fmtMs(v))}</text>`);
  }
  const height = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="16" font-weight="bold">licverify: median time per verification (log scale, shorter is faster)</text>
<text x="10" y="40" fill="#555">${esc(subtitle)}</text>
${grid.join('\n')}
${parts.join('\n')}
</svg>
`;
}

// ---------------------------------------------------------------- dashboard

// DASHBOARD_PROOFS proofs for the dashboard example: the pattern of
// examples/dashboard/gen.mjs (70 % valid, the rest in grace, revoked or
// suspended by the set, revoked, expired or tampered with), with its set.
const DASHBOARD_PROOFS = 10_000;

// dashboardBench opens examples/dashboard/ with DASHBOARD_PROOFS proofs,
// clicks "Verify the bundled sample" and waits for the full table: the
// time from the click to the frame after the last row (the page's
// "dashboard:full-table" measure), the worker's own time, and what the
// main thread went through meanwhile (page/dashboard-probe.js). Each run
// is a new page; the figures are medians, the longest task the worst run's.
async function dashboardBench(chromium, base) {
  const sample = await buildDashboardSample({ proofs: DASHBOARD_PROOFS, sample: false });
  mkdirSync(fixtures, { recursive: true });
  for (const [name, text] of Object.entries(dashboardBundle(sample, `dashboard-${DASHBOARD_PROOFS}`, 'dashboard-'))) {
    writeFileSync(path.join(fixtures, name), text);
  }
  const expected = Object.fromEntries(['valid', 'warn', 'rejected'].map((v) => [v, sample.expected.filter((e) => e.verdict === v).length]));
  const b = await launch(chromium);
  const runs = [];
  try {
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      const page = await b.context.newPage({ viewport: { width: 1280, height: 900 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript({ path: path.join(bench, 'page', 'dashboard-probe.js') });
      await page.goto(`${base}/r${i + 1}/examples/dashboard/?sample=/fixtures/dashboard-${DASHBOARD_PROOFS}.json`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await page.evaluate(() => window.__probe.arm());
      await page.click('#sample');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 600_000 });
      const r = await page.evaluate(() => ({
        ...window.__probe.read(),
        ...window.dashboard.metrics,
        rows: document.querySelectorAll('#rows .row').length,
        counts: Object.fromEntries([...document.querySelectorAll('[data-count]')].map((el) => [el.dataset.count, Number(el.textContent)])),
        error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
      }));
      if (errors.length || r.error) throw new Error(`dashboard: ${[...errors, r.error].filter(Boolean).join('; ')}`);
      if (r.rows !== DASHBOARD_PROOFS) throw new Error(`dashboard: ${r.rows} rows, not ${DASHBOARD_PROOFS}`);
      for (const [v, n] of Object.entries(expected)) {
        if (r.counts[v] !== n) throw new Error(`dashboard: ${r.counts[v]} ${v} rows, the sample has ${n}`);
      }
      runs.push(r);
      log(`dashboard run ${i + 1}: full table ${fmtMs(r.fullTableMs)}, worker ${fmtMs(r.workerMs)}, longest task ${fmtMs(r.longestTask)}, ${r.longTasks} long tasks, longest timer gap ${fmtMs(r.maxGap)}`);
      await page.close();
    }
  } finally {
    await b.close();
  }
  return {
    proofs: DASHBOARD_PROOFS,
    runs: runs.length,
    fullTableMs: median(runs.map((r) => r.fullTableMs)),
    workerMs: median(runs.map((r) => r.workerMs)),
    progressEvents: median(runs.map((r) => r.progressEvents)),
    longestTask: runs.some((r) => r.longestTask != null) ? Math.max(...runs.map((r) => r.longestTask ?? 0)) : null,
    longTasks: median(runs.map((r) => r.longTasks)),
    blocking: median(runs.map((r) => r.blocking)),
    maxGap: Math.max(...runs.map((r) => r.maxGap)),
    counts: runs[0].counts,
  };
}

// dashboardText describes dashboardBench's figures for people.
function dashboardText(d) {
  const longest =
    d.longestTask == null
      ? 'none over 50 ms in any run'
      : `${fmtMs(d.longestTask)} in the worst run (median run: ${d.longTasks} tasks over 50 ms, ${d.blocking > 0 ? fmtMs(d.blocking) : 'no'} total blocking time)`;
  return { longest, line: `${d.proofs.toLocaleString('en-US')} proofs: full table in ${fmtMs(d.fullTableMs)} (the worker verifies in ${fmtMs(d.workerMs)}, ${d.progressEvents} progress events); longest main-thread task ${longest}; longest gap of a 10 ms timer ${fmtMs(d.maxGap)}` };
}

// dashboardOnly is `node run.mjs dashboard`.
async function dashboardOnly() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} not found`);
  mkdirSync(out, { recursive: true });
  const server = await serve();
  try {
    const d = await dashboardBench(chromium, `http://127.0.0.1:${server.address().port}`);
    writeFileSync(path.join(out, 'dashboard.json'), JSON.stringify(d, null, 2) + '\n');
    log(`dashboard: ${dashboardText(d).line}`);
  } finally {
    server.close();
  }
}

// ---------------------------------------------------------------- shared steps

// inputsAndBaseline writes the inputs (bench/gen, all of them, so that
// meta.json is the same whatever ran), extracts the baseline's module and
// package into out/baseline/, and returns meta.json.
function inputsAndBaseline() {
  log('inputs (bench/gen)');
  run('go', ['run', './bench/gen', '-out', fixtures, '-vectors', 'testvectors']);
  const meta = JSON.parse(readFileSync(path.join(fixtures, 'meta.json'), 'utf8'));

  log(`baseline: the module and package of ${BASELINE} (ABI 1), into bench/out/baseline`);
  const dir = path.join(out, 'baseline');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(baselineWasm, execFileSync('git', ['show', `${BASELINE}:host/licverify.wasm`], { cwd: repo, maxBuffer: 64 << 20 }));
  execFileSync('sh', ['-c', `git archive ${BASELINE} js | tar -x -C "${dir}"`], { cwd: repo });
  writeFileSync(path.join(dir, 'js', 'licverify.wasm'), readFileSync(baselineWasm));
  return meta;
}

// buildPrograms builds bench/startup and bench/forged into out/.
function buildPrograms() {
  const startupBin = path.join(out, 'startup');
  const forgedBin = path.join(out, 'forged');
  run('go', ['build', '-o', startupBin, './bench/startup']);
  run('go', ['build', '-o', forgedBin, './bench/forged']);
  return { startupBin, forgedBin };
}

// toolVersions records the versions of Go, Node and wazero.
function toolVersions(versions) {
  versions.go = run('go', ['env', 'GOVERSION']).trim();
  versions.node = process.version;
  versions.wazero = run('go', ['list', '-m', '-f', '{{.Version}}', 'github.com/tetratelabs/wazero']).trim();
}

// buildBaselineStartup builds the baseline's own start-up program: its
// bench/startup, on its package host (which embeds its module and speaks
// ABI 1: the request file, the test vectors' JSON form, is its request as
// it is), from its own tree and go.mod, with this run's Go. The tree is
// extracted with git archive into a temporary directory, removed once the
// program is built. It returns the program and the tree's wazero version.
function buildBaselineStartup() {
  const src = mkdtempSync(path.join(os.tmpdir(), 'licverify-bench-baseline-src-'));
  try {
    execFileSync('sh', ['-c', `git archive ${BASELINE} | tar -x -C "${src}"`], { cwd: repo });
    const bin = path.join(out, 'baseline', 'startup');
    const benv = { ...env, GOWORK: 'off' };
    run('go', ['build', '-o', bin, './bench/startup'], { cwd: src, env: benv });
    const wazero = run('go', ['list', '-m', '-f', '{{.Version}}', 'github.com/tetratelabs/wazero'], { cwd: src, env: benv }).trim();
    return { bin, wazero };
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

// processStartup times a new process's way to its first verdict with each
// start-up program of bins ({name: binary}), the same way for each: n
// processes that each get a new, empty cache directory (wazero compiles the
// module), and n that share a cache directory written by an earlier
// process of the same program (wazero loads the compiled module). The
// runs of the programs are interleaved, and which one goes first
// alternates, so that a slow spell of this shared machine falls on all of
// them. Per program and cache, the median over the processes of: wall,
// the time from spawn to the first verdict (the program prints it as its
// first line the moment it has it); the program's own host.New and first
// call; the rest of wall (the process's start, reading the request, the
// output); and exit, the time from spawn to exit (the new program closes
// its Verifier first, which a host that compiles in the background waits
// for).
async function processStartup(bins) {
  const reqFile = path.join(fixtures, 'request-statusproof.json');
  const n = quick ? 3 : 7;
  const names = Object.keys(bins);
  const newDir = () => mkdtempSync(path.join(os.tmpdir(), 'licverify-bench-cache-'));
  const once = async (name, dir) => {
    const r = await spawnTimed(bins[name], ['-cache', dir, '-request', reqFile]);
    const j = Object.assign({}, ...r.stdout.trim().split('\n').map((l) => JSON.parse(l)));
    const x = { wall: r.firstLineMs, newMs: j.newMs, firstCallMs: j.firstCallMs, rest: r.firstLineMs - j.newMs - j.firstCallMs, exit: r.ms };
    if (j.closeMs != null) x.closeMs = j.closeMs;
    return x;
  };
  const runs = Object.fromEntries(names.map((k) => [k, { cold: [], warm: [] }]));
  const warmDirs = Object.fromEntries(names.map((k) => [k, newDir()]));
  try {
    for (const k of names) await once(k, warmDirs[k]);
    for (let i = 0; i < n; i++) {
      const order = i % 2 ? [...names].reverse() : names;
      for (const k of order) {
        const dir = newDir();
        try {
          runs[k].cold.push(await once(k, dir));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      for (const k of order) runs[k].warm.push(await once(k, warmDirs[k]));
    }
  } finally {
    for (const d of Object.values(warmDirs)) rmSync(d, { recursive: true, force: true });
  }
  return Object.fromEntries(names.map((k) => [k, { processCold: medianPhases(runs[k].cold), processWarm: medianPhases(runs[k].warm), processRuns: n }]));
}

// wazeroProcessStartup is the start-up part: processStartup for the new
// module (bench/startup) and the baseline's (buildBaselineStartup), with
// the code size of each module, which wazero's compile time follows.
async function wazeroProcessStartup(startupBin) {
  log(`building the baseline's start-up program (bench/startup of ${BASELINE}, from its own tree)`);
  const base = buildBaselineStartup();
  log(`wazero per process (empty and warm cache), the new module and the baseline's (${BASELINE}), interleaved`);
  const r = await processStartup({ now: startupBin, baseline: base.bin });
  const code = (file) => wasmBreakdown(file).code;
  return {
    ...r.now,
    code: code(wasmFile),
    wazero: run('go', ['list', '-m', '-f', '{{.Version}}', 'github.com/tetratelabs/wazero']).trim(),
    baseline: { ...r.baseline, wazero: base.wazero, code: code(baselineWasm) },
  };
}

// bigSets verifies the 64 MiB sets of meta.big in native Go and wazero
// (bench/forged) and Node (node.mjs big), one process each, stopped after
// BIG_LIMIT_MS, then the forged set natively once more with CPU and
// allocation profiles, for what dominates.
async function bigSets(meta, startupBin, forgedBin) {
  log(`64 MiB sets, forged and genuine (native, wazero, Node; one process each, ${BIG_LIMIT_MS / 60000} min at most)`);
  const big = {};
  const wzCache = mkdtempSync(path.join(os.tmpdir(), 'licverify-bench-cache-'));
  try {
    // A warm cache, so that the wazero runs do not compile the module.
    await spawnTimed(startupBin, ['-cache', wzCache, '-request', path.join(fixtures, 'request-statusproof.json')]);
    for (const b of meta.big ?? []) {
      big[b.name] = {};
      for (const [k, cmd, args] of [
        ['native', forgedBin, ['-fixtures', fixtures, '-set', b.name, '-runtime', 'native']],
        ['wazero', forgedBin, ['-fixtures', fixtures, '-set', b.name, '-runtime', 'wazero', '-cache', wzCache]],
        ['node', process.execPath, ['node.mjs', 'big', b.name]],
      ]) {
        const r = await spawnLimited(cmd, args, BIG_LIMIT_MS);
        const x = r.error ? { error: r.error, wall: r.ms, peakRSS: r.peakRSS } : { ...lastJSON(r.stdout), wall: r.ms };
        big[b.name][k] = x;
        log(`  ${b.name} in ${k}: ${x.error ?? x.code} after ${fmtMs(x.ms ?? x.wall)}, wasm memory ${MiB(x.wasmBytes)}, peak RSS ${MiB(x.peakRSS)}`);
      }
    }
  } finally {
    rmSync(wzCache, { recursive: true, force: true });
  }
  big.moduleFresh = moduleIsBuildOfTree();
  if (big.forged?.native && !big.forged.native.error) {
    log('  the forged set natively once more, with CPU and allocation profiles');
    const cpu = path.join(out, 'forged-native-cpu.prof');
    const allocs = path.join(out, 'forged-native-allocs.prof');
    const r = await spawnLimited(forgedBin, ['-fixtures', fixtures, '-set', 'forged', '-runtime', 'native', '-cpuprofile', cpu, '-memprofile', allocs], BIG_LIMIT_MS);
    if (r.error) big.profileError = r.error;
    else big.profile = { cpu: pprofTop(forgedBin, cpu, 10), cpuCum: pprofTop(forgedBin, cpu, 20, ['-cum']), allocs: pprofTop(forgedBin, allocs, 10, ['-sample_index=alloc_space']) };
  }
  return big;
}

// moduleIsBuildOfTree builds the module as `make wasm` does, into a
// temporary file, and says whether the committed host/licverify.wasm is
// that build byte for byte (`make wasm-check`): whether the native runs,
// compiled from this tree, run the same code as the wasm runtimes, which
// run the committed module. null when the build fails.
function moduleIsBuildOfTree() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'licverify-bench-wasm-'));
  try {
    const file = path.join(dir, 'licverify.wasm');
    run('go', ['build', '-buildmode=c-shared', '-trimpath', '-buildvcs=false', '-ldflags=-s -w -buildid=', '-o', file, './wasm'], {
      env: { ...env, GOOS: 'wasip1', GOARCH: 'wasm', CGO_ENABLED: '0', GOWASM: '', GOFLAGS: '' },
    });
    return readFileSync(file).equals(readFileSync(wasmFile));
  } catch (err) {
    log(`  the module does not build from this tree: ${String(err.message ?? err).split('\n')[0]}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- partial

// partial is `node run.mjs --only PARTS`: the inputs and builds the parts
// need, then the parts, and their figures in bench/out/results-partial.md.
async function partial(parts) {
  mkdirSync(out, { recursive: true });
  const R = { startup: {}, parts };
  const versions = {};
  const meta = inputsAndBaseline();
  log('building the start-up program and bench/forged');
  const { startupBin, forgedBin } = buildPrograms();
  toolVersions(versions);
  if (parts.includes('startup')) Object.assign(R.startup, await wazeroProcessStartup(startupBin));
  if (parts.includes('forged')) R.big = await bigSets(meta, startupBin, forgedBin);
  R.elapsed = (Date.now() - started) / 1000;
  writeFileSync(path.join(out, 'results-partial.json'), JSON.stringify({ versions, R }, null, 2) + '\n');
  const md = partialResults({ versions, R, meta });
  writeFileSync(path.join(out, 'results-partial.md'), md);
  console.log(`\n${md}`);
  log(`done in ${R.elapsed.toFixed(0)} s; bench/out/results-partial.md (results.md is left alone)`);
}

// partialResults is results.md's text for the parts that ran.
function partialResults({ versions, R, meta }) {
  const parts = [
    `# licverify benchmark results, in part (--only ${R.parts.join(',')})

Written by \`node run.mjs --only ${R.parts.join(',')}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, in ${R.elapsed.toFixed(0)} s: only these parts, not a full \`make bench\`. Go ${versions.go}, wazero ${versions.wazero}, Node ${versions.node}.

### Issue 14's targets, these parts

${table(['target', 'goal', 'now', 'result'], [...startupTargets(R), ...bigTargets(R, meta)])}`,
  ];
  if (R.startup.baseline) {
    parts.push(`## wazero start-up against the baseline

${startupBaselineText(R)}

${table(['figure', `baseline (${BASELINE})`, 'now', 'now ÷ baseline'], startupBaselineRows(R))}`);
  }
  if (R.big) {
    parts.push(`## A forged 64 MiB revocation set

${table(['set', 'runtime', 'verdict', 'time to verdict', 'forged ÷ genuine', 'wasm memory (÷ document)', 'peak RSS (÷ document)'], bigTable(R, meta))}${staleModuleNote(R)}`);
  }
  parts.push(`## Where targets are missed, and what dominates

${[startupDominates(R), bigDominates(R, meta)].filter(Boolean).join('\n\n')}`);
  return parts.join('\n\n') + '\n';
}

// ---------------------------------------------------------------- Issue 14's new rows

// i14Row is a row of Issue 14's table: x is the figure, limit its upper
// bound. x null is "not measured", unless failed says why the target is
// missed all the same (no verdict).
function i14Row(what, goalText, limit, x, shown, failed = null) {
  const result = failed ? `**missed** (${failed})` : x == null ? '– (not measured)' : x <= limit ? 'met' : `**missed** ${over(x, limit)}`;
  return [what, goalText, shown ?? fmtX(x), result];
}

// startupTargets are Issue 14's start-up rows: a new process's way to its
// first verdict in wazero, new ÷ baseline, with an empty and a warm cache.
function startupTargets(R) {
  const s = R.startup;
  const b = s?.baseline;
  if (!s?.processCold || !b?.processCold) return [];
  const row = (k, label, limit) => {
    const x = s[k].wall / b[k].wall;
    return i14Row(`wazero: new process → first verdict, ${label}: new ÷ baseline`, `≤ ${limit}×`, limit, x, `${x.toFixed(2)}× (${fmtMs(s[k].wall)} against ${fmtMs(b[k].wall)})`);
  };
  return [row('processCold', 'empty compilation cache', 0.25), row('processWarm', 'warm cache', 0.5)];
}

const splitText = (x) => `${fmtMs(x.wall)} (host.New ${fmtMs(x.newMs)}, first call ${fmtMs(x.firstCallMs)}, the rest ${fmtMs(x.rest)}; exit at ${fmtMs(x.exit)})`;

// startupBaselineRows are the baseline table's rows for wazero's start-up.
function startupBaselineRows(R) {
  const s = R.startup;
  const b = s?.baseline;
  if (!b?.processCold) return [];
  const row = (k, label) => [`wazero: new process → first verified result, ${label}`, splitText(b[k]), splitText(s[k]), (s[k].wall / b[k].wall).toFixed(2) + '×'];
  return [row('processCold', 'empty cache'), row('processWarm', 'warm cache'), ['module code (function bodies), which wazero compiles', kB(b.code), kB(s.code), (s.code / b.code).toFixed(2) + '×']];
}

// startupBaselineText says how the start-up rows were measured.
function startupBaselineText(R) {
  const s = R.startup;
  const b = s.baseline;
  const wz = s.wazero;
  return `In wazero, each module is started by its own release's start-up program, built in this run with the same Go: the new one is bench/startup on package host, and the baseline's is ${BASELINE}'s bench/startup on that release's host (ABI 1, the status proof \`statusproof/valid\` sent as its JSON request), built from ${BASELINE}'s own tree and go.mod. Each figure is the median of ${s.processRuns} new processes: with an empty cache each gets a new, empty cache directory; with a warm cache each reads one written by an earlier process of the same program. The two programs' runs are interleaved. The figure is the time from spawn to the first verdict, which each program prints the moment it has it. *host.New* compiles the module (empty cache) or loads it from the cache (warm), or, in a host that compiles in the background, gets ready to answer without it; *first call* instantiates the module, starts its Go runtime and verifies the proof; *the rest* is the process's own start, reading the request and the output. *exit* is the time from spawn to exit: the new program closes its Verifier before it exits, as a program does (a host that compiles in the background finishes and writes the cache then); the baseline's program just exits. The baseline's tree uses wazero ${b.wazero}${wz ? (wz === b.wazero ? ', the same as now' : `; now it is ${wz}: the two differ`) : ''}.`;
}

// startupDominates is what dominates wazero's start-up, against the baseline.
function startupDominates(R) {
  const s = R.startup;
  const b = s?.baseline;
  if (!b?.processCold) return '';
  const lead = (x) =>
    [
      ['newMs', 'host.New'],
      ['firstCallMs', 'the first call'],
      ['rest', "the process's own start"],
    ].sort((a, b) => x[b[0]] - x[a[0]])[0][1];
  const c = s.processCold.wall / b.processCold.wall;
  const w = s.processWarm.wall / b.processWarm.wall;
  const phases = (x) => `host.New ${fmtMs(x.newMs)}, the first call ${fmtMs(x.firstCallMs)}, the rest ${fmtMs(x.rest)} of ${fmtMs(x.wall)}`;
  const leads = lead(s.processCold) === lead(s.processWarm) ? `${lead(s.processCold)} dominates both` : `${lead(s.processCold)} dominates with an empty cache, ${lead(s.processWarm)} with a warm one`;
  return `**wazero start-up against the baseline** (new ÷ baseline ${c.toFixed(2)}× with an empty cache, goal ≤ 0.25×; ${w.toFixed(2)}× with a warm cache, goal ≤ 0.5×): ${leads}. With an empty cache: ${phases(s.processCold)} now; ${phases(b.processCold)} for the baseline, whose host.New is wazero compiling the module. With a warm cache: ${phases(s.processWarm)} now; ${phases(b.processWarm)} for the baseline, whose host.New is loading the compiled module. Compiling and loading follow the code wazero compiles: ${kB(s.code)} of function bodies now against ${kB(b.code)} in the baseline (${(s.code / b.code).toFixed(2)}×), ${b.wazero === s.wazero ? `with the same wazero (${s.wazero})` : `with wazero ${s.wazero} now and ${b.wazero} in the baseline's tree`}. (Each phase is its own median over the processes, so the phases need not add up to the median of the whole.)`;
}

// staleModuleNote says, under the table of the 64 MiB sets, when the
// committed module is not a build of this tree.
const staleModuleNote = (R) =>
  R.big?.moduleFresh === false
    ? '\n\nIn this run the committed module is not a build of this tree (`make wasm-check` would fail): native Go runs this tree\'s code, wazero and Node the committed module\'s.'
    : '';

const bigRuntimes = [
  ['native', 'native Go'],
  ['wazero', 'wazero'],
  ['node', 'Node'],
];

// bigTable is the table of the 64 MiB sets.
function bigTable(R, meta) {
  const rows = [];
  for (const b of meta.big ?? []) {
    for (const [k, label] of bigRuntimes) {
      const x = R.big?.[b.name]?.[k];
      if (!x) continue;
      const g = R.big.genuine?.[k];
      const verdict = x.error ? `**${x.error}**` : x.code !== b.code ? `**${x.code}** (want ${b.code})` : x.code;
      rows.push([
        b.name === 'forged' ? `forged (${b.members.toLocaleString('en-US')} members, bad signature)` : `genuine (${b.ids.toLocaleString('en-US')} ids)`,
        label,
        verdict,
        fmtMs(x.ms ?? x.wall),
        b.name === 'forged' && g?.ms != null && x.ms != null && !x.error && !g.error ? fmtX(x.ms / g.ms) : '–',
        x.wasmBytes != null ? `${MiB(x.wasmBytes)} (${fmtX(x.wasmBytes / b.bytes)})` : '–',
        `${MiB(x.peakRSS)}${x.peakRSS ? ` (${fmtX(x.peakRSS / b.bytes)})${x.error ? ' when stopped' : ''}` : ''}`,
      ]);
    }
  }
  return rows;
}

// bigTargets are Issue 14's rows of the forged 64 MiB set: every runtime
// answers its code (bad_signature); forged ÷ genuine time per runtime;
// wasm memory ÷ input per wasm runtime (native's peak RSS for reference).
function bigTargets(R, meta) {
  const f = R.big?.forged;
  const g = R.big?.genuine;
  const fb = meta.big?.find((b) => b.name === 'forged');
  if (!f || !fb) return [];
  const rows = [];
  const ran = bigRuntimes.filter(([k]) => f[k]);
  const wrong = ran.filter(([k]) => f[k].error || f[k].code !== fb.code);
  rows.push([
    'forged 64 MiB set: every runtime answers bad_signature',
    fb.code,
    wrong.length === 0 ? `${fb.code} in ${ran.map(([, l]) => l).join(', ')}` : wrong.map(([k, l]) => `${l}: ${f[k].error ?? f[k].code}`).join('; '),
    wrong.length === 0 ? 'met' : `**missed** (${wrong.map(([, l]) => l).join(', ')})`,
  ]);
  for (const [k, l] of bigRuntimes) {
    const x = f[k];
    const y = g?.[k];
    if (!x) continue;
    const what = `forged 64 MiB set, ${l}: forged ÷ genuine time`;
    if (x.error) rows.push(i14Row(what, '≤ 2×', 2, null, `– (forged: ${x.error} after ${fmtMs(x.ms ?? x.wall)})`, 'no verdict'));
    else if (!y || y.error) rows.push(i14Row(what, '≤ 2×', 2, null, `– (genuine: ${y?.error ?? 'not run'})`));
    else rows.push(i14Row(what, '≤ 2×', 2, x.ms / y.ms, `${fmtX(x.ms / y.ms)} (${fmtMs(x.ms)} against ${fmtMs(y.ms)})`));
  }
  for (const [k, l] of bigRuntimes.filter(([k]) => k !== 'native')) {
    const x = f[k];
    if (!x) continue;
    const m = x.wasmBytes != null ? x.wasmBytes / fb.bytes : null;
    const shown = `${m == null ? '–' : fmtX(m)} (${x.wasmBytes != null ? `${MiB(x.wasmBytes)} for ${MB(fb.bytes)}` : x.error ? x.error : 'not reported'}${x.peakRSS ? `; peak RSS ${MiB(x.peakRSS)}${x.error ? ' when stopped' : ''}` : ''})`;
    rows.push(i14Row(`forged 64 MiB set, ${l}: wasm memory ÷ input`, '≤ 4×', 4, m, shown, x.error ? 'no verdict' : null));
  }
  const n = f.native;
  if (n?.peakRSS) rows.push(['forged 64 MiB set, native Go: peak RSS ÷ input (for reference)', '–', `${fmtX(n.peakRSS / fb.bytes)} (${MiB(n.peakRSS)})`, 'no target']);
  return rows;
}

// pprofLeaders names the first n entries of a `go tool pprof -top` text
// that match re, with their flat share (or, cum, their cumulative one,
// under below %: the entry points that hold everything say nothing).
function pprofLeaders(text, n = 3, { re = /./, cum = false, below = 100.5 } = {}) {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 6 && re.test(c.slice(5).join(' ')) && (!cum || parseFloat(c[4]) < below))
    .slice(0, n)
    .map((c) => `${c.slice(5).join(' ').replace(/^github\.com\/licverify\/licverify\//, '')} ${cum ? c[4] : c[1]}`)
    .join(', ');
}

// bigDominates is what dominates the forged set's time and memory.
function bigDominates(R, meta) {
  const f = R.big?.forged;
  const g = R.big?.genuine;
  const fb = meta.big?.find((b) => b.name === 'forged');
  const gb = meta.big?.find((b) => b.name === 'genuine');
  if (!f || !fb) return '';
  const times = bigRuntimes
    .filter(([k]) => f[k])
    .map(([k, l]) => `${l} ${f[k].error ? 'no verdict' : g?.[k]?.ms ? fmtX(f[k].ms / g[k].ms) : '–'}`)
    .join(', ');
  const mem = bigRuntimes
    .filter(([k]) => k !== 'native' && f[k])
    .map(([k, l]) => `${l} ${f[k].wasmBytes != null ? fmtX(f[k].wasmBytes / fb.bytes) : f[k].error ? 'no verdict' : '–'}`)
    .join(', ');
  const P = R.big.profile;
  const code = (text) => '```\n' + text + '\n```';
  const head = `**The forged 64 MiB set** (forged ÷ genuine time: ${times}, goal ≤ 2×; wasm memory ÷ input: ${mem || '–'}, goal ≤ 4×): the forged document holds ${fb.members.toLocaleString('en-US')} members${gb ? ` where the genuine one of the same size holds ${gb.members.toLocaleString('en-US')} (its ${gb.ids.toLocaleString('en-US')} ids are in one array)` : ''}.`;
  if (!P) return `${head} ${R.big.profileError ? `The profiled native run failed: ${R.big.profileError}.` : 'No profile of it was taken (the native run had no verdict).'}`;
  return `${head} What dominates, from a second native run of the forged set with profiles: CPU, by self time, ${pprofLeaders(P.cpu)}${P.cpuCum ? `; by total time, of licverify's own functions, ${pprofLeaders(P.cpuCum, 3, { re: /\/licverify\/licverify\//, cum: true, below: 95 })}` : ''}; allocated bytes (with the file's own read), ${pprofLeaders(P.allocs)}. The native runs are compiled from this tree, while wazero and Node run the committed module (host/licverify.wasm), so the profile is the wasm runtimes' code only when that module is a build of this tree (\`make wasm-check\`)${R.big.moduleFresh === true ? ', as it is in this run' : R.big.moduleFresh === false ? ': in this run it is not, so the native figures and the profile are of other code than the wasm ones' : ''}. \`go tool pprof -top\`, CPU:

${code(P.cpu)}

Allocated bytes (\`-sample_index=alloc_space\`), with the read of the file:

${code(P.allocs)}`;
}

// ---------------------------------------------------------------- main

async function main() {
  mkdirSync(out, { recursive: true });
  const R = {}; // everything measured
  const versions = {};
  const goLines = [];

  const meta = inputsAndBaseline();

  log('building the test binaries and the start-up program');
  const benchBin = path.join(out, 'bench.test');
  const hostBin = path.join(out, 'host.test');
  run('go', ['test', '-c', '-o', benchBin, './bench']);
  run('go', ['test', '-c', '-o', hostBin, './host']);
  const { startupBin, forgedBin } = buildPrograms();
  const namesWasm = path.join(out, 'licverify-names.wasm');
  // The same module with its name section, for profiles and the size
  // breakdown (`make wasm` strips it).
  run('go', ['build', '-buildmode=c-shared', '-trimpath', '-o', namesWasm, './wasm'], {
    env: { ...env, GOOS: 'wasip1', GOARCH: 'wasm', CGO_ENABLED: '0', GOFLAGS: '' },
  });

  // Versions and machine.
  toolVersions(versions);
  const dep = (name) => JSON.parse(readFileSync(path.join(bench, 'node_modules', name, 'package.json'), 'utf8')).version;
  for (const n of ['@noble/ed25519', '@noble/hashes', 'canonicalize', 'playwright-core']) versions[n] = dep(n);
  versions.licverify = JSON.parse(readFileSync(path.join(repo, 'js', 'package.json'), 'utf8')).version;
  try {
    versions.commit = run('git', ['rev-parse', '--short', 'HEAD']).trim();
    versions.dirty = run('git', ['status', '--porcelain', '--untracked-files=no']).trim() !== '';
  } catch {
    versions.commit = 'unknown';
  }

  // ------------------------------------------------------------ size
  log('size');
  const wasmBytes = readFileSync(wasmFile);
  R.size = {
    raw: wasmBytes.length,
    gzip: zlib.gzipSync(wasmBytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(wasmBytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasmBytes.length } }).length,
    breakdown: wasmBreakdown(namesWasm),
  };
  {
    const b = readFileSync(baselineWasm);
    R.size.baseline = {
      raw: b.length,
      gzip: zlib.gzipSync(b, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }).length,
    };
  }
  {
    const packDir = mkdtempSync(path.join(os.tmpdir(), 'licverify-bench-pack-'));
    const [pack] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: path.join(repo, 'js') }));
    R.size.pack = { packed: statSync(path.join(packDir, pack.filename)).size, unpacked: pack.unpackedSize, files: pack.entryCount ?? pack.files.length };
    rmSync(packDir, { recursive: true, force: true });
  }

  // ------------------------------------------------------------ Go latency
  log('Go latency (native, wazero)');
  const lat = goBench(benchBin, '^BenchmarkLatency$', { benchtime: quick ? '100ms' : '300ms', count: quick ? 3 : 7 });
  goLines.push(...lat);
  const latNs = medianOf(lat, 'ns/op');
  R.latency = {};
  for (const j of meta.latency) {
    R.latency[j.name] = {
      native: latNs[`BenchmarkLatency/${j.name}/native`] / 1e6,
      wazero: latNs[`BenchmarkLatency/${j.name}/wazero`] / 1e6,
    };
  }
  R.nativeTyped = latNs['BenchmarkLatency/statusproof/native-typed'] / 1e6;

  log('Go start-up (compile cold, warm, first call)');
  const st = goBench(benchBin, '^BenchmarkStartup$', { benchtime: quick ? '2x' : '3x', count: 3 });
  goLines.push(...st);
  const stNs = medianOf(st, 'ns/op');
  R.startup = {
    compileCold: stNs['BenchmarkStartup/compile-cold'] / 1e6,
    compileWarm: stNs['BenchmarkStartup/compile-warm'] / 1e6,
    firstCall: stNs['BenchmarkStartup/first-call'] / 1e6,
  };

  Object.assign(R.startup, await wazeroProcessStartup(startupBin));

  log('Go throughput (1, 2, 4 goroutines)');
  const tp = goBench(benchBin, '^BenchmarkThroughput$', { benchtime: quick ? '300ms' : '1s', count: 3 });
  goLines.push(...tp);
  const tpRate = medianOf(tp, 'verifies/s');
  R.throughput = [1, 2, 4].map((g) => ({
    g,
    wazero: tpRate[`BenchmarkThroughput/wazero/goroutines=${g}`],
    native: tpRate[`BenchmarkThroughput/native/goroutines=${g}`],
  }));

  log('Go scale (native and wazero, one process per size)');
  R.scale = {};
  const sizes = meta.sets.map((s) => s.ids);
  for (const s of meta.sets) {
    const benchtime = s.ids <= 1000 ? '50x' : s.ids <= 10_000 ? '10x' : '1x';
    const count = s.ids >= 1_000_000 ? 2 : 3;
    const nat = goBench(benchBin, `^BenchmarkScale$/^${s.ids}$`, { benchtime, count });
    const waz = goBench(hostBin, `^BenchmarkScaleWazero$/^${s.ids}$`, { benchtime, count, cwd: path.join(repo, 'host') });
    goLines.push(...nat, ...waz);
    const last = (ls, m) => ls[ls.length - 1].metrics[m];
    R.scale[s.ids] = {
      bytes: s.bytes,
      native: { ms: median(nat.map((l) => l.metrics['ns/op'])) / 1e6, peakRSS: last(nat, 'peak-RSS-MiB') * 2 ** 20 },
      wazero: {
        ms: median(waz.map((l) => l.metrics['ns/op'])) / 1e6,
        wasmBytes: last(waz, 'wasm-MiB') * 2 ** 20,
        peakRSS: last(waz, 'peak-RSS-MiB') * 2 ** 20,
        rssAfter: last(waz, 'after-RSS-MiB') * 2 ** 20,
      },
    };
  }
  log('Go lookups');
  {
    const ln = goBench(benchBin, '^BenchmarkLookup$', { benchtime: quick ? '50ms' : '200ms', count: 3 });
    const lw = goBench(hostBin, '^BenchmarkLookupWazero$', { benchtime: quick ? '50ms' : '200ms', count: 3, cwd: path.join(repo, 'host') });
    goLines.push(...ln, ...lw);
    const n = medianOf(ln, 'ns/op');
    const w = medianOf(lw, 'ns/op');
    for (const ids of sizes) {
      R.scale[ids].native.lookupMs = n[`BenchmarkLookup/${ids}`] / 1e6;
      R.scale[ids].wazero.lookupMs = w[`BenchmarkLookupWazero/${ids}`] / 1e6;
    }
  }

  // ------------------------------------------------------------ Node
  log('Node latency (wasm, pure JS, node:crypto)');
  {
    const r = lastJSON((await spawnTimed(process.execPath, ['node.mjs', 'latency'])).stdout);
    for (const j of meta.latency) {
      R.latency[j.name].node = r[`${j.name}/wasm`].ms;
      if (r[`${j.name}/pure-js`]) R.latency[j.name]['purejs-node'] = r[`${j.name}/pure-js`].ms;
      if (r[`${j.name}/node-crypto`]) R.latency[j.name].nodecrypto = r[`${j.name}/node-crypto`].ms;
    }
  }
  log('Node first result');
  {
    const runs = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      const r = await spawnTimed(process.execPath, ['node.mjs', 'first']);
      const j = lastJSON(r.stdout);
      runs.push({ wall: r.ms, inProcess: j.ms, phases: j.phases });
    }
    R.startup.node = { wall: median(runs.map((x) => x.wall)), inProcess: median(runs.map((x) => x.inProcess)), phases: medianPhases(runs.map((x) => x.phases)) };
  }
  log('Node scale');
  for (const ids of sizes) {
    const r = lastJSON((await spawnTimed(process.execPath, ['--expose-gc', 'node.mjs', 'scale', String(ids)])).stdout);
    R.scale[ids].node = r;
  }
  log('Node, the baseline module (ABI 1): status proof, 1,000,000-id set');
  R.baseline = {};
  {
    const r = lastJSON((await spawnTimed(process.execPath, ['node.mjs', 'baseline-latency'])).stdout);
    R.baseline.statusproof = r.statusproof.ms;
    const big = sizes.includes(1_000_000) ? 1_000_000 : sizes[sizes.length - 1];
    R.baseline.set = { ids: big, ...lastJSON((await spawnTimed(process.execPath, ['--expose-gc', 'node.mjs', 'baseline-scale', String(big)])).stdout) };
  }

  R.big = await bigSets(meta, startupBin, forgedBin);

  log('Python (wasmtime): python/bench.py');
  {
    const py = path.join(repo, 'python', '.venv', 'bin', 'python');
    try {
      if (!existsSync(py)) {
        log('  no python/.venv: making it with python/run-tests.sh -k table');
        run(path.join(repo, 'python', 'run-tests.sh'), ['-k', 'table'], { cwd: path.join(repo, 'python') });
      }
      const r = await spawnTimed(py, ['bench.py', '--fixtures', fixtures, ...(quick ? ['--quick'] : [])], { cwd: path.join(repo, 'python') });
      const j = JSON.parse(r.stdout);
      R.python = j;
      versions.python = j.versions.python;
      versions.wasmtime = j.versions.wasmtime;
      const us = (x) => (x ? x.median_us / 1000 : null);
      R.latency.statusproof.python = us(j.latency.status_proof);
      R.latency.license.python = us(j.latency.license);
      R.latency['qkey-plain'].python = us(j.latency.qkey_plain);
      R.latency.qkey.python = us(j.latency.qkey_encrypted);
      R.pythonCold = await pythonColdStart(spawnTimed, py, path.join(repo, 'python'), fixtures, quick);
    } catch (err) {
      R.pythonSkipped = String(err.message ?? err).split('\n')[0].slice(0, 200);
      log(`  Python skipped: ${R.pythonSkipped}`);
    }
  }

  log('JVM (Chicory): java/ Bench, through bench/java.mjs');
  try {
    const j = javaBench(fixtures, { quick });
    R.java = j;
    versions.java = j.versions.java;
    const us = (x) => (x ? x.median_us / 1000 : null);
    R.latency.statusproof.java = us(j.latency.status_proof);
    R.latency.license.java = us(j.latency.license);
    R.latency['qkey-plain'].java = us(j.latency.qkey_plain);
    R.latency.qkey.java = us(j.latency.qkey_encrypted);
  } catch (err) {
    R.javaSkipped = String(err.message ?? err).split('\n')[0].slice(0, 200);
    log(`  JVM skipped: ${R.javaSkipped}`);
  }

  log('Rust (wasmtime): rust/examples/bench.rs');
  try {
    R.rust = rustBench(repo, fixtures, quick);
    R.latency.statusproof.rust = R.rust.status_proof.median_us / 1000;
  } catch (err) {
    R.rustSkipped = String(err.message ?? err).split('\n')[0].slice(0, 200);
    log(`  Rust skipped: ${R.rustSkipped}`);
  }

  // ------------------------------------------------------------ Chromium
  let chromium = null;
  let chromiumProfile = null;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    // reported below
  }
  if (chromium === null || !existsSync(chromiumPath)) {
    R.chromiumSkipped = chromium === null ? 'playwright-core is not installed (cd bench && npm ci)' : `${chromiumPath} not found`;
    log(`Chromium skipped: ${R.chromiumSkipped}`);
  } else {
    const server = await serve();
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      log('Chromium latency');
      {
        const b = await launch(chromium);
        versions.chromium = b.context.browser()?.version() ?? 'unknown';
        const page = await openBenchPage(b.context, base);
        const r = await page.evaluate(() => window.bench.latency());
        for (const j of meta.latency) {
          R.latency[j.name].chromium = r[`${j.name}/wasm`].ms;
          if (r[`${j.name}/pure-js`]) R.latency[j.name]['purejs-chromium'] = r[`${j.name}/pure-js`].ms;
        }
        await page.close();
        log('Chromium profile (status proofs, the module with names)');
        {
          const p = await b.context.newPage();
          await p.goto(`${base}/bench/page/index.html?wasm=/bench/out/licverify-names.wasm`);
          await p.waitForFunction(() => window.bench !== undefined, null, { timeout: 60_000 });
          const cdp = await b.context.newCDPSession(p);
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
          await p.evaluate(() => window.bench.loop('statusproof', 500));
          await cdp.send('Profiler.start');
          await p.evaluate((ms) => window.bench.loop('statusproof', ms), quick ? 1000 : 3000);
          const { profile } = await cdp.send('Profiler.stop');
          const file = path.join(out, 'chromium-statusproof.cpuprofile');
          writeFileSync(file, JSON.stringify(profile));
          chromiumProfile = cpuProfileTop(file);
          await p.close();
        }
        log('Chromium first result (a new URL each run: no cache)');
        const runs = [];
        for (let i = 0; i < (quick ? 3 : 9); i++) {
          const p = await b.context.newPage();
          const t = performance.now();
          await p.goto(`${base}/r${i + 1}/bench/page/first.html`);
          const first = await (await p.waitForFunction(() => window.firstResult, null, { timeout: 60_000 })).jsonValue();
          const wall = performance.now() - t;
          if (!first.valid) throw new Error('Chromium: the first result is not valid');
          runs.push({ ...first, wall });
          await p.close();
        }
        log('Chromium first result, the baseline package and module');
        try {
          const base1 = [];
          for (let i = 0; i < (quick ? 3 : 9); i++) {
            const p = await b.context.newPage();
            await p.goto(`${base}/b${i + 1}/bench/page/first-baseline.html`);
            const first = await (await p.waitForFunction(() => window.firstResult, null, { timeout: 60_000 })).jsonValue();
            if (!first.valid) throw new Error('Chromium: the baseline\'s first result is not valid');
            base1.push(first);
            await p.close();
          }
          R.baseline.chromiumFirst = median(base1.map((x) => x.done - x.wasmFetchStart));
        } catch (err) {
          R.baseline.chromiumFirstError = String(err.message ?? err).split('\n')[0];
          log(`  baseline first result: ${R.baseline.chromiumFirstError}`);
        }
        R.startup.chromium = {
          phases: medianPhases(runs.map((x) => x.phases)),
          navigation: median(runs.map((x) => x.done)),
          fromWasmFetch: median(runs.map((x) => x.done - x.wasmFetchStart)),
          wasmFetchStart: median(runs.map((x) => x.wasmFetchStart)),
          wall: median(runs.map((x) => x.wall)),
          launch: b.launchMs,
        };
        await b.close();
      }
      log(`Chromium dashboard (examples/dashboard/, ${DASHBOARD_PROOFS.toLocaleString('en-US')} status proofs)`);
      R.dashboard = await dashboardBench(chromium, base);
      log('Chromium scale (a new browser per size)');
      for (const ids of sizes) {
        const b = await launch(chromium);
        const page = await openBenchPage(b.context, base);
        const r = await page.evaluate((n) => window.bench.scale(n), ids);
        r.peakRSS = rendererPeakRSS(b.profile);
        R.scale[ids].chromium = r;
        await b.close();
      }
    } finally {
      server.close();
    }
  }

  // ------------------------------------------------------------ profiles
  log('profiles');
  R.profiles = { chromiumStatusProof: chromiumProfile };
  {
    const prof = path.join(out, 'native-statusproof.prof');
    run(benchBin, ['-test.run', '^$', '-test.bench', '^BenchmarkLatency$/^statusproof$/^native$', '-test.benchtime', '2s', '-test.cpuprofile', prof], { cwd: bench });
    R.profiles.native = pprofTop(benchBin, prof, 12);
    const wprof = path.join(out, 'wazero-statusproof.prof');
    run(benchBin, ['-test.run', '^$', '-test.bench', '^BenchmarkLatency$/^statusproof$/^wazero$', '-test.benchtime', '2s', '-test.cpuprofile', wprof], { cwd: bench });
    R.profiles.wazero = pprofTop(benchBin, wprof, 8);
    // What a warm start spends its time on: many loads of a warm cache
    // (the copy of the cache directory each iteration makes shows up too),
    // from a cache a first process wrote, so that the compile that warms
    // it is not in the profile.
    const sprof = path.join(out, 'startup-warm.prof');
    const warmCache = path.join(out, 'startup-warm-cache');
    rmSync(warmCache, { recursive: true, force: true });
    mkdirSync(warmCache, { recursive: true });
    const warmEnv = { env: { ...env, LICVERIFY_BENCH_WARM_CACHE: warmCache } };
    run(benchBin, ['-test.run', '^$', '-test.bench', '^BenchmarkStartup$/^compile-warm$', '-test.benchtime', '1x'], { cwd: bench, ...warmEnv });
    run(benchBin, ['-test.run', '^$', '-test.bench', '^BenchmarkStartup$/^compile-warm$', '-test.benchtime', quick ? '5x' : '15x', '-test.cpuprofile', sprof], { cwd: bench, ...warmEnv });
    R.startup.warmProfile = pprofTop(benchBin, sprof, 12);
    const dir = path.join(out, 'v8');
    rmSync(dir, { recursive: true, force: true });
    const v8 = async (name, args) => {
      const d = path.join(dir, name);
      await spawnTimed(process.execPath, ['--cpu-prof', '--cpu-prof-dir', d, 'node.mjs', ...args], { env: { ...env, LICVERIFY_BENCH_WASM: namesWasm } });
      return cpuProfileTop(path.join(d, readdirSync(d).find((f) => f.endsWith('.cpuprofile'))));
    };
    R.profiles.nodeStatusProof = await v8('statusproof', ['loop', 'statusproof', quick ? '1000' : '3000']);
    R.profiles.nodeSet = await v8('set', ['loopset', '100000', quick ? '2' : '5']);
  }

  R.elapsed = (Date.now() - started) / 1000;
  writeFileSync(path.join(out, 'results.json'), JSON.stringify({ versions, R }, null, 2) + '\n');
  log('writing results.md and the chart');
  await writeResults({ versions, R, meta, goLines, chromium });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

// ---------------------------------------------------------------- results

async function writeResults({ versions, R, meta, goLines, chromium }) {
  const jobs = [
    { name: 'statusproof', label: `status proof (${meta.latency[0].bytes}-byte request)` },
    { name: 'license', label: 'license.key evaluation' },
    { name: 'qkey', label: '.qkey, encrypted (PBKDF2 100,000 rounds)' },
    { name: 'qkey-plain', label: '.qkey, plain JSON' },
  ];
  const L = R.latency;
  const sp = L.statusproof;
  const st = R.startup;
  const cpu = os.cpus();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cpuName = cpu[0]?.model.trim() ?? 'unknown CPU';
  const machine = `${cpuName}, ${cpu.length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`;
  const subtitle = `${date} · ${cpuName} ×${cpu.length} · Go ${versions.go.replace(/^go/, '')}, wazero ${versions.wazero}, Node ${versions.node}, Chromium ${versions.chromium ?? '–'}`;

  const svg = chartSVG(L, jobs, subtitle);
  writeFileSync(path.join(bench, 'chart.svg'), svg);
  let png = false;
  if (chromium && existsSync(chromiumPath)) {
    const b = await launch(chromium);
    const page = await b.context.newPage();
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: path.join(bench, 'chart.png') });
    await b.close();
    png = true;
  }

  const targets = [];
  const target = (what, goal, measured, met, note = '') => targets.push([what, goal, measured, met ? 'met' : `**missed** ${note}`.trim()]);
  const rNode = ratio(sp.node, sp.native);
  const rChromium = ratio(sp.chromium, sp.native);
  const rWazero = ratio(sp.wazero, sp.native);
  const versus = (ours, theirs) => (ours < theirs ? `wasm ${fmtX(theirs / ours)} faster` : `wasm ${fmtX(ours / theirs)} slower`);
  target('status proof: wasm in Node ÷ native Go', '≤ 6×', fmtX(rNode), rNode <= 6, over(rNode, 6));
  if (rChromium != null) target('status proof: wasm in Chromium ÷ native Go', '≤ 6×', fmtX(rChromium), rChromium <= 6, over(rChromium, 6));
  target('status proof: wasm in Node vs pure JS in Node', 'faster', versus(sp.node, sp['purejs-node']), sp.node < sp['purejs-node'], over(sp.node, sp['purejs-node']));
  if (sp.chromium != null) {
    target('status proof: wasm in Chromium vs pure JS in Chromium', 'faster', versus(sp.chromium, sp['purejs-chromium']), sp.chromium < sp['purejs-chromium'], over(sp.chromium, sp['purejs-chromium']));
  }
  target('status proof: wazero ÷ native Go', '≤ 10×', fmtX(rWazero), rWazero <= 10, over(rWazero, 10));
  target('.wasm, gzip', '≤ 1.0 MB', MB(R.size.gzip), R.size.gzip <= 1e6, over(R.size.gzip, 1e6));
  if (st.chromium) {
    const c = st.chromium.fromWasmFetch;
    target('Chromium: module fetch starts → first verified result', '≤ 250 ms', fmtMs(c), c <= 250, over(c, 250));
  }
  const w = st.processWarm.wall;
  target('wazero, warm cache: process start → first verified result', '≤ 150 ms', fmtMs(w), w <= 150, over(w, 150));
  const s100 = R.scale[100000];
  if (s100) {
    const t = s100.node.ms;
    target('100,000-id set: verify in Node', '≤ 400 ms', `${fmtMs(t)} (first call of a new instance: ${fmtMs(s100.node.firstMs)})`, t <= 400, over(t, 400));
    const m = s100.node.wasmBytes / s100.bytes;
    target('100,000-id set: wasm memory ÷ document size (Node)', '≤ 15×', fmtX(m), m <= 15, over(m, 15));
    const down = s100.node.rssRecycled < s100.node.rssKept;
    target(
      '100,000-id set: memory comes back down, or the instance is recycled',
      'yes',
      `Node RSS ${MiB(s100.node.peakRSS)} at peak, ${MiB(s100.node.rssKept)} while the verifier lives (wasm memory never shrinks), ${MiB(s100.node.rssRecycled)} once it is dropped (${MiB(s100.node.rssBefore)} before the set)`,
      down,
    );
  }
  const s1m = R.scale[1000000];
  if (s1m) {
    const all = ['native', 'wazero', 'node', 'chromium'];
    const ran = all.filter((k) => s1m[k]?.ms != null);
    target('1,000,000-id set verifies in every runtime', 'no out-of-memory', ran.length === all.length ? 'verified in all four' : `verified in ${ran.join(', ')} only`, ran.length === all.length);
  }

  const latencyRows = jobs.map((j) => [j.label, ...runtimes.map(([k]) => fmtMs(L[j.name][k]))]);
  const ratioRows = jobs.map((j) => {
    const x = L[j.name];
    return [
      j.label,
      fmtX(ratio(x.wazero, x.native)),
      fmtX(ratio(x.node, x.native)),
      fmtX(ratio(x.chromium, x.native)),
      fmtX(ratio(x['purejs-node'], x.node)),
      fmtX(ratio(x['purejs-chromium'], x.chromium)),
      fmtX(ratio(x.node, x.nodecrypto)),
      fmtX(ratio(x.python, x.native)),
    ];
  });

  const scaleRows = [];
  for (const set of meta.sets) {
    const r = R.scale[set.ids];
    for (const [k, label] of [['native', 'native Go'], ['wazero', 'wazero'], ['node', 'Node'], ['chromium', 'Chromium']]) {
      const x = r[k];
      if (!x) continue;
      const after =
        k === 'wazero'
          ? `${MiB(x.rssAfter)}, instance kept in the pool`
          : k === 'node'
            ? `${MiB(x.rssKept)} kept, ${MiB(x.rssRecycled)} dropped (${MiB(x.rssBefore)} before)`
            : '–';
      scaleRows.push([
        set.ids.toLocaleString('en-US'),
        MB(set.bytes),
        label,
        fmtMs(x.ms),
        fmtX(ratio(x.ms, r.native.ms)),
        x.firstMs != null ? fmtMs(x.firstMs) : '–',
        x.wasmBytes != null ? `${MiB(x.wasmBytes)} (${fmtX(x.wasmBytes / set.bytes)})` : '–',
        MiB(x.peakRSS),
        after,
        fmtMs(x.lookupMs),
      ]);
    }
  }

  if (R.python && R.scale[100000]) {
    const pr = R.python.revocation;
    scaleRows.push(['100,000', MB(R.scale[100000].bytes), 'Python (wasmtime)', fmtMs(pr.verify_median_ms), fmtX(ratio(pr.verify_median_ms, R.scale[100000].native.ms)), fmtMs(pr.verify_first_call_of_a_new_instance_ms), '–', '–', '–', fmtMs(pr.lookup_of_a_loaded_set.median_us / 1000)]);
  }

  if (R.rust && R.scale[100000]) {
    const rl = R.rust.revocation_lookup;
    scaleRows.push(['100,000', MB(R.scale[100000].bytes), 'Rust (wasmtime)', '–', '–', fmtMs(rl.load_ms), '–', '–', '–', fmtMs(rl.median_us / 1000)]);
  }

  // Issue 14's figures: the new module against the baseline, and its goals.
  const B = R.baseline ?? {};
  const S1 = R.scale[B.set?.ids ?? 1000000];
  const i14 = [];
  const goal = (what, limit, x, shown) => i14.push([what, limit, shown ?? fmtX(x), x == null ? '– (not measured)' : x <= Number(limit.replace(/[^0-9.]/g, '')) ? 'met' : `**missed** ${over(x, Number(limit.replace(/[^0-9.]/g, '')))}`]);
  goal(`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, verify in Node: new ÷ baseline`, '≤ 0.4×', ratio(S1?.node?.ms, B.set?.ms), `${(S1?.node?.ms / B.set?.ms).toFixed(2)}× (${fmtMs(S1?.node?.ms)} against ${fmtMs(B.set?.ms)})`);
  // The issue's other two figures for that set: against native Go in the
  // same run, and the module's memory against the document.
  goal(`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, verify in Node ÷ native Go`, '≤ 2.5×', ratio(S1?.node?.ms, S1?.native?.ms), `${fmtX(ratio(S1?.node?.ms, S1?.native?.ms))} (${fmtMs(S1?.node?.ms)} against ${fmtMs(S1?.native?.ms)})`);
  goal(`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, wasm memory ÷ document (Node)`, '≤ 4×', ratio(S1?.node?.wasmBytes, S1?.bytes), `${fmtX(ratio(S1?.node?.wasmBytes, S1?.bytes))} (${MiB(S1?.node?.wasmBytes)} for ${MB(S1?.bytes)})`);
  if (st.chromium) goal('Chromium, module fetch → first verdict: new ÷ baseline', '≤ 0.6×', ratio(st.chromium.fromWasmFetch, B.chromiumFirst), B.chromiumFirst == null ? `– (${B.chromiumFirstError})` : `${(st.chromium.fromWasmFetch / B.chromiumFirst).toFixed(2)}× (${fmtMs(st.chromium.fromWasmFetch)} against ${fmtMs(B.chromiumFirst)})`);
  goal('.wasm, gzip -9 (MB)', '≤ 1.00', R.size.gzip / 1e6, MB(R.size.gzip));
  goal('.wasm, brotli 11 (MB)', '≤ 0.75', R.size.brotli / 1e6, MB(R.size.brotli));
  goal('status proof: wasm in Node ÷ native Go', '≤ 3.5×', rNode);
  if (rChromium != null) goal('status proof: wasm in Chromium ÷ native Go', '≤ 3.5×', rChromium);
  goal('status proof: wazero ÷ native Go', '≤ 6×', rWazero);
  i14.push(...startupTargets(R), ...bigTargets(R, meta));
  const baseRows = [
    ['.wasm, raw', MB(R.size.baseline.raw), MB(R.size.raw), (R.size.raw / R.size.baseline.raw).toFixed(2) + '×'],
    ['.wasm, gzip -9', MB(R.size.baseline.gzip), MB(R.size.gzip), (R.size.gzip / R.size.baseline.gzip).toFixed(2) + '×'],
    ['.wasm, brotli 11', MB(R.size.baseline.brotli), MB(R.size.brotli), (R.size.brotli / R.size.baseline.brotli).toFixed(2) + '×'],
    ['status proof in Node (the raw call of each ABI)', fmtMs(B.statusproof), fmtMs(sp.node), (sp.node / B.statusproof).toFixed(2) + '×'],
    [`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, verify in Node`, fmtMs(B.set?.ms), fmtMs(S1?.node?.ms), (S1?.node?.ms / B.set?.ms).toFixed(2) + '×'],
    [`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, first verify of a new instance in Node`, fmtMs(B.set?.firstMs), fmtMs(S1?.node?.firstMs), (S1?.node?.firstMs / B.set?.firstMs).toFixed(2) + '×'],
    [`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, wasm memory in Node`, MiB(B.set?.wasmBytes), MiB(S1?.node?.wasmBytes), (S1?.node?.wasmBytes / B.set?.wasmBytes).toFixed(2) + '×'],
    [`${(B.set?.ids ?? 0).toLocaleString('en-US')}-id set, peak RSS of the Node process`, MiB(B.set?.peakRSS), MiB(S1?.node?.peakRSS), (S1?.node?.peakRSS / B.set?.peakRSS).toFixed(2) + '×'],
  ];
  baseRows.push(...startupBaselineRows(R));
  if (st.chromium) baseRows.push(['Chromium: module fetch starts → first verified result', B.chromiumFirst == null ? `– (${B.chromiumFirstError})` : fmtMs(B.chromiumFirst), fmtMs(st.chromium.fromWasmFetch), B.chromiumFirst == null ? '–' : (st.chromium.fromWasmFetch / B.chromiumFirst).toFixed(2) + '×']);

  const bigRows = bigTable(R, meta);

  const phaseText = (ph, names) => names.filter(([k]) => ph[k] != null).map(([k, label]) => `${label} ${fmtMs(ph[k])}`).join(', ');
  const startupRows = [
    ['wazero: compile the module, empty cache (in-process benchmark)', fmtMs(st.compileCold)],
    ['wazero: load the compiled module from a warm disk cache (in-process benchmark)', fmtMs(st.compileWarm)],
    ['wazero: first call of a new Verifier (instantiate, Go runtime init, one status proof)', fmtMs(st.firstCall)],
    ['wazero: new process → first verified result, empty cache', splitText(st.processCold)],
    ['wazero: new process → first verified result, warm cache', splitText(st.processWarm)],
    [
      'Node: process start → first verified result',
      `${fmtMs(st.node.inProcess)} (${phaseText(st.node.phases, [['boot', 'Node boot'], ['import', 'import'], ['compile', 'compile'], ['instantiate', 'init'], ['call', 'first call']])}); spawn → exit ${fmtMs(st.node.wall)}`,
    ],
  ];
  if (R.python) {
    const ps = R.python.startup;
    const pyText = (x) => `${fmtMs(x.total_ms)} (import licverify ${fmtMs(x.import_ms)}, compiled module ${fmtMs(x.module_ms)}, first call ${fmtMs(x.first_call_ms)})`;
    startupRows.push(
      ['Python (wasmtime): new process → first verified result, empty cache (compiles)', pyText(ps.cold_cache)],
      ['Python (wasmtime): new process → first verified result, warm cache', pyText(ps.warm_cache)],
    );
    if (R.pythonCold) startupRows.push(...pythonColdStartRows(R.pythonCold, fmtMs));
  }
  if (R.java) {
    const js = R.java.startup;
    const jText = (x) => `${fmtMs(x.spawn_to_first_verdict_ms)} (JVM to main ${fmtMs(x.jvm_to_main_ms)}, the module's classes ${fmtMs(x.classes_ms)}, first call ${fmtMs(x.first_call_ms)})`;
    startupRows.push(
      ['JVM (Chicory, compiled at build time): new process → first verified status proof', jText(js.statusproof)],
      ['JVM (Chicory, compiled at build time): new process → first verified encrypted .qkey', jText(js.qkey)],
      ['JVM (Chicory): lookup in a loaded 100,000-id set', fmtMs(R.java.latency.revocation_lookup.median_us / 1000)],
    );
  }
  if (R.rust) {
    const rs = R.rust.first_verdict;
    const rsText = (x) => `${fmtMs(x.exit_ms)} spawn → exit (compiled module ${fmtMs(x.module_ms)}, first call ${fmtMs(x.first_call_ms)})`;
    startupRows.push(
      ['Rust (wasmtime): new process → first verified result, empty cache (compiles)', rsText(rs.empty)],
      ['Rust (wasmtime): new process → first verified result, warm cache', rsText(rs.warm)],
    );
  }
  if (st.chromium) {
    startupRows.push(
      [
        'Chromium: module fetch starts → first verified result',
        `${fmtMs(st.chromium.fromWasmFetch)} (${phaseText(st.chromium.phases, [['compile', 'download + streaming compile'], ['instantiate', 'init'], ['call', 'first call']])}; the download alone ${fmtMs(st.chromium.phases.download)})`,
      ],
      [
        'Chromium: navigation → first verified result',
        `${fmtMs(st.chromium.navigation)} (${phaseText(st.chromium.phases, [['boot', 'page until its script runs'], ['import', 'import browser.js']])}; module fetch starts at ${fmtMs(st.chromium.wasmFetchStart)})`,
      ],
      ['Chromium: browser launch (once, for reference; not part of the above)', fmtMs(st.chromium.launch)],
    );
  }

  const bd = R.size.breakdown;
  const sizeRows = [
    ['licverify.wasm, raw', MB(R.size.raw)],
    ['licverify.wasm, gzip -9', MB(R.size.gzip)],
    ['licverify.wasm, brotli (quality 11)', MB(R.size.brotli)],
    [`npm package, packed (.tgz, ${R.size.pack.files} files)`, MB(R.size.pack.packed)],
    ['npm package, unpacked', MB(R.size.pack.unpacked)],
  ];
  const kind = (pkg) =>
    pkg.startsWith('github.com/licverify/') ? 'licverify' : pkg === 'runtime' || pkg.startsWith('runtime/') || pkg.startsWith('internal/runtime') ? 'Go runtime' : /^[a-z0-9]+\.[a-z]+\//.test(pkg) ? 'other modules' : 'standard library and generated';
  const kinds = new Map();
  for (const p of bd.packages) kinds.set(kind(p.name), (kinds.get(kind(p.name)) ?? 0) + p.bytes);
  const kindText = [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${kB(n)} (${((100 * n) / bd.code).toFixed(0)} %)`).join(', ');
  const topPkgs = bd.packages.slice(0, 15).map((p) => [p.name, kB(p.bytes), `${((100 * p.bytes) / bd.code).toFixed(1)} %`]);

  const list = (rows) => rows.map((g) => `${g.pct.toFixed(1).padStart(5)} %  ${g.name}`).join('\n');
  const share = (p, re) => (p ? p.groups.filter((g) => re.test(g.name)).reduce((a, g) => a + g.pct, 0) : null);
  const P = R.profiles;
  // The wasm build verifies, and checks keys, with internal/ed25519wasm
  // (32-bit limbs).
  const field = (p) => share(p, /(edwards25519\/field|internal\/ed25519wasm)$/);
  const fmtPct = (x) => (x == null ? '–' : `${x.toFixed(0)} %`);
  const code = (text) => '```\n' + text + '\n```';

  const md = `# licverify benchmark results

Written by \`make bench\` (bench/run.mjs) on ${date}, in ${R.elapsed.toFixed(0)} s.

- Machine: ${machine}. It is shared and noisy: every figure is a median, and every ratio is taken within this one run.
- Versions: Go ${versions.go}, wazero ${versions.wazero}, Node ${versions.node}, Chromium ${versions.chromium ?? '– (' + R.chromiumSkipped + ')'} through playwright-core ${versions['playwright-core']}, Python ${versions.python ?? '– (' + R.pythonSkipped + ')'} with wasmtime ${versions.wasmtime ?? '–'}; licverify ${versions.licverify} at commit ${versions.commit}${versions.dirty ? ' (with uncommitted changes)' : ''}; references: @noble/ed25519 ${versions['@noble/ed25519']}, @noble/hashes ${versions['@noble/hashes']}, canonicalize ${versions.canonicalize}.
- Inputs: the requests of the test vectors ${meta.latency.map((x) => `\`${x.vector}\` (${x.bytes} bytes)`).join(', ')}, the same bytes in every runtime; revocation sets of ${meta.sets.map((x) => x.ids.toLocaleString('en-US')).join(' / ')} ids written by bench/gen and signed with a fixed-seed key.

## Targets

${table(['target', 'goal', 'measured', 'result'], targets)}

### Issue 14's targets

${table(['target', 'goal', 'now', 'result'], i14)}

Where a target is missed, [what dominates](#where-targets-are-missed-and-what-dominates) is below, from profiles of this run.

## Latency: median time per verification

${table(['job', ...runtimes.map(([, l]) => l)], latencyRows)}

${png ? '![latency chart](chart.png)' : '![latency chart](chart.svg)'}

Ratios, within this run:

${table(['job', 'wazero ÷ native', 'Node wasm ÷ native', 'Chromium wasm ÷ native', 'pure JS ÷ wasm (Node)', 'pure JS ÷ wasm (Chromium)', 'Node wasm ÷ node:crypto', 'Python wasm ÷ native'], ratioRows)}

- *native Go* is \`api.Handle\` on the same request bytes: the request codec, parsing the keyring and verifying, which is exactly what the module runs. A Go program that calls \`verify.StatusProof\` with a keyring parsed once takes ${fmtMs(R.nativeTyped)} per status proof; wasm in Node takes ${fmtX(ratio(sp.node, R.nativeTyped))} that.
- The *wasm* columns send the same request through \`host.Verifier.Call\` (wazero) and the npm package's \`call()\` (Node, Chromium).
- *pure JS* (\`@noble/ed25519\` in its RFC 8032 mode, with \`@noble/hashes\` for SHA-512, and \`canonicalize\`) and *node:crypto* (\`crypto.verify\`, which is OpenSSL, with the same JS canonicalization) do the status-proof job only: parse the request, the keyring and the proof, canonicalize the proof without its signature, verify the signature, and check the status and times. They skip what licverify adds (the strict I-JSON pre-pass, weak-key checks, field validation, the claims), so they do less work.
- Each figure is the median over rounds, and each round is the mean of many calls made after a warm-up. For Go, it is the median of the \`-count\` runs of \`testing.B\`.

## Start-up

${table(['step', 'median'], startupRows)}

## Size

${table(['artifact', 'size'], sizeRows)}

The module has ${kB(bd.code)} of code and ${kB(bd.data)} of data (Go's type and function tables, constants). This is from the same source built with its name section. The code splits into ${kindText}. By package, largest first:

${table(['package', 'code', 'share of code'], topPkgs)}

${R.dashboard ? `## Dashboard: ${R.dashboard.proofs.toLocaleString('en-US')} status proofs in a page

The dashboard example (\`examples/dashboard/\`) in Chromium: a keyring and a revocation set loaded once in a Web Worker, then ${R.dashboard.proofs.toLocaleString('en-US')} status proofs (bench fixtures from \`examples/dashboard/gen.mjs\`) verified there, one set lookup per batch, and their rows drawn by the page as the batches arrive. Medians of ${R.dashboard.runs} runs, each a new page; the longest task and gap are the worst run's.

${table(['measure', 'value'], [
  ['click → full table (the frame after the last row)', fmtMs(R.dashboard.fullTableMs)],
  ['the worker: fetch, verify, look up', `${fmtMs(R.dashboard.workerMs)} (${R.dashboard.progressEvents} progress events)`],
  ['longest main-thread task (PerformanceObserver longtask)', dashboardText(R.dashboard).longest],
  ['longest gap of a 10 ms timer on the main thread (also the OS scheduler\'s: a gap with no long task is time the thread was not running)', fmtMs(R.dashboard.maxGap)],
  ['rows: valid / warn / rejected', `${R.dashboard.counts.valid} / ${R.dashboard.counts.warn} / ${R.dashboard.counts.rejected}`],
])}

` : ''}## Scale: revocation sets

${table(['ids', 'document', 'runtime', 'verify', '÷ native', 'first verify', 'wasm memory (÷ document)', 'peak RSS', 'RSS afterwards', 'lookup of one id'], scaleRows)}

- *verify* uses the typed entry point that each runtime's users call: \`verify.RevocationSet\` (Go, with the document already in memory), \`host.Verifier.RevocationSet\` (wazero), and the npm package's \`verifyRevocationSet\` (Node, Chromium). Each one builds the request, copies it into the module and verifies it. The figure is the median of ${setRepsText(meta)} runs made after a warm-up of at least a second. *first verify* is the first call on a new instance in Node and Chromium, before V8 has optimized the code. It is what an application pays the first time it checks a set.
- *wasm memory* is the linear memory of the instance after it verified the set. WebAssembly memory never shrinks, so this is also the peak. *peak RSS* is the high-water mark of the process (for Chromium, of the renderer), with a new process for each size.
- *lookup* looks up one id in a set that was loaded once (\`LoadRevocationSet\` / \`loadRevocationSet\`) by sending a small request to the instance that holds the set. Natively it is \`VerifiedSet.Lookup\`.

## The baseline: ${BASELINE}, the last release before ABI 2

The module committed at \`host/licverify.wasm\` in ${BASELINE}, measured in this run beside the current one. It speaks ABI 1: a JSON request with the documents inside JSON strings, which is the test vectors' JSON form as it is. In Node it is called through that release's own ABI 1 caller (\`js/lib/instance.js\`, extracted into bench/out/baseline/); its set request is \`JSON.stringify\`'d around the set text on every call, as its package did. In Chromium, the first-result page runs on that release's package and module.${st.baseline ? ` ${startupBaselineText(R)}` : ''}

${table(['figure', `baseline (${BASELINE})`, 'now', 'now ÷ baseline'], baseRows)}

## A forged 64 MiB revocation set

A set a forger can write without the key: the members of a genuine set, an empty \`revoked_ids\`, a signature that does not verify, and ${(meta.big?.[0]?.members ?? 0).toLocaleString('en-US')} small members (\`"a0b1":0\`) filling it to ${MB(meta.big?.[0]?.bytes ?? 0)}, just under the 64 MiB limit of a revocation document. Beside it, a genuine set of the same size. Each figure is one verification in a new process (an instance made before the clock starts), stopped after ${BIG_LIMIT_MS / 60000} min; wazero runs with a memory limit of 4 GiB (the most wasm32 addresses), Node with the package's defaults. *wasm memory* is the instance's linear memory after the verdict (in wazero from host.Verifier.MemoryBytes), *peak RSS* the process's high-water mark; each is also given ÷ the document.

${table(['set', 'runtime', 'verdict', 'time to verdict', 'forged ÷ genuine', 'wasm memory (÷ document)', 'peak RSS (÷ document)'], bigRows)}${staleModuleNote(R)}

## Throughput: status proofs per second through one host

${table(['goroutines', 'wazero (one host.Verifier, MaxInstances = goroutines)', 'native api.Handle'], R.throughput.map((t) => [String(t.g), `${t.wazero.toFixed(0)} /s`, `${t.native.toFixed(0)} /s`]))}

This machine has ${cpu.length} logical CPUs, so 4 goroutines cannot do better than ${Math.min(cpu.length, 4)}.

## Where targets are missed, and what dominates

The profiles come from this run. For Node, V8's \`--cpu-prof\` ran on the module built with its name section. That is the same code as the shipped, stripped module. For Chromium, the DevTools profiler ran on the same module. For Go, \`go tool pprof\` ran on the benchmarks. Shares are of self time.

**Status proof in wasm** (Node ${fmtX(rNode)}, Chromium ${fmtX(rChromium)}, wazero ${fmtX(rWazero)} native; pure JS in Chromium ${fmtMs(sp['purejs-chromium'])} against wasm ${fmtMs(sp.chromium)}): Ed25519 on curve25519 dominates. It takes ${fmtPct(field(P.nodeStatusProof))} of the time in Node and ${fmtPct(field(P.chromiumStatusProof))} in Chromium: the signature check (internal/ed25519wasm, the wasm build's own verify-only Ed25519) takes ${fmtPct(share(P.nodeStatusProof, /internal\/ed25519wasm$/))} in Node, mostly its field multiplication and squaring (fe.mul, fe.squareN) with 32-bit limbs, which is already about 1.4 times faster there than Go's portable field code; native Go runs assembly for the same operations. The keyring's weak-key check is not in it: keys travel in every request, but the codec keeps the keyrings that loaded (RATIONALE.md), so a keyring is checked once, not per request. The rest is the Go runtime's allocator, the strict pre-pass and canonical form, the request codec and the result writer (internal/jsontext), and the JavaScript that frames the request, below.

Node, by package:

${code(list(P.nodeStatusProof.groups))}

Node, by function:

${code(list(P.nodeStatusProof.functions))}

${P.chromiumStatusProof ? `Chromium, by package:\n\n${code(list(P.chromiumStatusProof.groups))}\n\nChromium, by function:\n\n${code(list(P.chromiumStatusProof.functions))}\n` : ''}
Native Go (\`go tool pprof -top\`):

${code(R.profiles.native)}

wazero: the module's compiled code is a single opaque frame to pprof, and the rest is the host side:

${code(R.profiles.wazero)}

**.wasm size** (${MB(R.size.gzip)} gzip, ${MB(R.size.brotli)} brotli): the code is ${kindText}. The data section adds ${kB(bd.data)}. See the table of packages under Size.

${st.chromium ? `**Chromium start-up** (${fmtMs(st.chromium.fromWasmFetch)} from the module fetch to the first result): ${phaseText(st.chromium.phases, [['compile', 'download and streaming compile'], ['instantiate', 'init (instantiation and the Go runtime start)'], ['call', 'the first call (before V8 has optimized it)']])}.\n` : ''}
**Node start-up** (${fmtMs(st.node.inProcess)}): ${phaseText(st.node.phases, [['boot', 'Node itself'], ['import', 'import'], ['compile', 'compile'], ['instantiate', 'init'], ['call', 'first call']])}.

${st.baseline ? `${startupDominates(R)}\n\n` : ''}**wazero start-up with a warm cache** (${fmtMs(st.processWarm.wall)} per process; host.New takes ${fmtMs(st.processWarm.newMs)}, the first call ${fmtMs(st.processWarm.firstCallMs)}): this is \`go tool pprof -top\` of loading the compiled module from a warm cache many times, in a process that did not write the cache. wazero decodes the module and validates every function body (validateFunctionWithMaxStackValues) on each load, cache hit or not, so the load follows the module's code size; system calls are the cache's reads and maps, with the copy of the cache directory that each iteration makes.

${code(R.startup.warmProfile)}

**100,000-id revocation set in Node** (${fmtMs(s100?.node.ms)}, first call ${fmtMs(s100?.node.firstMs)}; it stands for the 1,000,000-id set's wasm ÷ native row as well, the same work ten times over): self time by package while verifying it ${quick ? 2 : 5} times:

${code(list(P.nodeSet.groups))}
${R.big?.forged ? `\n${bigDominates(R, meta)}\n` : ''}
## Go benchmarks (raw output, -benchmem)

${code(goLines.map((l) => l.line).join('\n'))}
`;
  writeFileSync(path.join(bench, 'results.md'), md);
}

// setRepsText says how many timed runs each set size had.
function setRepsText(meta) {
  const reps = [...new Set(meta.sets.map((x) => setReps(x.ids)))].sort((a, b) => a - b);
  return reps.length === 1 ? String(reps[0]) : `${reps[0]}–${reps[reps.length - 1]}`;
}

if (mode === 'dashboard') await dashboardOnly();
else if (mode === 'partial') await partial(only);
else if (mode === 'all') await main();
else throw new Error(`run.mjs: unknown mode ${mode} (none, "dashboard", or --only ${PARTS.join(',')})`);
