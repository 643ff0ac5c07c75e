// The packed package under the Content Security Policy the README gives
// (test/browser.test.js serves this page with it, and without its
// 'wasm-unsafe-eval'): window.check verifies a proof with the module
// compiled while streaming (init), compiled from bytes (createVerifier)
// and in a module worker, and reports what failed and the violations.

import * as lv from '../out/scratch/node_modules/licverify/browser.js';

const violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));

const failure = (e) => `${e.name}: ${e.message}`;

window.check = async ({ proof, keys, now }) => {
  const out = { violations };
  try {
    await lv.init();
    out.streaming = lv.verifyStatusProof(proof, { keys, now }).code;
  } catch (e) {
    out.streaming = failure(e);
  }
  try {
    const res = await fetch(new URL('../out/scratch/node_modules/licverify/licverify.wasm', import.meta.url));
    const v = await lv.createVerifier({ wasm: await res.arrayBuffer() });
    out.bytes = v.verifyStatusProof(proof, { keys, now }).code;
  } catch (e) {
    out.bytes = failure(e);
  }
  const worker = new Worker(new URL('./csp-worker.js', import.meta.url), { type: 'module' });
  out.worker = await new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve(`worker error: ${e.message}`);
    worker.postMessage({ proof, keys, now });
  });
  worker.terminate();
  return out;
};
window.ready = true;
