// The packed package in apps that Vite builds (base './', as Electron
// renderers use it), run in Chromium: an ES module build and an iife one,
// from a local http server, from a server with an SPA fallback, and from
// file: URLs in a Chromium that may not read files (a packaged renderer
// without file privileges) and in one that may (--allow-file-access-from-
// files, as an Electron renderer with them). And the README's Electron
// recipe as it is written there: main.js and preload.js in Node with
// stand-ins for Electron's modules, renderer.js built with its
// vite.config.js (an iife bundle) and opened from a file: URL in the
// Chromium that may not read files.
// Needs Debian's /usr/bin/chromium and the pinned vite devDependency; where
// either is missing the tests say they were skipped, and under CI=true
// that is a failure.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { serve } from '../demo/serve.js';
import { js, out } from './paths.js';
import { importInstalled, prepared } from './prepared.js';
import { snippets } from './snippets.js';
import { loadVectors } from './vectors.js';
import { chromiumFlags, chromiumPath } from './chromium.js';

const flags = chromiumFlags;

let chromium = null;
let vite = null;
try {
  ({ chromium } = await import('playwright-core'));
  vite = await import('vite');
} catch {
  // reported below
}
const missing = !existsSync(chromiumPath)
  ? `${chromiumPath} not found (apt-get install chromium)`
  : chromium === null || vite === null
    ? 'playwright-core or vite is not installed (npm ci)'
    : null;
if (missing !== null) {
  const msg = `bundlers: skipped: ${missing}`;
  console.log(msg);
  if (process.env.CI === 'true') test('chromium and vite are installed (required under CI=true)', () => assert.fail(msg));
}
const skip = missing !== null;

const readme = readFileSync(path.join(js, 'README.md'), 'utf8');
const dir = path.join(out, 'bundlers');
const electronApp = path.join(dir, 'electron-app');

// The README's snippet whose first line is first.
function readmeSnippet(first) {
  const found = snippets(readme).filter((s) => s.code.startsWith(first));
  assert.equal(found.length, 1, `README.md has one snippet starting ${JSON.stringify(first)}`);
  return found[0].code;
}

// The way the README gives an iife or cjs bundle the module's URL.
const readmeURL = "new URL('licverify.wasm', document.baseURI)";

// A plain valid status proof of the vectors: {keys, now, proof}.
function aValidProof() {
  const v = loadVectors().find((x) => {
    const r = JSON.parse(x.request);
    return r.op === 'status_proof' && x.expected.valid && !x.pad && Object.keys(r).sort().join(',') === 'keys,now,op,proof';
  });
  assert.ok(v, 'a plain valid status proof vector');
  return JSON.parse(v.request);
}

// In an iife bundle, Vite's index.html still loads it with <script
// type="module" crossorigin>, which a file: page that may not read files
// may not load; the README's vite.config.js for an Electron renderer
// loads it with a classic script, as this does.
const classicScript = {
  name: 'classic-script',
  transformIndexHtml: (html) => html.replace(/<script type="module" crossorigin/g, '<script defer'),
};

async function viteBuild(root, outDir, format) {
  await vite.build({
    configFile: false,
    root,
    base: './',
    logLevel: 'silent',
    plugins: format === 'iife' ? [classicScript] : [],
    build: { outDir, emptyOutDir: true, rolldownOptions: { output: { format } } },
  });
}

let plain; // a Chromium whose file: pages may not read files
let files; // one whose file: pages may (--allow-file-access-from-files)
const servers = [];
let base;
let spaBase;
const pageErrors = [];

before(async () => {
  if (skip) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(prepared().installed, path.join(dir, 'node_modules', 'licverify'), 'dir');

  // A minimal app: the package on window, and the module copied into
  // public/ as the README's bundler section says.
  const app = path.join(dir, 'app');
  mkdirSync(path.join(app, 'public'), { recursive: true });
  writeFileSync(path.join(app, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<title>app</title>\n<script type="module" src="./main.js"></script>\n');
  writeFileSync(path.join(app, 'main.js'), "import * as lv from 'licverify';\n\nwindow.lv = lv;\n");
  copyFileSync(path.join(dir, 'node_modules', 'licverify', 'licverify.wasm'), path.join(app, 'public', 'licverify.wasm'));
  for (const format of ['es', 'iife']) await viteBuild(app, path.join(dir, `dist-${format}`), format);

  // The README's Electron recipe: its renderer.js bundled into the app's
  // dist/, its main.js and preload.js beside, Electron's modules stood in
  // for.
  const renderer = path.join(dir, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(
    path.join(renderer, 'index.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<title>renderer</title>\n<button id="check">check</button>\n<script type="module" src="./renderer.js"></script>\n',
  );
  writeFileSync(path.join(renderer, 'renderer.js'), readmeSnippet('// renderer.js'));
  writeFileSync(path.join(renderer, 'vite.config.js'), readmeSnippet('// vite.config.js'));
  await vite.build({ configFile: path.join(renderer, 'vite.config.js'), root: renderer, logLevel: 'silent', build: { outDir: path.join(electronApp, 'dist'), emptyOutDir: true } });
  writeFileSync(path.join(electronApp, 'package.json'), JSON.stringify({ name: 'app', main: 'main.js', type: 'commonjs' }) + '\n');
  writeFileSync(path.join(electronApp, 'main.js'), readmeSnippet('// main.js: the main process reads the module'));
  writeFileSync(path.join(electronApp, 'preload.js'), readmeSnippet('// preload.js'));
  const stub = path.join(electronApp, 'node_modules', 'electron');
  mkdirSync(stub, { recursive: true });
  writeFileSync(path.join(stub, 'index.js'), electronStandIn);
  symlinkSync(prepared().installed, path.join(electronApp, 'node_modules', 'licverify'), 'dir');

  const s = await serve(dir, 0);
  servers.push(s);
  base = `http://127.0.0.1:${s.address().port}`;
  // A server that answers every path it has no file for with the app's
  // page, and has no .wasm: a deployment that left the module out.
  const esDist = path.join(dir, 'dist-es');
  const spa = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(esDist, rel === '/' ? 'index.html' : rel);
    const found = file.startsWith(esDist + path.sep) && !file.endsWith('.wasm') && existsSync(file);
    const served = found ? file : path.join(esDist, 'index.html');
    const type = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8' }[path.extname(served)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(readFileSync(served));
  });
  await new Promise((resolve) => spa.listen(0, '127.0.0.1', resolve));
  servers.push(spa);
  spaBase = `http://127.0.0.1:${spa.address().port}`;

  plain = await chromium.launch({ executablePath: chromiumPath, headless: true, args: flags });
  files = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...flags, '--allow-file-access-from-files'] });
});

after(async () => {
  await plain?.close();
  await files?.close();
  for (const s of servers) s.close();
});

// Electron's modules as main.js and preload.js use them: ipcMain.handle
// and ipcRenderer.invoke meet in this process; contextBridge keeps what is
// exposed for the test to hand to the page.
const electronStandIn = `// A stand-in for Electron's modules, written by test/bundlers.test.js.
const handlers = new Map();
const exposed = {};
const windows = [];
exports.app = { whenReady: () => Promise.resolve() };
exports.BrowserWindow = class BrowserWindow {
  constructor(options) { this.options = options; this.file = null; windows.push(this); }
  loadFile(file) { this.file = file; return Promise.resolve(); }
};
exports.ipcMain = { handle: (channel, fn) => handlers.set(channel, fn) };
exports.ipcRenderer = { invoke: async (channel, ...args) => handlers.get(channel)({}, ...args) };
exports.contextBridge = { exposeInMainWorld: (key, api) => { exposed[key] = api; } };
exports.standIn = { handlers, exposed, windows };
`;

async function open(browser, url) {
  const page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${url}: ${err.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.lv !== undefined || document.querySelector('#check') !== null);
  return page;
}

// initAndVerify calls init(options) in the page (options.wasm given as
// the text of an expression evaluated there) and verifies a proof; it
// returns the code, or the error init() rejected with.
async function initAndVerify(page, wasm) {
  return page.evaluate(
    async ({ wasm, proof }) => {
      const lv = window.lv;
      try {
        await lv.init(wasm === undefined ? undefined : { wasm: (0, eval)(wasm) });
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
      return lv.verifyStatusProof(proof.proof, { keys: proof.keys, now: proof.now }).code;
    },
    { wasm, proof: aValidProof() },
  );
}

const fileURL = (f) => pathToFileURL(path.join(dir, f)).href;

test('a Vite es build: init() finds the module over http and from a file: page that may read files', { skip }, async () => {
  const page = await open(plain, `${base}/dist-es/index.html`);
  assert.equal(await initAndVerify(page), 'ok');
  await page.close();

  const local = await open(files, fileURL('dist-es/index.html'));
  assert.equal(await initAndVerify(local), 'ok');
  await local.close();
});

test('a server that answers the .wasm with its app page (an SPA fallback): init() says what came from where', { skip }, async () => {
  const page = await open(plain, `${spaBase}/`);
  const got = await initAndVerify(page);
  assert.match(
    got,
    new RegExp(
      `^Error: licverify: ${spaBase}/assets/licverify-[\\w-]+\\.wasm is not a WebAssembly module: the server answered 200 text/html; charset=utf-8: ` +
        '\\d+ bytes beginning "<!doctype html>.*: an HTML page, as a server that answers every path with its app \\(an SPA fallback\\)',
    ),
  );
  await page.close();
});

test("a Vite iife build: importing never throws; init() says it cannot find the module, and takes the README's URL", { skip }, async () => {
  assert.ok(readme.includes(readmeURL), `README.md gives ${readmeURL}`);
  const cannotTell = /^Error: licverify: cannot tell where licverify\.wasm is: .*Invalid base URL.*iife or cjs.*init\(\{ wasm \}\)/;

  const page = await open(plain, `${base}/dist-iife/index.html`);
  assert.match(await initAndVerify(page), cannotTell);
  assert.equal(await initAndVerify(page, readmeURL), 'ok');
  await page.close();

  // From a file: URL in a Chromium that may read files, the same URL works;
  // in one that may not, init() names it and says what to do.
  const readable = await open(files, fileURL('dist-iife/index.html'));
  assert.match(await initAndVerify(readable), cannotTell);
  assert.equal(await initAndVerify(readable, readmeURL), 'ok');
  await readable.close();

  const unreadable = await open(plain, fileURL('dist-iife/index.html'));
  assert.equal(
    await initAndVerify(unreadable, readmeURL),
    `Error: licverify: this page cannot read ${fileURL('dist-iife/licverify.wasm')}: it is missing, or the page may not read files, ` +
      'as a page loaded from a file: URL may not (in Electron, when the GrantFileProtocolExtraPrivileges fuse is off). ' +
      "Read licverify.wasm in the main process and pass its bytes to init({ wasm }) through a preload script (the package README's Electron section), " +
      'or serve the page over http(s) or a custom protocol',
  );
  await unreadable.close();
});

test("the README's Electron recipe: the renderer, an iife bundle on a file: page that may not read files, verifies with the main process's bytes", { skip }, async () => {
  const require = createRequire(path.join(electronApp, 'main.js'));
  require('./main.js');
  await new Promise((resolve) => setImmediate(resolve)); // app.whenReady().then(...)
  const { exposed, windows } = require('electron').standIn;
  assert.equal(windows.length, 1, 'main.js opened a window');
  const win = windows[0];
  require(win.options.webPreferences.preload);
  assert.equal(typeof exposed.licverifyWasm, 'function', 'preload.js exposed licverifyWasm');

  const page = await plain.newPage();
  page.on('pageerror', (err) => pageErrors.push(`renderer: ${err.message}`));
  // What contextBridge does: the function runs in the preload's world, and
  // its result (a Buffer from the main process, which IPC delivers as a
  // Uint8Array) is copied into the page's.
  await page.exposeFunction('preloadLicverifyWasm', async () => Buffer.from(await exposed.licverifyWasm()).toString('base64'));
  await page.addInitScript(() => {
    window.licverifyWasm = async () => Uint8Array.from(atob(await window.preloadLicverifyWasm()), (c) => c.charCodeAt(0));
  });
  const { keys, now, proof } = aValidProof();
  const lv = await importInstalled();
  await lv.init();
  const want = lv.verifyStatusProof(proof, { keys, now });
  assert.equal(want.valid, true);
  // The snippet verifies the page's proofText with keyringText at the
  // current time: the page's clock is set to the vector's.
  await page.clock.setFixedTime(new Date(now));
  await page.goto(pathToFileURL(path.resolve(electronApp, win.file)).href);
  await page.evaluate(({ keys, proof }) => {
    window.proofText = proof;
    window.keyringText = keys;
  }, { keys, proof });
  const logged = page.waitForEvent('console', { predicate: (m) => /^(valid until|rejected)/.test(m.text()), timeout: 60_000 });
  await page.click('#check');
  assert.equal((await logged).text(), `valid until ${want.valid_until}`);
  await page.close();
});

test('no page errors', { skip }, () => {
  assert.deepEqual(pageErrors, []);
});
