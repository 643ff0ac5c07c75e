// A hand-assembled stand-in for the licverify module that speaks the same
// ABI, for testing what the package does when a module misbehaves. Its
// call export echoes the request as the response, except:
//   request starting "T": writes "boom\n" to stderr, then traps;
//   request starting "X": calls proc_exit(3);
//   request starting "P": poisons the instance: every later call traps.

const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const str = (s) => [...leb(s.length), ...new TextEncoder().encode(s)];
const vec = (items) => [...leb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const I32 = 0x7f;
const I64 = 0x7e;
const func = (params, results) => [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];
const body = (code) => {
  const b = [0x00, ...code, 0x0b]; // no locals
  return [...leb(b.length), ...b];
};

// i32.const with a signed LEB128 immediate (all values here are < 8192).
const i32 = (n) => (n < 64 ? [0x41, n] : n < 8192 ? [0x41, (n & 0x7f) | 0x80, (n >> 7) & 0x7f] : null);
const firstByteIs = (c) => [0x20, 0, 0x2d, 0, 0, ...i32(c.charCodeAt(0)), 0x46, 0x04, 0x40];
const boom = [...i32(2), ...i32(0), ...i32(1), ...i32(8), 0x10, 1, 0x1a, 0x00];

export function fakeModuleBytes({ abi = 2 } = {}) {
  const types = [func([I32], []), func([I32, I32, I32, I32], [I32]), func([], []), func([], [I32]), func([I32], [I32]), func([I32, I32], [I64])];
  const imports = [
    [...str('wasi_snapshot_preview1'), ...str('proc_exit'), 0x00, 0],
    [...str('wasi_snapshot_preview1'), ...str('fd_write'), 0x00, 1],
  ];
  const functions = [2, 3, 4, 0, 5].map((t) => [t]);
  const memory = [[0x00, 1]];
  const globals = [[I32, 0x01, ...i32(0), 0x0b]];
  const exports = [
    [...str('memory'), 0x02, 0],
    [...str('_initialize'), 0x00, 2],
    [...str('abi_version'), 0x00, 3],
    [...str('alloc'), 0x00, 4],
    [...str('free'), 0x00, 5],
    [...str('call'), 0x00, 6],
  ];
  const code = [
    body([]),
    body(i32(abi)),
    body(i32(1024)),
    body([]),
    body([
      0x23, 0, 0x04, 0x40, ...boom, 0x0b, // poisoned: trap
      ...firstByteIs('T'), ...boom, 0x0b,
      ...firstByteIs('X'), ...i32(3), 0x10, 0, 0x0b,
      ...firstByteIs('P'), ...i32(1), 0x24, 0, 0x0b,
      0x20, 0, 0xad, 0x42, 32, 0x86, 0x20, 1, 0xad, 0x84, // ptr<<32 | len
    ]),
  ];
  // iovec {ptr: 16, len: 5} at 0, "boom\n" at 16.
  const data = [
    [0x00, ...i32(0), 0x0b, ...vec([16, 0, 0, 0, 5, 0, 0, 0].map((b) => [b]))],
    [0x00, ...i32(16), 0x0b, ...str('boom\n')],
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(functions)),
    ...section(5, vec(memory)),
    ...section(6, vec(globals)),
    ...section(7, vec(exports)),
    ...section(10, vec(code)),
    ...section(11, vec(data)),
  ]);
}
