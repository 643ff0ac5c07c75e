// Host helpers for browsers: an anti-rollback epoch store and an install
// id, both kept in Web Storage (localStorage by default). Both are
// conveniences: callers may pass their own values instead.

import { checkEpoch, checkNamespace, emptyEpochs, parseEpochs, storedEpoch } from './epochs.js';

function storageOf(options) {
  const storage = options?.storage ?? globalThis.localStorage;
  if (!storage || typeof storage.getItem !== 'function' || typeof storage.setItem !== 'function') {
    throw new TypeError('licverify: no Web Storage here: pass {storage} with getItem and setItem');
  }
  return storage;
}

/**
 * createEpochStore keeps the highest epoch accepted per namespace under
 * one storage key (options.key, default "licverify.epochs"). Web Storage
 * writes are atomic and synchronous; anyone with access to the profile can
 * clear them, so in a browser the guard stops replays, not a user who
 * wipes site data.
 */
export function createEpochStore(options) {
  const storage = storageOf(options);
  const key = options?.key ?? 'licverify.epochs';
  const readAll = () => {
    const text = storage.getItem(key);
    return text === null ? emptyEpochs() : parseEpochs(text, key);
  };
  return {
    async get(namespace) {
      checkNamespace(namespace);
      return storedEpoch(readAll(), namespace);
    },
    async raise(namespace, epoch) {
      checkNamespace(namespace);
      checkEpoch(epoch);
      const epochs = readAll();
      const stored = storedEpoch(epochs, namespace);
      if (epoch <= stored) return stored;
      epochs[namespace] = epoch;
      storage.setItem(key, JSON.stringify(epochs));
      return epoch;
    },
  };
}

/**
 * collectFingerprint returns {install_id}: browsers expose no hardware
 * identifiers, so this is a random 128-bit id created on first use and
 * kept in storage (options.key, default "licverify.install_id"). It
 * identifies a browser profile, not a machine, and is lost when site data
 * is cleared.
 */
export async function collectFingerprint(options) {
  const storage = storageOf(options);
  const key = options?.key ?? 'licverify.install_id';
  let id = storage.getItem(key);
  if (id === null || !/^[0-9a-f]{32}$/.test(id)) {
    const b = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    storage.setItem(key, id);
  }
  return { install_id: id };
}

/**
 * collectQuantumMetaMachineId: a browser can read neither QuantumMeta's
 * cache file nor the machine, so here the id is always unavailable.
 */
export async function collectQuantumMetaMachineId() {
  return { reason: "a browser can read neither QuantumMeta's cache nor the machine" };
}
