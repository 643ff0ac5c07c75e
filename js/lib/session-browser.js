// A session's store in browsers: the entries of docs/lifecycle.md ("The
// store") as Web Storage items under a prefix, the epoch in the same
// storage, and the tabs of an origin serialized with a Web Lock.

import { createEpochStore } from './browser-host.js';
import { encodeText } from './requests.js';
import { epochsOf, SESSION_NAMESPACE } from './session-epochs.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * createSessionStore returns the store of a session kept in Web Storage
 * (options.storage, default localStorage): the entry NAME as the item
 * prefix + NAME (prefix default "licverify.session."), the epoch in the
 * epoch store under prefix + "epochs.json" (or options.epochs). Checks
 * take the Web Lock prefix + "session.lock" (navigator.locks), so that
 * the tabs of one origin take turns; where there is no Web Locks API
 * (a page that is not a secure context) only this page's checks do.
 */
export function createSessionStore(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('licverify: createSessionStore takes {storage?, prefix?, epochs?, namespace?, locks?}');
  const { storage = globalThis.localStorage, prefix = 'licverify.session.', epochs, namespace = SESSION_NAMESPACE, locks = globalThis.navigator?.locks, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new TypeError(`licverify: createSessionStore: unknown option ${JSON.stringify(unknown[0])} (options: storage, prefix, epochs, namespace, locks)`);
  if (!storage || typeof storage.getItem !== 'function' || typeof storage.setItem !== 'function') {
    throw new TypeError('licverify: no Web Storage here: pass {storage} with getItem and setItem');
  }
  if (typeof prefix !== 'string') throw new TypeError('licverify: createSessionStore: prefix must be a string');
  const epochStore = epochsOf(epochs ?? createEpochStore({ storage, key: `${prefix}epochs.json` }), namespace);
  const lockName = `${prefix}session.lock`;
  let queue = Promise.resolve();

  return {
    prefix,
    withLock(fn) {
      if (locks && typeof locks.request === 'function') return locks.request(lockName, { mode: 'exclusive' }, () => fn());
      const run = queue.then(() => fn());
      queue = run.catch(() => {});
      return run;
    },
    async read(name, limit) {
      const text = storage.getItem(prefix + name);
      if (text === null) return null;
      // Its UTF-8 has at least as many bytes as it has UTF-16 units: a long one is over before encoding.
      if (text.length > limit) return { problem: `over the ${limit}-byte bound` };
      const bytes = encodeText(text);
      if (bytes.length > limit) return { problem: `over the ${limit}-byte bound` };
      return { bytes };
    },
    async write(name, bytes) {
      // What the session writes verified, so it is UTF-8; Web Storage keeps text.
      storage.setItem(prefix + name, utf8.decode(bytes));
    },
    async epoch() {
      return epochStore.get();
    },
    async raiseEpoch(epoch) {
      return epochStore.raise(epoch);
    },
  };
}
