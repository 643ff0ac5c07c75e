//! One instance of the module under wasmtime, and the WASI imports it is
//! given (wasm/ABI.md, "WASI imports").
//!
//! The imports are this crate's own, not a WASI implementation's: the
//! module needs 15 functions, none of them a file, a socket, the
//! environment or the arguments, and each is a few lines here. What they
//! do differs from a real WASI on purpose, as in the Go host and the
//! Python package:
//!
//! - `clock_time_get`: the wall clock is fake, starting at
//!   2022-01-01T00:00:00Z when the instance is made, so that any decision
//!   taken with a clock instead of the request's `now` shows in the
//!   vectors; the monotonic clock is real (the Go runtime paces itself
//!   with it).
//! - `fd_write`: fd 1 and 2 are kept in memory (their tail), for the error
//!   that reports a crash; nothing reaches the host's own descriptors.
//! - `poll_oneoff`: answers at once: every clock subscription fires and
//!   every descriptor subscription fails with `EBADF`.
//! - `proc_exit`: ends the call with an error; the instance is discarded.

use std::fmt;
use std::time::Instant;

use wasmtime::{
    Caller, Engine, InstancePre, Linker, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, TypedFunc,
};

use crate::Error;

const WASI: &str = "wasi_snapshot_preview1";

const ESUCCESS: i32 = 0;
const EBADF: i32 = 8;
const EFAULT: i32 = 21;
const EINVAL: i32 = 28;

const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
const EVENTTYPE_CLOCK: u8 = 0;

/// 2022-01-01T00:00:00Z in nanoseconds: the module's wall clock starts here.
const FAKE_EPOCH_NS: u64 = 1_640_995_200 * 1_000_000_000;

/// What the module writes to fd 1 and 2 is kept up to this size (its
/// tail): crash text is short, and a module must not grow the host's memory.
const OUTPUT_LIMIT: usize = 64 * 1024;

/// The ABI version this crate speaks (wasm/ABI.md, "Starting an instance").
pub(crate) const ABI_VERSION: i32 = 2;

/// The state the imports keep for one instance.
pub(crate) struct Host {
    output: Vec<u8>,
    started: Instant,
    limits: StoreLimits,
}

/// `proc_exit`: the module stopped itself (code 2 for a Go fatal error).
#[derive(Debug)]
struct Exit(i32);

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit code {}", self.0)
    }
}

impl std::error::Error for Exit {}

fn memory(caller: &mut Caller<'_, Host>) -> Option<Memory> {
    caller.get_export("memory").and_then(|e| e.into_memory())
}

/// Writes `data` at `ptr` in the caller's memory: `EFAULT` when it does
/// not fit, never a panic.
fn write(caller: &mut Caller<'_, Host>, ptr: i32, data: &[u8]) -> i32 {
    let Some(mem) = memory(caller) else { return EFAULT };
    let start = ptr as u32 as usize;
    match mem.data_mut(caller).get_mut(start..start.saturating_add(data.len())) {
        Some(dst) if dst.len() == data.len() => {
            dst.copy_from_slice(data);
            ESUCCESS
        }
        _ => EFAULT,
    }
}

fn read(caller: &mut Caller<'_, Host>, ptr: i32, len: usize) -> Option<Vec<u8>> {
    let mem = memory(caller)?;
    let start = ptr as u32 as usize;
    mem.data(&*caller).get(start..start.checked_add(len)?).map(<[u8]>::to_vec)
}

/// The linker with the 15 functions of wasm/ABI.md's table, and nothing
/// else: an import the module does not list fails instantiation.
pub(crate) fn linker(engine: &Engine) -> Result<Linker<Host>, wasmtime::Error> {
    let mut l = Linker::new(engine);
    // No arguments, no environment: counts and sizes of zero.
    for name in ["args_sizes_get", "environ_sizes_get"] {
        l.func_wrap(WASI, name, |mut c: Caller<'_, Host>, count: i32, size: i32| -> i32 {
            match write(&mut c, count, &0u32.to_le_bytes()) {
                ESUCCESS => write(&mut c, size, &0u32.to_le_bytes()),
                e => e,
            }
        })?;
    }
    for name in ["args_get", "environ_get"] {
        l.func_wrap(WASI, name, |_: i32, _: i32| -> i32 { ESUCCESS })?;
    }
    l.func_wrap(WASI, "clock_time_get", |mut c: Caller<'_, Host>, clock: i32, _precision: i64, ptr: i32| -> i32 {
        let since = c.data().started.elapsed().as_nanos() as u64;
        let t = match clock {
            CLOCK_REALTIME => FAKE_EPOCH_NS + since,
            CLOCK_MONOTONIC => monotonic_ns(),
            _ => return EINVAL,
        };
        write(&mut c, ptr, &t.to_le_bytes())
    })?;
    l.func_wrap(WASI, "random_get", |mut c: Caller<'_, Host>, ptr: i32, len: i32| -> i32 {
        // At most the module's memory: a larger length is EFAULT below.
        let n = len as u32 as usize;
        let Some(mem) = memory(&mut c) else { return EFAULT };
        if (ptr as u32 as usize).saturating_add(n) > mem.data_size(&c) {
            return EFAULT;
        }
        let mut buf = vec![0u8; n];
        if getrandom::fill(&mut buf).is_err() {
            return EFAULT;
        }
        write(&mut c, ptr, &buf)
    })?;
    l.func_wrap(WASI, "fd_write", |mut c: Caller<'_, Host>, fd: i32, iovs: i32, n: i32, nwritten: i32| -> i32 {
        if fd != 1 && fd != 2 {
            return EBADF;
        }
        let count = n as u32 as usize;
        let Some(vec) = count.checked_mul(8).and_then(|len| read(&mut c, iovs, len)) else {
            return EFAULT;
        };
        let mut total: u32 = 0;
        for iov in vec.chunks_exact(8) {
            let p = u32::from_le_bytes(iov[0..4].try_into().unwrap());
            let len = u32::from_le_bytes(iov[4..8].try_into().unwrap());
            let Some(bytes) = read(&mut c, p as i32, len as usize) else { return EFAULT };
            let out = &mut c.data_mut().output;
            out.extend_from_slice(&bytes);
            if out.len() > OUTPUT_LIMIT {
                let cut = out.len() - OUTPUT_LIMIT;
                out.drain(..cut);
            }
            total = total.wrapping_add(len);
        }
        write(&mut c, nwritten, &total.to_le_bytes())
    })?;
    l.func_wrap(WASI, "fd_close", |_: i32| -> i32 { EBADF })?;
    l.func_wrap(WASI, "fd_fdstat_set_flags", |_: i32, _: i32| -> i32 { EBADF })?;
    l.func_wrap(WASI, "fd_fdstat_get", |mut c: Caller<'_, Host>, fd: i32, ptr: i32| -> i32 {
        if !(0..=2).contains(&fd) {
            return EBADF;
        }
        // fdstat: filetype (u8) 2 = character device; flags and rights zero.
        let mut st = [0u8; 24];
        st[0] = 2;
        write(&mut c, ptr, &st)
    })?;
    l.func_wrap(WASI, "fd_prestat_get", |_: i32, _: i32| -> i32 { EBADF })?;
    l.func_wrap(WASI, "fd_prestat_dir_name", |_: i32, _: i32, _: i32| -> i32 { EBADF })?;
    l.func_wrap(WASI, "poll_oneoff", |mut c: Caller<'_, Host>, subs: i32, events: i32, n: i32, nevents: i32| -> i32 {
        let count = n as u32 as usize;
        if count == 0 {
            return EINVAL;
        }
        let Some(raw) = count.checked_mul(48).and_then(|len| read(&mut c, subs, len)) else {
            return EFAULT;
        };
        let mut out = vec![0u8; 32 * count];
        for (sub, ev) in raw.chunks_exact(48).zip(out.chunks_exact_mut(32)) {
            let tag = sub[8];
            ev[0..8].copy_from_slice(&sub[0..8]); // userdata
            let errno: u16 = if tag == EVENTTYPE_CLOCK { 0 } else { EBADF as u16 };
            ev[8..10].copy_from_slice(&errno.to_le_bytes());
            ev[10] = tag;
        }
        match write(&mut c, events, &out) {
            ESUCCESS => write(&mut c, nevents, &(count as u32).to_le_bytes()),
            e => e,
        }
    })?;
    l.func_wrap(WASI, "sched_yield", || -> i32 { ESUCCESS })?;
    l.func_wrap(WASI, "proc_exit", |code: i32| -> wasmtime::Result<()> { Err(wasmtime::Error::new(Exit(code))) })?;
    Ok(l)
}

fn monotonic_ns() -> u64 {
    use std::sync::OnceLock;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    // Starts above zero: the Go runtime treats a monotonic 0 as "unset".
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64 + 1_000_000_000
}

/// The compiled module with its imports resolved: instances are made from
/// it without linking again.
pub(crate) fn prepare(engine: &Engine, module: &Module) -> Result<InstancePre<Host>, Error> {
    for name in ["memory", "_initialize", "abi_version", "alloc", "free", "call"] {
        if module.get_export(name).is_none() {
            return Err(Error::Module(format!("licverify: not the licverify module: it lacks the export {name}")));
        }
    }
    let table = crate::frame::table().abi_version;
    if table != ABI_VERSION {
        return Err(Error::Module(format!(
            "licverify: ops.json is for ABI version {table}, this crate speaks {ABI_VERSION}"
        )));
    }
    let l = linker(engine).map_err(|e| Error::Module(format!("licverify: linker: {e}")))?;
    l.instantiate_pre(module).map_err(|e| Error::Module(format!("licverify: the module's imports: {e:#}")))
}

/// One started instance. Not for concurrent use (the Go runtime inside is
/// single-threaded and keeps state between calls): the pool hands each to
/// one caller at a time. After any failure `broken` is set and the
/// instance is never called again.
pub(crate) struct Instance {
    store: Store<Host>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<i32, ()>,
    call: TypedFunc<(i32, i32), i64>,
    init: TypedFunc<(), ()>,
    pub(crate) broken: bool,
}

impl Instance {
    /// Instantiates, runs `_initialize` once and checks `abi_version`.
    pub(crate) fn new(pre: &InstancePre<Host>, memory_limit: usize) -> Result<Instance, Error> {
        let host = Host {
            output: Vec::new(),
            started: Instant::now(),
            limits: StoreLimitsBuilder::new().memory_size(memory_limit).instances(1).build(),
        };
        let mut store = Store::new(pre.module().engine(), host);
        store.limiter(|h| &mut h.limits);
        let instance = match pre.instantiate(&mut store) {
            Ok(i) => i,
            Err(e) => return Err(crash(&store, &e, "instantiating")),
        };
        let func = |store: &mut Store<Host>, name: &str| {
            instance
                .get_func(&mut *store, name)
                .ok_or_else(|| Error::Module(format!("licverify: export {name} is not a function")))
        };
        let typed = |e: wasmtime::Error| Error::Module(format!("licverify: an export's type: {e}"));
        let init = func(&mut store, "_initialize")?.typed::<(), ()>(&store).map_err(typed)?;
        let abi = func(&mut store, "abi_version")?.typed::<(), i32>(&store).map_err(typed)?;
        let alloc = func(&mut store, "alloc")?.typed::<i32, i32>(&store).map_err(typed)?;
        let free = func(&mut store, "free")?.typed::<i32, ()>(&store).map_err(typed)?;
        let call = func(&mut store, "call")?.typed::<(i32, i32), i64>(&store).map_err(typed)?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| Error::Module("licverify: export memory is not a memory".into()))?;
        // The reactor's one-time start: the Go runtime cannot start twice.
        if let Err(e) = init.call(&mut store, ()) {
            return Err(crash(&store, &e, "starting"));
        }
        match abi.call(&mut store, ()) {
            Ok(ABI_VERSION) => {}
            Ok(v) => {
                return Err(Error::Module(format!(
                    "licverify: the module speaks ABI version {v}, this crate speaks {ABI_VERSION}: \
                     use the licverify.wasm built with this crate"
                )))
            }
            Err(e) => return Err(crash(&store, &e, "abi_version")),
        }
        Ok(Instance { store, memory, alloc, free, call, init, broken: false })
    }

    /// The size of the instance's linear memory, in bytes.
    pub(crate) fn memory_size(&self) -> usize {
        self.memory.data_size(&self.store)
    }

    /// Sends one frame and returns the response's bytes. A trap, an exit
    /// or a buffer outside memory is `Error::Crash` and breaks the
    /// instance; `Ok(None)` is an `alloc` that failed (no room for the
    /// request within the memory limit), which breaks it too.
    pub(crate) fn call(&mut self, frame: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        if self.broken {
            return Err(Error::Crash("licverify: the instance crashed earlier".into()));
        }
        let r = self.exchange(frame);
        if !matches!(r, Ok(Some(_))) {
            self.broken = true;
        }
        r
    }

    fn exchange(&mut self, frame: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let n =
            i32::try_from(frame.len()).map_err(|_| Error::BadRequest(format!("request is {} bytes", frame.len())))?;
        let ptr = self.alloc.call(&mut self.store, n).map_err(|e| self.crashed(&e, "alloc"))?;
        if ptr == 0 {
            return Ok(None);
        }
        self.copy_in(ptr, frame)?;
        let packed = self.call.call(&mut self.store, (ptr, n)).map_err(|e| self.crashed(&e, "call"))? as u64;
        // Freed only after a call that returned: after a trap the instance
        // is discarded, and calling into its broken runtime again could
        // replace the crash text with another.
        self.free.call(&mut self.store, ptr).map_err(|e| self.crashed(&e, "free"))?;
        let (rp, rn) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        let out = self
            .memory
            .data(&self.store)
            .get(rp..rp + rn)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| Error::Crash("licverify: the module answered a buffer outside its memory".into()))?;
        self.free.call(&mut self.store, rp as i32).map_err(|e| self.crashed(&e, "free"))?;
        Ok(Some(out))
    }

    fn copy_in(&mut self, ptr: i32, data: &[u8]) -> Result<(), Error> {
        let start = ptr as u32 as usize;
        match self.memory.data_mut(&mut self.store).get_mut(start..start + data.len()) {
            Some(dst) => {
                dst.copy_from_slice(data);
                Ok(())
            }
            None => Err(Error::Crash("licverify: alloc answered a buffer outside memory".into())),
        }
    }

    fn crashed(&self, e: &wasmtime::Error, during: &str) -> Error {
        crash(&self.store, e, during)
    }

    /// Makes the module trap for real (a second `_initialize` is an
    /// `unreachable`), for tests of recovery.
    #[doc(hidden)]
    pub(crate) fn trap_for_test(&mut self) -> Error {
        self.broken = true;
        match self.init.call(&mut self.store, ()) {
            Err(e) => self.crashed(&e, "_initialize"),
            Ok(()) => Error::Crash("licverify: a second _initialize did not trap".into()),
        }
    }
}

/// The error for a trap or an exit, with what the module wrote to fd 1
/// and 2 (the Go runtime's crash text).
fn crash(store: &Store<Host>, e: &wasmtime::Error, during: &str) -> Error {
    let mut what = match (e.downcast_ref::<Exit>(), e.downcast_ref::<wasmtime::Trap>()) {
        (Some(exit), _) => exit.to_string(),
        (None, Some(trap)) => format!("trap: {trap}"),
        _ => e.to_string(),
    };
    let text = String::from_utf8_lossy(&store.data().output);
    let text = text.trim();
    if !text.is_empty() {
        what.push('\n');
        what.push_str(text);
    }
    Error::Crash(format!("licverify: the module crashed ({during}): {what}"))
}
