// Host helpers for Node: an anti-rollback epoch store kept in a file
// written atomically, and a fingerprint collector reading OS identifiers.
// Both are conveniences: callers may pass their own values instead.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkEpoch, checkNamespace, parseEpochs } from './epochs.js';

/**
 * createEpochStore keeps the highest epoch accepted per namespace in a
 * JSON file at options.path. Every update writes a temporary file beside
 * it, flushes it and renames it over the old one, so a crash leaves either
 * the old or the new file, never a torn one.
 */
export function createEpochStore(options) {
  const file = options?.path;
  if (typeof file !== 'string' || file === '') {
    throw new TypeError('licverify: createEpochStore needs {path}: the file to keep epochs in');
  }
  // Updates from one process run one after another.
  let queue = Promise.resolve();

  async function readAll() {
    let text;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (err.code === 'ENOENT') return {};
      throw err;
    }
    return parseEpochs(text, file);
  }

  async function writeAll(epochs) {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(epochs, null, 2) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
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
      return (await readAll())[namespace] ?? 0;
    },
    async raise(namespace, epoch) {
      checkNamespace(namespace);
      checkEpoch(epoch);
      const run = queue.then(async () => {
        const epochs = await readAll();
        const stored = epochs[namespace] ?? 0;
        if (epoch <= stored) return stored;
        epochs[namespace] = epoch;
        await writeAll(epochs);
        return epoch;
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}

// Interfaces that come and go (containers, bridges, VPNs) would change the
// fingerprint; they are skipped when choosing the primary MAC.
const virtualInterface = /^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|utun|zt|wg|tailscale|awdl|llw|bridge)/;

async function machineID() {
  // systemd and D-Bus keep a stable per-installation id on Linux.
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = (await readFile(f, 'utf8')).trim();
      if (id) return id;
    } catch {
      // not this system
    }
  }
  return undefined;
}

function primaryMAC() {
  const candidates = [];
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (virtualInterface.test(name)) continue;
    for (const a of addrs ?? []) {
      if (!a.internal && a.mac && a.mac !== '00:00:00:00:00:00') candidates.push([name, a.mac.toLowerCase()]);
    }
  }
  candidates.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return candidates[0]?.[1];
}

/**
 * collectFingerprint reads this machine's identifiers with Node's os
 * module (and, on Linux, the machine id file): the components object to
 * pass to fingerprintHash. Components that cannot be read are left out.
 */
export async function collectFingerprint() {
  const components = {
    machine_id: await machineID(),
    mac: primaryMAC(),
    hostname: os.hostname(),
    cpu_model: os.cpus()[0]?.model?.trim(),
    total_memory: String(os.totalmem()),
    platform: os.platform(),
    arch: os.arch(),
  };
  for (const k of Object.keys(components)) {
    if (components[k] === undefined || components[k] === '') delete components[k];
  }
  return components;
}
