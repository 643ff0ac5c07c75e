// The lock every binding's file epoch store takes around a raise (Go's
// epochstore.File and the command line, this package's Node store, the
// Python package's EpochStore): the file FILE.lock, created exclusively
// and removed when the raise is done. RATIONALE.md, "One lock file for
// every epoch store", gives the protocol and why it is not flock: Node has
// none without a native addon.

import { randomBytes } from 'node:crypto';
import { lstat, open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// A lock file last modified longer ago than this was left by a holder that
// died: a raise holds the lock for one read and one small write.
export const LOCK_STALE_MS = 10_000;
// A wait for the lock ends in an error after this long.
const LOCK_GIVE_UP_MS = 30_000;
// The longest pause between two tries.
const LOCK_POLL_MAX_MS = 50;

const lockError = (file, message, cause) => new Error(`licverify: epoch store ${file}: locking it: ${message}`, { cause });

/**
 * lockFile takes the lock of the epoch file at `file`, whose directory must
 * exist, and resolves to the held lock: `held()` says whether the lock file
 * is still this holder's (one slower than LOCK_STALE_MS may have lost it
 * and must not write), `release()` removes it if it is. Creating with 'wx'
 * (O_CREAT|O_EXCL) never follows a symbolic link planted at the name: any
 * existing name is "held".
 */
export async function lockFile(file) {
  const name = `${file}.lock`;
  const text = `{"pid":${process.pid},"token":"${randomBytes(16).toString('hex')}"}\n`;
  const mine = async () => {
    try {
      return (await readFile(name, 'utf8')) === text;
    } catch {
      return false;
    }
  };
  const giveUp = Date.now() + LOCK_GIVE_UP_MS;
  let pause = 1;
  for (;;) {
    let fh;
    try {
      fh = await open(name, 'wx', 0o600);
    } catch (err) {
      if (err.code !== 'EEXIST') throw lockError(file, `creating ${name}: ${err.message}`, err);
    }
    if (fh) {
      try {
        await fh.writeFile(text);
      } catch (err) {
        await fh.close().catch(() => {});
        await unlink(name).catch(() => {});
        throw lockError(file, `writing ${name}: ${err.message}`, err);
      }
      await fh.close();
      return {
        name,
        held: mine,
        async release() {
          if (await mine()) await unlink(name).catch(() => {});
        },
      };
    }

    let seen;
    try {
      seen = await lstat(name, { bigint: true });
    } catch (err) {
      if (err.code === 'ENOENT') continue; // released in between
      throw lockError(file, err.message, err);
    }
    if (!seen.isFile()) throw lockError(file, `${name} is not a regular file; remove it`);
    const age = Date.now() - Number(seen.mtimeMs);
    if (Math.abs(age) > LOCK_STALE_MS) {
      await breakStale(name, seen);
      continue;
    }
    if (Date.now() > giveUp) {
      throw lockError(file, `${name} stayed held for ${LOCK_GIVE_UP_MS / 1000} s; remove it if no process is raising an epoch`);
    }
    await sleep(pause / 2 + Math.random() * (pause / 2));
    pause = Math.min(2 * pause, LOCK_POLL_MAX_MS);
  }
}

// breakStale removes the stale lock file seen, unless it was replaced
// since: the one that replaced it is fresh.
async function breakStale(name, seen) {
  try {
    const now = await lstat(name, { bigint: true });
    if (now.dev === seen.dev && now.ino === seen.ino && now.mtimeNs === seen.mtimeNs) await unlink(name);
  } catch {
    // Gone already, or removed by another waiter: try again.
  }
}
