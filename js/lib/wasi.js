// A minimal WASI preview1 import object for the licverify module, the same
// in Node and in browsers (node:wasi is not used: it is Node-only and
// prints an ExperimentalWarning). The module is granted nothing a verifier
// does not need: no files (every descriptor is EBADF), no environment, no
// arguments. It gets a clock for the Go runtime, randomness for the Go
// runtime's hash seeds, and stdout/stderr, which are captured so that the
// text of a crash can be reported. Any import not listed here answers
// ENOSYS, so a module built by a newer Go still links.

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;

const FILETYPE_CHARACTER_DEVICE = 2;
const RIGHTS_FD_WRITE = 1n << 6n;

const EVENTTYPE_CLOCK = 0;

// 2022-01-01T00:00:00Z in nanoseconds: the module's wall clock starts here.
const fakeEpochNs = 1640995200n * 1000000000n;

// stderrLimit bounds the captured output: crash text is short, and a
// module must not be able to grow the host's memory without bound.
const stderrLimit = 64 * 1024;

/** ProcExit is thrown out of the module when it calls proc_exit. */
export class ProcExit extends Error {
  constructor(code) {
    super(`licverify: module exited with code ${code}`);
    this.name = 'ProcExit';
    this.code = code;
  }
}

/**
 * createWASI returns the import object for one instance and a handle to
 * bind its memory once the instance exists.
 */
export function createWASI() {
  let memory = null;
  let output = '';
  const decoder = new TextDecoder();

  const view = () => new DataView(memory.buffer);
  const bytes = (ptr, len) => new Uint8Array(memory.buffer, ptr, len);

  // The monotonic clock is real (performance.now() is monotonic in Node
  // and browsers): the Go runtime paces itself with it. The wall clock is
  // not: it starts at 2022-01-01T00:00:00Z, as the Go host's does, because
  // the module takes "now" from each request and must never decide with a
  // clock of its own; a wrong one makes any slip show in the vectors.
  const started = performance.now();
  const monotonicNs = () => BigInt(Math.round(performance.now() * 1e6));
  const realtimeNs = () => fakeEpochNs + BigInt(Math.round((performance.now() - started) * 1e6));

  const capture = (text) => {
    output += text;
    if (output.length > stderrLimit) output = output.slice(output.length - stderrLimit);
  };

  const fns = {
    args_sizes_get(argcPtr, bufSizePtr) {
      const v = view();
      v.setUint32(argcPtr, 0, true);
      v.setUint32(bufSizePtr, 0, true);
      return ESUCCESS;
    },
    args_get() {
      return ESUCCESS;
    },
    environ_sizes_get(countPtr, bufSizePtr) {
      const v = view();
      v.setUint32(countPtr, 0, true);
      v.setUint32(bufSizePtr, 0, true);
      return ESUCCESS;
    },
    environ_get() {
      return ESUCCESS;
    },
    clock_res_get(id, resPtr) {
      if (id !== CLOCK_REALTIME && id !== CLOCK_MONOTONIC) return EINVAL;
      view().setBigUint64(resPtr, 1000n, true);
      return ESUCCESS;
    },
    clock_time_get(id, _precision, timePtr) {
      let t;
      if (id === CLOCK_REALTIME) t = realtimeNs();
      else if (id === CLOCK_MONOTONIC) t = monotonicNs();
      else return EINVAL;
      view().setBigUint64(timePtr, t, true);
      return ESUCCESS;
    },
    random_get(ptr, len) {
      // getRandomValues fills at most 65536 bytes per call.
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes(ptr + off, Math.min(65536, len - off)));
      }
      return ESUCCESS;
    },
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const v = view();
      let n = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + i * 8, true);
        const len = v.getUint32(iovs + i * 8 + 4, true);
        capture(decoder.decode(bytes(ptr, len), { stream: true }));
        n += len;
      }
      v.setUint32(nwrittenPtr, n, true);
      return ESUCCESS;
    },
    fd_fdstat_get(fd, statPtr) {
      // The standard descriptors exist (as wasm/ABI.md asks); nothing else
      // does. Only 1 and 2 can be written, and what is written is captured.
      if (fd > 2) return EBADF;
      const v = view();
      v.setUint8(statPtr, FILETYPE_CHARACTER_DEVICE);
      v.setUint16(statPtr + 2, 0, true);
      v.setBigUint64(statPtr + 8, RIGHTS_FD_WRITE, true);
      v.setBigUint64(statPtr + 16, 0n, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags() {
      return EBADF;
    },
    fd_prestat_get() {
      return EBADF; // no preopened directories: the module sees no files
    },
    fd_prestat_dir_name() {
      return EBADF;
    },
    fd_read() {
      return EBADF;
    },
    fd_close() {
      return EBADF;
    },
    fd_seek() {
      return EBADF;
    },
    poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
      // The module is single-threaded and never waits on a descriptor; the
      // Go scheduler only polls to sleep. A host call cannot block a
      // browser's main thread, so every clock subscription fires at once
      // and every descriptor subscription fails with EBADF.
      const v = view();
      for (let i = 0; i < nsubs; i++) {
        const sub = inPtr + i * 48;
        const ev = outPtr + i * 32;
        const tag = v.getUint8(sub + 8);
        v.setBigUint64(ev, v.getBigUint64(sub, true), true);
        v.setUint16(ev + 8, tag === EVENTTYPE_CLOCK ? ESUCCESS : EBADF, true);
        v.setUint8(ev + 10, tag);
        v.setBigUint64(ev + 16, 0n, true);
        v.setUint16(ev + 24, 0, true);
      }
      v.setUint32(neventsPtr, nsubs, true);
      return ESUCCESS;
    },
    sched_yield() {
      return ESUCCESS;
    },
    proc_exit(code) {
      throw new ProcExit(code);
    },
  };

  return {
    /** imports returns the import object for module's declared imports. */
    imports(module) {
      const wasi = {};
      for (const imp of WebAssembly.Module.imports(module)) {
        if (imp.module !== 'wasi_snapshot_preview1' || imp.kind !== 'function') continue;
        wasi[imp.name] = fns[imp.name] ?? (() => ENOSYS);
      }
      return { wasi_snapshot_preview1: wasi };
    },
    /** bind gives the shim the instance's memory. */
    bind(mem) {
      memory = mem;
    },
    /** output returns what the module wrote to stdout and stderr. */
    output() {
      return output;
    },
    /** functions is the whole import table, for tests. */
    functions: fns,
  };
}

/** implemented lists the WASI functions the shim provides. */
export const implemented = Object.keys(createWASI().functions);
