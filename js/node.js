// licverify for Node and Electron's main process. See index.d.ts for the
// API; browser.js is the same API for browsers and bundlers, node.cjs the
// same for require().

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { makeAPI, compileFrom, fetchModule, missingDefault } from './lib/api.js';

// defaultWasm is licverify.wasm beside this file, found by init() rather
// than on import: a bundle without import.meta (cjs output) cannot say.
function defaultWasm() {
  try {
    return new URL('./licverify.wasm', import.meta.url);
  } catch (err) {
    throw missingDefault(err);
  }
}

// compile reads file: URLs and paths with fs (fetch cannot read files in
// Node) and hands everything else to the shared loader.
async function compile(source) {
  if (source === undefined) {
    const file = fileURLToPath(defaultWasm());
    return compileFrom(
      readFile(file).catch((err) => {
        if (err?.code !== 'ENOENT') throw err;
        throw Object.assign(new Error(`licverify: the package has no module: ${file} is missing; install the package again, or pass init({ wasm })`, { cause: err }), { code: err.code });
      }),
      file,
    );
  }
  if (typeof source === 'string') {
    source = /^[a-z][a-z0-9+.-]+:/i.test(source) ? new URL(source) : source;
  }
  if (typeof source === 'string') return compileFrom(readFile(source), source);
  if (source instanceof URL) {
    if (source.protocol === 'file:') return compileFrom(readFile(fileURLToPath(source)), fileURLToPath(source));
    return fetchModule(source);
  }
  return compileFrom(source);
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
export { createSessionStore } from './lib/session-node.js';
export { createEpochStore, collectFingerprint } from './lib/node-host.js';
export { collectQuantumMetaMachineId } from './lib/quantummeta.js';
