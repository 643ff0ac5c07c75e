// A session's store in Node: a directory holding the entries of
// docs/lifecycle.md ("The store"), the Go and Python sessions' layout.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { lockFile } from './filelock.js';
import { createEpochStore } from './node-host.js';
import { epochsOf, SESSION_NAMESPACE } from './session-epochs.js';

// Entries are opened without following a symbolic link, and without
// blocking on a FIFO planted at the name (it is then refused as not a
// regular file).
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * createSessionStore returns the store of a session kept in the directory
 * options.dir, created 0700 when missing: each entry a file written to a
 * temporary file beside it (0600), flushed and renamed over the old one;
 * the lock the file session.lock, created exclusively (lib/filelock.js,
 * the epoch store's protocol); the epoch in options.epochs (default: the
 * file epoch store epochs.json in the directory) under options.namespace.
 */
export function createSessionStore(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('licverify: createSessionStore needs {dir}');
  const { dir, epochs, namespace = SESSION_NAMESPACE, ...rest } = options;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new TypeError(`licverify: createSessionStore: unknown option ${JSON.stringify(unknown[0])} (options: dir, epochs, namespace)`);
  if (typeof dir !== 'string' || dir === '') throw new TypeError('licverify: createSessionStore needs {dir}: the directory to keep the session in');
  const root = path.resolve(dir);
  const epochStore = epochsOf(epochs ?? createEpochStore({ path: path.join(root, 'epochs.json') }), namespace);
  const entry = (name) => {
    if (!/^[a-z]+\.json$/.test(name)) throw new Error(`licverify: session store: no entry ${JSON.stringify(name)}`);
    return path.join(root, name);
  };
  let made = null;
  const ensureDir = () => (made ??= mkdir(root, { recursive: true, mode: 0o700 }).catch((err) => {
    made = null;
    throw err;
  }));
  // Holders in this process take turns; session.lock excludes other processes.
  let queue = Promise.resolve();

  return {
    dir: root,
    async withLock(fn) {
      const run = queue.then(async () => {
        await ensureDir();
        const lock = await lockFile(path.join(root, 'session'));
        try {
          return await fn();
        } finally {
          await lock.release();
        }
      });
      queue = run.catch(() => {});
      return run;
    },
    async read(name, limit) {
      const file = entry(name);
      let fh;
      try {
        fh = await open(file, READ_FLAGS);
      } catch (err) {
        if (err.code === 'ENOENT') return null;
        if (err.code === 'ELOOP') return { problem: 'a symbolic link' };
        throw err;
      }
      try {
        const st = await fh.stat();
        if (!st.isFile()) return { problem: 'not a regular file' };
        if (st.size > limit) return { problem: `${st.size} bytes, over the ${limit}-byte bound` };
        // Read at most limit + 1 bytes: a file that grows meanwhile is bounded too.
        const buf = new Uint8Array(limit + 1);
        let n = 0;
        for (;;) {
          const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
          if (bytesRead === 0) break;
          n += bytesRead;
          if (n > limit) return { problem: `over the ${limit}-byte bound` };
        }
        return { bytes: buf.slice(0, n) };
      } finally {
        await fh.close();
      }
    },
    async write(name, bytes) {
      const file = entry(name);
      await ensureDir();
      const tmp = path.join(root, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => {});
        await unlink(tmp).catch(() => {});
        throw err;
      }
      await fh.close();
      try {
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => {});
        throw err;
      }
    },
    async epoch() {
      return epochStore.get();
    },
    async raiseEpoch(epoch) {
      await ensureDir();
      return epochStore.raise(epoch);
    },
  };
}
