// licverify for browsers, web workers, Electron renderers and bundlers.
// See index.d.ts for the API; node.js is the same API for Node.

import { makeAPI, compileFrom } from './lib/api.js';

// Bundlers recognize this pattern and ship the .wasm with the bundle.
const defaultWasm = new URL('./licverify.wasm', import.meta.url);

async function compile(source) {
  source ??= defaultWasm;
  if (typeof source === 'string' || source instanceof URL) return compileFrom(fetch(source));
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
export { createEpochStore, collectFingerprint, collectQuantumMetaMachineId } from './lib/browser-host.js';
