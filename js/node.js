// licverify for Node and Electron's main process. See index.d.ts for the
// API; browser.js is the same API for browsers and bundlers.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { makeAPI, compileFrom } from './lib/api.js';

const defaultWasm = new URL('./licverify.wasm', import.meta.url);

// compile reads file: URLs and paths with fs (fetch cannot read files in
// Node) and hands everything else to the shared loader.
async function compile(source) {
  source ??= defaultWasm;
  if (typeof source === 'string') {
    source = /^[a-z][a-z0-9+.-]+:/i.test(source) ? new URL(source) : source;
  }
  if (typeof source === 'string') return compileFrom(readFile(source));
  if (source instanceof URL) {
    if (source.protocol === 'file:') return compileFrom(readFile(fileURLToPath(source)));
    return compileFrom(fetch(source));
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
} = makeAPI(compile);

export { Verifier, LicverifyError, ModuleCrash } from './lib/api.js';
export { createEpochStore, collectFingerprint } from './lib/node-host.js';
export { collectQuantumMetaMachineId } from './lib/quantummeta.js';
