// Host helpers for Node: an anti-rollback epoch store kept in a file
// written atomically, and a fingerprint collector reading OS identifiers.
// Both are conveniences: callers may pass their own values instead.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkEpoch, checkNamespace, emptyEpochs, parseEpochs, storedEpoch } from './epochs.js';
import { LOCK_STALE_MS, lockFile } from './filelock.js';

/**
 * createEpochStore keeps the highest epoch accepted per namespace in a
 * JSON file at options.path. Every update writes a temporary file beside
 * it, flushes it and renames it over the old one, so a crash leaves either
 * the old or the new file, never a torn one. An update takes the file's
 * lock, FILE.lock (./filelock.js), as the Go, command-line and Python
 * stores do, so that processes of any of them may share the file.
 */
export function createEpochStore(options) {
  const file = options?.path;
  if (typeof file !== 'string' || file === '') {
    throw new TypeError('licverify: createEpochStore needs {path}: the file to keep epochs in');
  }
  // Updates through this store run one after another; the lock file
  // excludes everyone else, this process's other stores included.
  let queue = Promise.resolve();

  async function readAll() {
    let text;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (err.code === 'ENOENT') return emptyEpochs();
      throw err;
    }
    return parseEpochs(text, file);
  }

  async function writeAll(epochs, lock) {
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(epochs, null, 2) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      if (!(await lock.held())) {
        throw new Error(`licverify: epoch store ${file}: its lock ${lock.name} was taken over, held longer than ${LOCK_STALE_MS / 1000} s; nothing written`);
      }
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
  }

  return {
    async get(namespace) {
      checkNamespace(namespace);
      await queue;
      return storedEpoch(await readAll(), namespace);
    },
    async raise(namespace, epoch) {
      checkNamespace(namespace);
      checkEpoch(epoch);
      const run = queue.then(async () => {
        // Stored epochs only rise: one not newer now never will be, and
        // needs neither the lock nor a write.
        const stored = storedEpoch(await readAll(), namespace);
        if (epoch <= stored) return stored;
        await mkdir(path.dirname(file), { recursive: true });
        const lock = await lockFile(file);
        try {
          // Another process may have raised any namespace since.
          const epochs = await readAll();
          const now = storedEpoch(epochs, namespace);
          if (epoch <= now) return now;
          epochs[namespace] = epoch;
          await writeAll(epochs, lock);
          return epoch;
        } finally {
          await lock.release();
        }
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}

// Interfaces that come and go (containers, bridges, VPNs) would change the
// fingerprint; they are skipped when choosing the primary MAC.
const virtualInterface = /^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|utun|zt|wg|tailscale|awdl|llw|bridge)/;

// The Linux files the rules read, machine id candidates first, in order.
const linuxFiles = [
  '/etc/machine-id',
  '/var/lib/dbus/machine-id',
  '/sys/class/dmi/id/product_uuid',
  '/proc/cpuinfo',
  '/proc/meminfo',
];

// procValue is the trimmed value of the first "key : value" line of a
// /proc file whose key is key.
function procValue(text, key) {
  for (const line of (text ?? '').split('\n')) {
    const at = line.indexOf(':');
    if (at >= 0 && line.slice(0, at).trim() === key) return line.slice(at + 1).trim();
  }
  return '';
}

// Bytes, in byte order (not UTF-16 order), as Go sorts interface names.
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * fingerprintComponents applies the rules of docs/formats.md ("Fingerprint
 * components") to what a machine answered, the same rules as the Go
 * collector's; both are tested on testvectors/fingerprint/collector.json.
 * @param {{platform: string, arch: string, files?: Record<string, string>,
 *   hostname?: string, interfaces?: {name: string, mac: string, loopback: boolean, addresses: number}[],
 *   cpu_model?: string, total_memory?: number}} src
 * @returns {Record<string, string>}
 */
export function fingerprintComponents(src) {
  const files = src.files ?? {};
  const c = { platform: src.platform, arch: src.arch, hostname: src.hostname ?? '' };
  const ifaces = [...(src.interfaces ?? [])].sort((a, b) => byteOrder(a.name, b.name));
  for (const i of ifaces) {
    const mac = (i.mac ?? '').toLowerCase();
    if (i.loopback || virtualInterface.test(i.name) || !(i.addresses > 0) || mac === '' || mac === '00:00:00:00:00:00') continue;
    c.mac = mac;
    break;
  }
  if (src.platform === 'linux') {
    for (const f of linuxFiles.slice(0, 3)) {
      const id = (files[f] ?? '').trim();
      if (id) {
        c.machine_id = id;
        break;
      }
    }
    c.cpu_model = procValue(files['/proc/cpuinfo'], 'model name');
    const kb = procValue(files['/proc/meminfo'], 'MemTotal').replace(/ kB$/, '');
    if (/^[0-9]+$/.test(kb)) c.total_memory = String(BigInt(kb) * 1024n);
  } else {
    c.cpu_model = (src.cpu_model ?? '').trim();
    if (src.total_memory > 0) c.total_memory = String(src.total_memory);
  }
  for (const k of Object.keys(c)) {
    if (c[k] === undefined || c[k] === '') delete c[k];
  }
  return c;
}

/**
 * collectFingerprint reads this machine's identifiers, as docs/formats.md
 * defines them (the Go package's host.CollectFingerprint reads the same):
 * the components object to pass to fingerprintHash. Components that cannot
 * be read are left out.
 */
export async function collectFingerprint() {
  const platform = os.platform();
  const src = { platform, arch: os.arch(), hostname: os.hostname(), files: {}, interfaces: [] };
  if (platform === 'linux') {
    for (const f of linuxFiles) {
      try {
        src.files[f] = await readFile(f, 'utf8');
      } catch {
        // not on this system
      }
    }
  } else if (platform === 'darwin' || platform === 'win32') {
    // libuv reads what the rules name: sysctl on macOS, the registry and
    // GlobalMemoryStatusEx on Windows. Elsewhere the rules name no source.
    src.cpu_model = os.cpus()[0]?.model ?? '';
    src.total_memory = os.totalmem();
  }
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    const list = addrs ?? [];
    src.interfaces.push({
      name,
      mac: list[0]?.mac ?? '',
      loopback: list.length > 0 && list.every((a) => a.internal),
      addresses: list.length,
    });
  }
  return fingerprintComponents(src);
}
