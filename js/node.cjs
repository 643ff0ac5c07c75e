// require('licverify'): the package for CommonJS code in Node (Electron's
// main process, a CommonJS tool). It is node.js, the ES module, over one
// of two paths:
// - Node 20.19+ and 22.12+ require() an ES module: this is node.js itself.
// - Older Node (Electron 34 and before: Node 20.18) cannot, so init()
//   loads node.js with import(). Until the first init() (or
//   createVerifier(), collectFingerprint(), collectQuantumMetaMachineId())
//   has resolved, the other functions throw; afterwards every export calls
//   node.js's, and instanceof answers for node.js's classes.
'use strict';

let esm = null;
try {
  esm = require('./node.js');
} catch (err) {
  if (err?.code !== 'ERR_REQUIRE_ESM') throw err;
}

if (esm !== null) {
  module.exports = esm;
} else {
  let loading = null;
  const load = async () => {
    loading ??= import('./node.js').catch((err) => {
      loading = null;
      throw err;
    });
    esm = await loading;
    return esm;
  };

  class NotLoaded extends Error {
    constructor() {
      super('licverify: not initialized: call and await init() before using licverify');
      this.name = 'LicverifyError';
    }
  }
  const loaded = () => {
    if (esm === null) throw new NotLoaded();
    return esm;
  };

  const async = ['init', 'createVerifier', 'collectFingerprint', 'collectQuantumMetaMachineId'];
  const sync = [
    'call',
    'canonicalize',
    'fingerprintHash',
    'verifyStatusProof',
    'verifyRevocationSet',
    'loadRevocationSet',
    'applyRevocationDelta',
    'evaluateLicense',
    'verifyQKey',
    'plan',
    'accept',
    'createEpochStore',
    'createSession',
    'createSessionStore',
    'httpTransport',
  ];
  for (const name of async) {
    exports[name] = async (...args) => (await load())[name](...args);
  }
  for (const name of sync) {
    exports[name] = (...args) => loaded()[name](...args);
  }
  // The classes are node.js's; code that took them before node.js was
  // loaded holds these, which construct and answer instanceof for them.
  for (const name of ['Verifier', 'LicverifyError', 'ModuleCrash']) {
    exports[name] = {
      [name]: class {
        constructor(...args) {
          return new (loaded()[name])(...args);
        }
        static [Symbol.hasInstance](x) {
          return (esm !== null && x instanceof esm[name]) || (name === 'LicverifyError' && x instanceof NotLoaded);
        }
      },
    }[name];
  }
}
