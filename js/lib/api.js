// The module-level API shared by the Node and browser entry points. Each
// entry point supplies how to compile the module from a source; everything
// else is the same code in every runtime.

import { Verifier, LicverifyError } from './verifier.js';
import { ModuleCrash } from './instance.js';

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
  };
}

/**
 * compileFrom turns what a runtime fetched into a module: a Module as is,
 * bytes compiled, a Response (or a promise of one) streamed when it is
 * served as application/wasm.
 */
export async function compileFrom(source) {
  source = await source;
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return WebAssembly.compile(source);
  }
  if (typeof Response === 'function' && source instanceof Response) {
    if (!source.ok) {
      throw new Error(`licverify: fetching the module failed: ${source.status} ${source.statusText} ${source.url}`);
    }
    const type = source.headers.get('content-type') ?? '';
    if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(source);
    }
    return WebAssembly.compile(await source.arrayBuffer());
  }
  throw new TypeError('licverify: init({wasm}) takes a URL, bytes, a Response or a WebAssembly.Module');
}

export { Verifier, LicverifyError, ModuleCrash };
