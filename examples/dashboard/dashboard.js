// The dashboard's page: inputs, the table, the chart and the filters. It
// never touches the verifier: worker.js owns the licverify module, and the
// page only draws the rows it posts, batch by batch, so that it stays
// responsive however many documents there are.
//
// ?sample=<url> names another sample bundle (make bench uses 10,000 proofs).

const $ = (id) => document.getElementById(id);
const sampleURL = new URLSearchParams(location.search).get('sample') ?? new URL('data/samples.json', import.meta.url).href;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const rowsEl = $('rows');
const counts = { all: 0, valid: 0, warn: 0, rejected: 0 };

// What tests and `make bench` read: the progress events as they arrived,
// and the run's timings (also performance marks "dashboard:*").
const state = { progress: [], rows: [], scope: null, metrics: null };
window.dashboard = state;

let versions = 0;
let keyring = null; // {name, version, data: File}
let set = null;
let documents = []; // [{name, data: File}]
let startedAt = 0;
// A row's height, for the size of a batch not drawn yet.
const ROW_PX = 23;

// ---------------------------------------------------------------- formatting

// 12,345: by hand, since the first toLocaleString() of a page loads the
// locale data, a long task of its own.
const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

// A time as "2026-03-02 11:00" (UTC), the exact value in datetime.
function timeCell(td, value) {
  if (value === null) {
    td.textContent = '—';
    td.classList.add('muted');
    return;
  }
  const t = document.createElement('time');
  t.dateTime = value;
  t.textContent = value.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, '');
  td.append(t);
}

function cell(tr, text, className) {
  const td = document.createElement('div');
  td.className = className ? `cell ${className}` : 'cell';
  td.setAttribute('role', 'cell');
  if (text !== undefined) td.textContent = text;
  tr.append(td);
  return td;
}

// rowElement draws one row. Every text goes in as text: a document's
// members never become markup.
function rowElement(r) {
  const tr = document.createElement('div');
  tr.className = 'row';
  tr.setAttribute('role', 'row');
  tr.dataset.verdict = r.verdict;
  tr.dataset.code = r.code;
  tr.dataset.name = r.name;
  tr.title = `${r.name}: ${r.message}`;
  const id = cell(tr, undefined, 'id');
  if (r.license_id !== null) id.textContent = r.license_id;
  else {
    // No verified claims: the file is all there is to name it by.
    const span = document.createElement('span');
    span.className = 'file';
    span.textContent = r.name;
    id.append(span);
  }
  cell(tr, r.kind === 'license' ? 'license' : 'proof');
  cell(tr, r.status ?? '—', r.status === null ? 'muted' : '');
  const verdict = cell(tr, undefined, 'verdict');
  const badge = document.createElement('span');
  badge.textContent = r.verdict;
  verdict.append(badge);
  cell(tr, r.code, 'code');
  timeCell(cell(tr, undefined, 'expires'), r.expires);
  timeCell(cell(tr, undefined, 'refresh'), r.refresh);
  const s = cell(tr, undefined, `set set-${r.set ?? 'none'}`);
  s.dataset.set = r.set ?? '';
  if (r.set === 'suspended') {
    const t = document.createElement('time');
    t.dateTime = r.until;
    t.textContent = r.until.slice(0, 10);
    s.append('suspended until ', t);
  } else {
    s.textContent = r.set === null ? '—' : r.set === 'revoked' ? 'revoked' : 'not revoked';
  }
  return tr;
}

function showCounts() {
  for (const el of document.querySelectorAll('[data-count]')) el.textContent = String(counts[el.dataset.count]);
}

// ---------------------------------------------------------------- chart

const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const HOUR = 3600_000;
const steps = [
  [HOUR, 'hour'],
  [6 * HOUR, '6 hours'],
  [24 * HOUR, 'day'],
  [7 * 24 * HOUR, 'week'],
  [30 * 24 * HOUR, '30 days'],
  [365 * 24 * HOUR, 'year'],
];

// histogram draws expiries as bars stacked by verdict: from the earliest
// expiry (or now) to the latest, in buckets of the smallest step that
// makes at most 60 of them, with a line at now.
function histogram(times, now, title) {
  let lo = Math.min(...times.map((x) => x.t), now);
  const hi = Math.max(...times.map((x) => x.t), now);
  const [step, unit] = steps.find(([s]) => (hi - lo) / s <= 60) ?? steps[steps.length - 1];
  lo = Math.floor(lo / step) * step;
  const n = Math.max(1, Math.ceil((hi - lo + 1) / step));
  const buckets = Array.from({ length: n }, () => ({ valid: 0, warn: 0, rejected: 0 }));
  for (const { t, v } of times) buckets[Math.min(n - 1, Math.floor((t - lo) / step))][v]++;
  const max = Math.max(...buckets.map((b) => b.valid + b.warn + b.rejected));

  const W = 600;
  const H = 200;
  const left = 38;
  const right = 10;
  const top = 22;
  const bottom = 30;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const bw = plotW / n;
  const y = (c) => top + plotH - (plotH * c) / max;
  const x = (t) => left + (plotW * (t - lo)) / (n * step);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img' });
  root.append(svg('title', {}, `${title}: ${times.length} expiries, one bar per ${unit}`));
  root.append(svg('text', { class: 'chart-title', x: 0, y: 12 }, `${title} — one bar per ${unit}`));
  // Horizontal grid: about four lines, at whole counts.
  const tick = Math.max(1, Math.ceil(max / 4));
  for (let c = 0; c <= max; c += tick) {
    root.append(svg('line', { class: 'grid-line', x1: left, x2: W - right, y1: y(c), y2: y(c) }));
    root.append(svg('text', { x: left - 6, y: y(c) + 4, 'text-anchor': 'end' }, String(c)));
  }
  buckets.forEach((b, i) => {
    let base = 0;
    for (const v of ['valid', 'warn', 'rejected']) {
      if (b[v] === 0) continue;
      const rect = svg('rect', {
        class: `bar ${v}`,
        x: (left + i * bw + (bw > 4 ? 1 : 0)).toFixed(1),
        width: Math.max(1, bw - (bw > 4 ? 2 : 0)).toFixed(1),
        y: y(base + b[v]).toFixed(1),
        height: (y(base) - y(base + b[v])).toFixed(1),
      });
      rect.append(svg('title', {}, `${new Date(lo + i * step).toISOString().slice(0, 16).replace('T', ' ')}: ${b[v]} ${v}`));
      root.append(rect);
      base += b[v];
    }
  });
  root.append(svg('line', { class: 'axis', x1: left, x2: W - right, y1: top + plotH, y2: top + plotH }));
  // Date labels: about five along the axis.
  const every = Math.max(1, Math.ceil(n / 5));
  for (let i = 0; i < n; i += every) {
    const t = new Date(lo + i * step).toISOString();
    const label = step < 24 * HOUR ? `${t.slice(5, 10)} ${t.slice(11, 16)}` : t.slice(0, 10);
    root.append(svg('text', { x: left + i * bw, y: H - bottom + 16 }, label));
  }
  const nx = x(now);
  root.append(svg('line', { class: 'now', x1: nx, x2: nx, y1: top - 4, y2: top + plotH }));
  root.append(svg('text', { class: 'now-label', x: nx + 3, y: top + 4 }, 'now'));
  return root;
}

// drawChart draws one histogram of expiries per kind of document: a
// status proof lives for days, a license for months.
function drawChart(rows, now) {
  const fig = $('chart');
  fig.replaceChildren();
  const panels = document.createElement('div');
  panels.className = 'charts';
  for (const [kind, title] of [
    ['status_proof', 'Status proofs'],
    ['license', 'Licenses'],
  ]) {
    const times = rows.filter((r) => r.kind === kind && r.expires !== null).map((r) => ({ t: Date.parse(r.expires), v: r.verdict }));
    if (times.length > 0) panels.append(histogram(times, now, title));
  }
  fig.append(panels);
  const cap = document.createElement('figcaption');
  const dated = rows.filter((r) => r.expires !== null);
  for (const v of ['valid', 'warn', 'rejected']) {
    const s = document.createElement('span');
    const sw = document.createElement('span');
    sw.className = `swatch ${v}`;
    s.append(sw, `${v} ${dated.filter((x) => x.verdict === v).length}`);
    cap.append(s);
  }
  cap.append(`${rows.length - dated.length} without a verified expiry`);
  fig.append(cap);
}

// ---------------------------------------------------------------- runs

function reset() {
  rowsEl.replaceChildren();
  state.progress = [];
  state.rows = [];
  state.metrics = null;
  for (const k of Object.keys(counts)) counts[k] = 0;
  showCounts();
  $('error').hidden = true;
  $('progress').value = 0;
  $('chart').replaceChildren();
}

function start(message) {
  reset();
  document.body.dataset.state = 'verifying';
  performance.clearMarks();
  performance.mark('dashboard:start');
  startedAt = performance.now();
  $('status').textContent = 'verifying…';
  worker.postMessage(message);
}

function fail(message) {
  document.body.dataset.state = 'error';
  $('error').textContent = message;
  $('error').hidden = false;
  $('status').textContent = '';
}

$('sample').addEventListener('click', () => start({ type: 'verify', sample: sampleURL }));

$('verify').addEventListener('click', () => {
  if (keyring === null) return fail('Choose a keyring first.');
  if (documents.length === 0) return fail('Choose or drop status proofs or licenses.');
  const now = $('now').value.trim() || new Date().toISOString();
  start({ type: 'verify', now, productId: $('product').value.trim() || 'calcpro', keyring, set, documents });
});

// File objects go to the worker as they are: it reads their bytes.
$('keyring').addEventListener('change', (e) => {
  const f = e.target.files[0];
  keyring = f ? { name: f.name, version: ++versions, data: f } : null;
});
$('set').addEventListener('change', (e) => {
  const f = e.target.files[0];
  set = f ? { name: f.name, version: ++versions, data: f } : null;
});
const choose = (files) => {
  documents = Array.from(files, (f) => ({ name: f.name, data: f }));
  $('status').textContent = `${documents.length} file${documents.length === 1 ? '' : 's'} chosen`;
};
$('documents').addEventListener('change', (e) => choose(e.target.files));
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  choose(e.dataTransfer.files);
});

for (const radio of document.querySelectorAll('input[name="filter"]')) {
  radio.addEventListener('change', () => {
    $('table').dataset.filter = radio.value;
  });
}

worker.addEventListener('message', ({ data: m }) => {
  switch (m.type) {
    case 'ready':
      state.scope = m.scope;
      $('verify').disabled = false;
      $('sample').disabled = false;
      $('status').textContent = 'ready';
      document.body.dataset.ready = 'true';
      break;
    case 'sample':
      $('now').value = m.now;
      $('product').value = m.productId;
      $('status').textContent = `sample: ${m.count} documents, keyring ${m.keyring}, set ${m.set}`;
      break;
    case 'set':
      $('set-summary').textContent = m.loaded
        ? `Revocation set ${m.name}: epoch ${m.epoch}, ${m.revoked} revoked, ${m.suspended} suspended, valid until ${m.valid_until.replace('T', ' ')}${m.kid ? `, signed by ${m.kid}` : ''}.`
        : m.code
          ? `Revocation set ${m.name} rejected: ${m.code} (${m.message}); lookups skipped.`
          : 'No revocation set chosen: lookups skipped.';
      break;
    case 'progress': {
      state.progress.push({ done: m.done, total: m.total, at: performance.now() - startedAt });
      // One chunk per batch: off screen, the browser skips its layout and
      // paint, so each batch costs the same however long the table is.
      const chunk = document.createElement('div');
      chunk.className = 'chunk';
      chunk.style.containIntrinsicSize = `auto ${m.rows.length * ROW_PX}px`;
      for (const r of m.rows) {
        chunk.append(rowElement(r));
        counts.all++;
        counts[r.verdict]++;
        state.rows.push(r);
      }
      rowsEl.append(chunk);
      $('progress').max = m.total;
      $('progress').value = m.done;
      $('status').textContent = `${thousands(m.done)} / ${thousands(m.total)} verified`;
      showCounts();
      break;
    }
    case 'done': {
      const now = Date.parse($('now').value.trim() || new Date().toISOString());
      drawChart(state.rows, now);
      // The table is complete once the frame after the last rows is drawn.
      requestAnimationFrame(() =>
        setTimeout(() => {
          performance.mark('dashboard:table');
          const full = performance.measure('dashboard:full-table', 'dashboard:start', 'dashboard:table').duration;
          state.metrics = { total: m.total, workerMs: m.ms, fullTableMs: full, progressEvents: state.progress.length };
          $('status').textContent = `${thousands(m.total)} documents verified in ${(m.ms / 1000).toFixed(2)} s in a Web Worker; table drawn in ${(full / 1000).toFixed(2)} s`;
          document.body.dataset.state = 'done';
        }),
      );
      break;
    }
    case 'error':
      fail(m.code ? `${m.message} (${m.code})` : m.message);
      break;
  }
});
worker.addEventListener('error', (e) => fail(`the verifier's worker failed: ${e.message}`));
