// The module-level API shared by the Node and browser entry points. Each
// entry point supplies how to compile the module from a source; everything
// else is the same code in every runtime.

import { Verifier, LicverifyError } from './verifier.js';
import { ModuleCrash } from './instance.js';
import { makeSession } from './session.js';

/**
 * makeAPI returns the package's functions over compile(source), which
 * turns an init source (or undefined: the .wasm beside the package) into a
 * WebAssembly.Module.
 * @param {(source: unknown) => Promise<WebAssembly.Module>} compile
 */
export function makeAPI(compile) {
  let module = null;
  let verifier = null;
  let pending = null;
  // The default module, compiled once however many verifiers ask for it
  // before init(); forgotten if compiling failed, so that it can be retried.
  let defaultModule = null;

  async function load(options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError('licverify: init options must be an object');
    }
    const source = options?.wasm;
    if (source !== undefined) return compile(source);
    if (module !== null) return module;
    defaultModule ??= compile(undefined).catch((err) => {
      defaultModule = null;
      throw err;
    });
    return defaultModule;
  }

  /**
   * init compiles and instantiates the module once. Later calls return at
   * once; a failed call can be retried.
   */
  function init(options) {
    if (verifier !== null) return Promise.resolve();
    if (pending === null) {
      pending = (async () => {
        const m = await load(options);
        verifier = new Verifier(m);
        module = m;
      })().finally(() => {
        pending = null;
      });
    }
    return pending;
  }

  /** createVerifier returns a verifier with its own module instance. */
  async function createVerifier(options) {
    return new Verifier(await load(options));
  }

  function current() {
    if (verifier === null) {
      throw new LicverifyError('licverify: not initialized: call and await init() before using licverify');
    }
    return verifier;
  }

  return {
    init,
    createVerifier,
    call: (request) => current().call(request),
    canonicalize: (document, options) => current().canonicalize(document, options),
    fingerprintHash: (components) => current().fingerprintHash(components),
    verifyStatusProof: (proof, options) => current().verifyStatusProof(proof, options),
    verifyRevocationSet: (set, options) => current().verifyRevocationSet(set, options),
    loadRevocationSet: (set, options) => current().loadRevocationSet(set, options),
    applyRevocationDelta: (set, deltas, options) => current().applyRevocationDelta(set, deltas, options),
    evaluateLicense: (license, options) => current().evaluateLicense(license, options),
    verifyQKey: (qkey, options) => current().verifyQKey(qkey, options),
    plan: (options) => current().plan(options),
    accept: (fetched, options) => current().accept(fetched, options),
    // A session asks its own verifier, or the one init() made when it checks.
    createSession: (options) => makeSession(options, () => options.verifier ?? current()),
  };
}

/**
 * compileFrom turns what a runtime fetched into a module: a Module as is,
 * bytes compiled, a Response (or a promise of one) streamed when it is
 * served as application/wasm. where names where the bytes came from (a
 * URL or a path): bytes from there that are not WebAssembly are reported
 * with what they were, rather than as the compiler's bare CompileError.
 * @param {unknown} source
 * @param {string} [where]
 */
export async function compileFrom(source, where) {
  source = await source;
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    if (where !== undefined) checkMagic(bytesView(source), where, 'it holds');
    return WebAssembly.compile(source);
  }
  if (typeof Response === 'function' && source instanceof Response) return compileResponse(source, where);
  throw new TypeError('licverify: init({wasm}) takes a URL, bytes, a Response or a WebAssembly.Module');
}

/**
 * missingDefault is the error for a bundle in which licverify.wasm cannot
 * be found beside the package: one without import.meta, where the URL of
 * the package's own file is undefined (an iife or cjs output).
 */
export function missingDefault(err) {
  return new Error(
    `licverify: cannot tell where licverify.wasm is: resolving it against the package's own URL threw ${err?.name}: ${err?.message} ` +
      '(a bundle without import.meta, such as an iife or cjs output, has none). Pass init({ wasm }) its URL, ' +
      "bytes or a WebAssembly.Module (the package README's bundler section)",
    { cause: err },
  );
}

/**
 * fetchModule fetches url and compiles what it answers. A fetch that
 * fails names the URL: the browser's own TypeError ("Failed to fetch")
 * does not.
 * @param {URL} url
 */
export async function fetchModule(url) {
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`licverify: fetching the module from ${url} failed: ${err?.message ?? err}`, { cause: err });
  }
  return compileResponse(res, url.href);
}

async function compileResponse(res, where) {
  const from = res.url || where || 'a Response';
  if (!res.ok) {
    throw new Error(`licverify: fetching the module failed: ${res.status} ${res.statusText} ${from}`);
  }
  const type = res.headers.get('content-type') ?? '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  checkMagic(bytes, from, `the server answered ${res.status} ${type || 'with no content-type'}:`);
  return WebAssembly.compile(bytes);
}

const bytesView = (b) => (b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength));

// Every WebAssembly module begins with "\0asm" (WebAssembly core spec,
// 5.5.16 Modules).
const magic = [0x00, 0x61, 0x73, 0x6d];

// checkMagic throws when bytes from where are not a WebAssembly module,
// saying what they look like: an HTML page is what a server that answers
// every path with its single-page app gives for a file it does not have.
function checkMagic(bytes, where, answered) {
  if (bytes.length >= 4 && magic.every((b, i) => bytes[i] === b)) return;
  const head = bytes.subarray(0, 64);
  // Text is shown as text (less a character cut in two at the end), anything else in hex.
  const text = new TextDecoder().decode(head).replace(/\uFFFD$/, '');
  const printable = !/[\x00-\x08\x0e-\x1f\x7f\uFFFD]/.test(text);
  const looks = printable
    ? JSON.stringify(text) + (bytes.length > head.length ? '…' : '')
    : Array.from(head.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const hint = /^\s*</.test(text)
    ? ': an HTML page, as a server that answers every path with its app (an SPA fallback) gives for a file it lacks. Serve licverify.wasm at that URL, or pass init({ wasm }) where it is'
    : '';
  const what = bytes.length === 0 ? '0 bytes' : `${bytes.length} bytes beginning ${looks}`;
  throw new Error(`licverify: ${where} is not a WebAssembly module: ${answered} ${what}${hint}`);
}

export { Verifier, LicverifyError, ModuleCrash };
