// licverify for browsers, web workers, Electron renderers and bundlers.
// See index.d.ts for the API; node.js is the same API for Node.

import { makeAPI, compileFrom, fetchModule, missingDefault } from './lib/api.js';

// defaultWasm is licverify.wasm beside this file. Bundlers recognize the
// pattern and ship the .wasm with the bundle. It is evaluated by init(),
// never on import: in a bundle without import.meta (an iife or cjs
// output) it throws, and importing the package must not.
function defaultWasm() {
  try {
    return new URL('./licverify.wasm', import.meta.url);
  } catch (err) {
    throw missingDefault(err);
  }
}

async function compile(source) {
  source ??= defaultWasm();
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(source, globalThis.location?.href);
    if (url.protocol === 'file:') return compileFrom(readFileURL(url), url.href);
    return fetchModule(url);
  }
  return compileFrom(source);
}

// readFileURL reads a file: URL, which fetch cannot in Chromium. A page
// allowed to read files (an Electron renderer with its file: privileges,
// a browser started with --allow-file-access-from-files) can with
// XMLHttpRequest; any other gets an error saying what to do instead.
function readFileURL(url) {
  if (typeof XMLHttpRequest !== 'function') return fetch(url).catch((err) => Promise.reject(unreadable(url, err)));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url.href);
    xhr.responseType = 'arraybuffer';
    xhr.onload = () => (xhr.response instanceof ArrayBuffer ? resolve(xhr.response) : reject(unreadable(url)));
    xhr.onerror = () => reject(unreadable(url));
    xhr.send();
  });
}

function unreadable(url, cause) {
  return new Error(
    `licverify: this page cannot read ${url}: it is missing, or the page may not read files, as a page loaded from a file: URL may not ` +
      '(in Electron, when the GrantFileProtocolExtraPrivileges fuse is off). Read licverify.wasm in the main process ' +
      "and pass its bytes to init({ wasm }) through a preload script (the package README's Electron section), " +
      'or serve the page over http(s) or a custom protocol',
    cause === undefined ? undefined : { cause },
  );
}

export const {
  init,
  createVerifier,
  call,
  canonicalize,
  fingerprintHash,
  verifyStatusProof,
  verifyRevocationSet,
  loadRevocationSet,
  applyRevocationDelta,
  evaluateLicense,
  verifyQKey,
  plan,
  accept,
  createSession,
} = makeAPI(compile);

export { Verifier, LicverifyError, ModuleCrash } from './lib/api.js';
export { httpTransport } from './lib/transport.js';
export { createSessionStore } from './lib/session-browser.js';
export { createEpochStore, collectFingerprint, collectQuantumMetaMachineId } from './lib/browser-host.js';
