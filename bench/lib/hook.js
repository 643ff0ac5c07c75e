// hookInstances records every WebAssembly.Instance created from now on, so
// that a benchmark can read the linear memory of the instance the package
// made without reaching into its internals. Call it before the package
// instantiates anything.
export function hookInstances() {
  const made = [];
  const Original = WebAssembly.Instance;
  WebAssembly.Instance = new Proxy(Original, {
    construct(target, args, newTarget) {
      const inst = Reflect.construct(target, args, newTarget === WebAssembly.Instance ? target : newTarget);
      made.push(new WeakRef(inst));
      return inst;
    },
  });
  // The linear memory of the most recent live instance, in bytes.
  return () => {
    for (let i = made.length - 1; i >= 0; i--) {
      const inst = made[i].deref();
      if (inst?.exports.memory) return inst.exports.memory.buffer.byteLength;
    }
    return null;
  };
}
