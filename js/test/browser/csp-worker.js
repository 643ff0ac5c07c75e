// csp.js's worker: init() inside the worker, then one proof.

import { init, verifyStatusProof } from '../out/scratch/node_modules/licverify/browser.js';

const ready = init();
ready.catch(() => {}); // reported with the first message

self.onmessage = async ({ data: { proof, keys, now } }) => {
  try {
    await ready;
    postMessage(verifyStatusProof(proof, { keys, now }).code);
  } catch (e) {
    postMessage(`${e.name}: ${e.message}`);
  }
};
