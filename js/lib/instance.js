// One instance of the licverify module and the call ABI (wasm/ABI.md):
// alloc a request buffer, write the request frame, call, read the packed
// (ptr<<32 | len) response, free both buffers.

import { createWASI } from './wasi.js';
import { ABI_VERSION } from './ops.js';

// The ABI this package speaks is the one of the table it was generated from.
export { ABI_VERSION };

const decoder = new TextDecoder('utf-8', { fatal: true });

const required = ['memory', '_initialize', 'abi_version', 'alloc', 'free', 'call'];

/**
 * ModuleCrash is thrown when the module traps, exits or reports an
 * internal error; the instance is unusable afterwards.
 */
export class ModuleCrash extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'ModuleCrash';
  }
}

/** RequestTooLarge is a request the module refused to allocate room for. */
export class RequestTooLarge extends RangeError {
  /** @param {number} size the request's length in bytes */
  constructor(message, size) {
    super(message);
    this.size = size;
  }
}

/** Instance is one instantiated module. It is discarded after a crash. */
export class Instance {
  #wasi;
  #exports;

  /** @param {WebAssembly.Module} module */
  constructor(module) {
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    const missing = required.filter((name) => !exported.has(name));
    if (missing.length > 0) {
      throw new TypeError(`licverify: not the licverify module: missing exports ${missing.join(', ')}`);
    }
    this.#wasi = createWASI();
    const instance = new WebAssembly.Instance(module, this.#wasi.imports(module));
    this.#exports = instance.exports;
    this.#wasi.bind(this.#exports.memory);
    this.#guard(() => this.#exports._initialize());
    const abi = this.#exports.abi_version();
    if (abi !== ABI_VERSION) {
      throw new TypeError(`licverify: module speaks ABI version ${abi}, this package speaks ${ABI_VERSION}`);
    }
  }

  /**
   * call sends one request frame and returns the response text. It throws
   * ModuleCrash when the module traps or exits, RequestTooLarge when the
   * module cannot allocate the request.
   * @param {Uint8Array} bytes the frame, copied into the module as it is
   * @returns {string}
   */
  call(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('licverify: Instance.call takes the frame as a Uint8Array');
    const e = this.#exports;
    return this.#guard(() => {
      const ptr = e.alloc(bytes.length);
      if (ptr === 0) {
        throw new RequestTooLarge(`licverify: the module could not allocate a request of ${bytes.length} bytes`, bytes.length);
      }
      new Uint8Array(e.memory.buffer, ptr, bytes.length).set(bytes);
      const packed = BigInt.asUintN(64, e.call(ptr, bytes.length));
      // Freed only after a call that returned: after a trap the instance
      // is discarded, and calling into its broken runtime again could
      // replace the crash with another.
      e.free(ptr);
      const rp = Number(packed >> 32n);
      const rn = Number(packed & 0xffffffffn);
      // memory.buffer is read again: the call may have grown memory,
      // which detaches the old ArrayBuffer.
      const text = decoder.decode(new Uint8Array(e.memory.buffer, rp, rn));
      e.free(rp);
      return text;
    });
  }

  #guard(fn) {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RequestTooLarge) throw err;
      const text = this.#wasi.output().trim();
      const detail = text ? `\n${text}` : '';
      throw new ModuleCrash(`licverify: the module crashed: ${err?.message ?? err}${detail}`, { cause: err });
    }
  }
}
