use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use wasmtime::{Config, Engine, InstancePre, Module};

use crate::cache::{self, CacheDir};
use crate::frame::oversized_response;
use crate::results::{parse, Accept, Canonicalized, Fingerprint, License, Plan, QKey, RevocationSet, StatusProof};
use crate::revocation::LoadedRevocationSet;
use crate::runtime::{prepare, Host, Instance};
use crate::{Error, Request};

/// The module this crate was built with (`make wasm` copies it here).
pub const WASM: &[u8] = include_bytes!("../licverify.wasm");

/// Each instance's linear memory is bounded by default to 2 GiB, as in
/// the Go host: enough to verify a revocation set at its 64 MiB limit.
pub const DEFAULT_MEMORY_LIMIT: usize = 2 << 30;

/// An idle instance whose memory grew past this is dropped rather than
/// pooled: wasm memory never shrinks, and dropping the instance gives it
/// back. A fresh instance has 4 MiB; a 100,000-id set grows it to about
/// 21 MiB (kept), a 1,000,000-id set to about 190 MiB (dropped).
const RECYCLE_MEMORY: usize = 64 << 20;

const INTERNAL: &[u8] = br#"{"error":"internal: "#;

/// How the compiled module was obtained, for tools and benchmarks.
#[derive(Debug, Clone)]
pub struct LoadInfo {
    /// `"memory"` (compiled earlier in this process), `"disk"` (the
    /// compilation cache) or `"compiled"`.
    pub source: &'static str,
    /// How long obtaining it took.
    pub seconds: f64,
    /// The cache entry's path, when there is a cache directory.
    pub cache_file: Option<PathBuf>,
    /// Why the disk cache was not used (a directory refused because others
    /// could change its code, or one that cannot be created); `None` when
    /// it was, or when there is none.
    pub cache_error: Option<String>,
}

/// The process's one engine, with the default configuration: compiled
/// code from the disk cache is only valid for the configuration it was
/// compiled with.
fn engine() -> Result<&'static Engine, Error> {
    static E: OnceLock<Result<Engine, String>> = OnceLock::new();
    E.get_or_init(|| Engine::new(&Config::new()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Module(format!("licverify: wasmtime engine: {e}")))
}

type ModuleKey = ([u8; 32], Option<PathBuf>);

/// The compiled module for `wasm`: from memory, else the disk cache, else
/// compiled (and written to the cache). A cache that cannot be read or
/// written costs speed, never correctness; an entry that does not
/// authenticate is never deserialized.
fn compiled(wasm: &[u8], cache_dir: Option<PathBuf>) -> Result<(Module, LoadInfo), Error> {
    static MODULES: OnceLock<Mutex<HashMap<ModuleKey, (Module, LoadInfo)>>> = OnceLock::new();
    let digest: [u8; 32] = Sha256::digest(wasm).into();
    let key = (digest, cache_dir.clone());
    let mut modules = lock(MODULES.get_or_init(Default::default));
    if let Some((m, info)) = modules.get(&key) {
        return Ok((m.clone(), LoadInfo { source: "memory", seconds: 0.0, ..info.clone() }));
    }
    let eng = engine()?;
    let started = Instant::now();
    let (store, cache_error) = match cache_dir.as_deref().map(CacheDir::open) {
        Some(Ok(s)) => (Some(s), None),
        Some(Err(why)) => (None, Some(why)),
        None => (None, None),
    };
    let name = cache::entry_name(&digest);
    let mut source = "compiled";
    let mut module = None;
    if let Some(body) = store.as_ref().and_then(|s| s.load(&name)) {
        // SAFETY: the body is one this user's process wrote: read from a
        // directory no one else can write, through no symbolic link, and
        // authenticated with the HMAC under this user's 0600 secret before
        // this point (cache.rs). wasmtime refuses a body from another
        // version, configuration or CPU with an error.
        if let Ok(m) = unsafe { Module::deserialize(eng, &body) } {
            module = Some(m);
            source = "disk";
        }
    }
    let module = match module {
        Some(m) => m,
        None => {
            let m = Module::new(eng, wasm)
                .map_err(|e| Error::Module(format!("licverify: the module does not compile: {e:#}")))?;
            if let (Some(s), Ok(body)) = (store.as_ref(), m.serialize()) {
                s.save(&name, &body);
            }
            m
        }
    };
    let info = LoadInfo {
        source,
        seconds: started.elapsed().as_secs_f64(),
        cache_file: store.as_ref().map(|s| s.path().join(&name)),
        cache_error,
    };
    modules.insert(key, (module.clone(), info.clone()));
    Ok((module, info))
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the pool's bookkeeping as it
    // was (no invariant spans the panic), so a poisoned lock is used on.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Settings for a [`Verifier`]; start from [`Verifier::builder`].
#[derive(Debug, Clone)]
pub struct Builder {
    max_instances: usize,
    memory_limit: usize,
    cache_dir: Option<PathBuf>,
    disk_cache: bool,
    wasm: Option<Vec<u8>>,
}

impl Builder {
    /// At most this many instances run at once (default: the number of
    /// CPUs); further callers wait for one. At least 1.
    pub fn max_instances(mut self, n: usize) -> Builder {
        self.max_instances = n;
        self
    }

    /// Bounds each instance's linear memory, in bytes (default 2 GiB,
    /// enough for a 64 MiB revocation set; 64 KiB up to 4 GiB). A request
    /// that needs more fails with [`Error::Crash`].
    pub fn memory_limit(mut self, bytes: usize) -> Builder {
        self.memory_limit = bytes;
        self
    }

    /// Where compiled code is kept between processes (default:
    /// `$LICVERIFY_CACHE_DIR`, else the user cache directory's
    /// `licverify/wasmtime-rs`). It is used only when no one but this
    /// user can change it (RATIONALE.md, "A compilation cache is code").
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.cache_dir = Some(dir.into());
        self
    }

    /// `false` compiles the module in memory in every process, touching no
    /// disk (default `true`).
    pub fn disk_cache(mut self, on: bool) -> Builder {
        self.disk_cache = on;
        self
    }

    /// Replaces the embedded module (for tests and tools).
    pub fn wasm(mut self, wasm: impl Into<Vec<u8>>) -> Builder {
        self.wasm = Some(wasm.into());
        self
    }

    /// Compiles the module (or loads it from the cache) and makes the
    /// verifier; instances are made on first use. [`Error::BadRequest`]
    /// for settings out of range, [`Error::Module`] for a module that does
    /// not compile or is not licverify's.
    pub fn build(self) -> Result<Verifier, Error> {
        if self.max_instances < 1 {
            return Err(Error::BadRequest("licverify: max_instances must be at least 1".into()));
        }
        if !(65536..=4 << 30).contains(&self.memory_limit) {
            return Err(Error::BadRequest("licverify: memory_limit must be between 64 KiB and 4 GiB".into()));
        }
        let dir = if self.disk_cache { self.cache_dir.or_else(cache::default_dir) } else { None };
        let (module, load_info) = compiled(self.wasm.as_deref().unwrap_or(WASM), dir)?;
        let pre = prepare(engine()?, &module)?;
        Ok(Verifier {
            inner: Arc::new(Inner {
                pre,
                memory_limit: self.memory_limit,
                max_instances: self.max_instances,
                pool: Mutex::new(Pool { idle: Vec::new(), busy: 0, closed: false }),
                freed: Condvar::new(),
                created: AtomicUsize::new(0),
                load_info,
            }),
        })
    }
}

struct Pool {
    idle: Vec<Instance>,
    busy: usize,
    closed: bool,
}

pub(crate) struct Inner {
    pre: InstancePre<Host>,
    memory_limit: usize,
    max_instances: usize,
    pool: Mutex<Pool>,
    freed: Condvar,
    created: AtomicUsize,
    load_info: LoadInfo,
}

impl Inner {
    pub(crate) fn new_instance(&self) -> Result<Instance, Error> {
        let inst = Instance::new(&self.pre, self.memory_limit)?;
        self.created.fetch_add(1, Ordering::Relaxed);
        Ok(inst)
    }

    /// Traps one pooled instance for real (a second `_initialize`), for
    /// tests of recovery; the instance is discarded.
    pub(crate) fn trap_for_test(&self) -> Error {
        match self.get() {
            Ok(mut inst) => {
                let e = inst.trap_for_test();
                self.put(Some(inst));
                e
            }
            Err(e) => e,
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        lock(&self.pool).closed
    }

    /// An instance no other caller is using: an idle one, else a new one
    /// while fewer than `max_instances` run, else wait for one.
    fn get(&self) -> Result<Instance, Error> {
        let mut pool = lock(&self.pool);
        loop {
            if pool.closed {
                return Err(Error::Closed);
            }
            if let Some(inst) = pool.idle.pop() {
                pool.busy += 1;
                return Ok(inst);
            }
            if pool.busy < self.max_instances {
                pool.busy += 1;
                break;
            }
            pool = self.freed.wait(pool).unwrap_or_else(|e| e.into_inner());
        }
        drop(pool);
        self.new_instance().inspect_err(|_| self.put(None))
    }

    /// Gives an instance back; `None`, a broken one or one that grew large
    /// is dropped (a broken one may hold broken state, and dropping a large
    /// one gives its memory back).
    fn put(&self, inst: Option<Instance>) {
        let mut pool = lock(&self.pool);
        pool.busy -= 1;
        if let Some(inst) = inst {
            if !inst.broken && !pool.closed && inst.memory_size() <= RECYCLE_MEMORY {
                pool.idle.push(inst);
            }
        }
        drop(pool);
        self.freed.notify_one();
    }

    /// Sends a frame to a pooled instance and returns the response,
    /// replacing the instance and trying once more when it crashes, cannot
    /// allocate the request, or reports an internal error, so that a fault
    /// left by an earlier call never surfaces; a fault the request itself
    /// causes is [`Error::Crash`].
    pub(crate) fn exchange(&self, frame: &[u8]) -> Result<Vec<u8>, Error> {
        if let Some(resp) = oversized_response(frame.len()) {
            return Ok(resp);
        }
        let mut last = None;
        for _attempt in 0..2 {
            let mut inst = self.get()?;
            let r = exchange_checked(&mut inst, frame);
            self.put(Some(inst));
            match r {
                Ok(resp) => return Ok(resp),
                Err(e @ Error::Crash(_)) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Crash("licverify: no attempt was made".into())))
    }
}

/// One call on one instance, with every failure an error that breaks the
/// instance: a trap or exit, an `alloc` that failed, an internal error.
pub(crate) fn exchange_checked(inst: &mut Instance, frame: &[u8]) -> Result<Vec<u8>, Error> {
    match inst.call(frame)? {
        None => Err(Error::Crash(format!(
            "licverify: the module could not allocate a request of {} bytes within its memory limit",
            frame.len()
        ))),
        Some(resp) if resp.starts_with(INTERNAL) => {
            inst.broken = true;
            Err(Error::Crash(format!("licverify: the module failed: {}", String::from_utf8_lossy(&resp))))
        }
        Some(resp) => Ok(resp),
    }
}

/// Runs the licverify module: the typed methods below, and
/// [`call`](Verifier::call) for raw frames.
///
/// `Send + Sync`: share one (in an `Arc`, or a `static`) between threads.
/// Each call borrows an instance of the module that no other thread is
/// using, from a pool of at most `max_instances`; further callers wait.
/// An instance that traps, exits, runs out of its memory limit or reports
/// an internal error is discarded and the call tried once more on a fresh
/// one; a request that brings a fresh instance down too is
/// [`Error::Crash`]. Nothing panics.
///
/// ```
/// let v = licverify::Verifier::new()?;
/// let r = v.canonicalize(r#"{"b": 2, "a": 1}"#, None)?;
/// assert!(r.valid);
/// assert_eq!(r.canonical.as_deref(), Some(r#"{"a":1,"b":2}"#));
/// # Ok::<(), licverify::Error>(())
/// ```
pub struct Verifier {
    pub(crate) inner: Arc<Inner>,
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Verifier>();
    send_sync::<LoadedRevocationSet>();
};

/// The default number of instances: the number of CPUs.
fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

impl Verifier {
    /// A verifier with the default settings (see [`Builder`]).
    pub fn new() -> Result<Verifier, Error> {
        Verifier::builder().build()
    }

    /// Settings for a verifier.
    pub fn builder() -> Builder {
        Builder {
            max_instances: cpus(),
            memory_limit: DEFAULT_MEMORY_LIMIT,
            cache_dir: None,
            disk_cache: true,
            wasm: None,
        }
    }

    /// How the compiled module was obtained.
    pub fn load_info(&self) -> &LoadInfo {
        &self.inner.load_info
    }

    /// How many instances were made so far (one more each time a crashed
    /// one is replaced).
    pub fn instances_created(&self) -> usize {
        self.inner.created.load(Ordering::Relaxed)
    }

    /// Drops the idle instances; later calls are [`Error::Closed`]. Calls
    /// in flight finish on their instances. Loaded revocation sets keep
    /// working until dropped.
    pub fn close(&self) {
        let mut pool = lock(&self.inner.pool);
        pool.closed = true;
        pool.idle.clear();
        drop(pool);
        self.inner.freed.notify_all();
    }

    /// Sends a raw request frame (wasm/ABI.md: `LVR2`, the header length,
    /// the JSON header, the parts; build one with [`Request::encode`] or
    /// [`encode_frame`](crate::encode_frame)) as it is, and returns the
    /// module's response unchanged: a result, or `{"error": ...}` for a
    /// bad request or a keyring that does not load. `Err` only when the
    /// module fails ([`Error::Crash`]) or the verifier is closed.
    ///
    /// ```
    /// let v = licverify::Verifier::new()?;
    /// let resp = v.call(b"LVR2\x02\x00\x00\x00{}")?;
    /// assert!(resp.starts_with(b"{\"error\":\"licverify: bad request: "));
    /// # Ok::<(), licverify::Error>(())
    /// ```
    pub fn call(&self, frame: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner.exchange(frame)
    }

    pub(crate) fn send<T: DeserializeOwned>(&self, req: &Request) -> Result<T, Error> {
        parse(&self.inner.exchange(&req.encode()?)?)
    }

    /// The RFC 8785 canonical form of a JSON document, after the strict
    /// I-JSON checks every signed document gets (`malformed_json`,
    /// `duplicate_key`, `input_too_large` otherwise). `limit` lowers the
    /// 1 MiB size limit.
    pub fn canonicalize(&self, document: impl AsRef<[u8]>, limit: Option<u64>) -> Result<Canonicalized, Error> {
        self.send(&Request::new("canonicalize").part("document", document.as_ref()).header_opt("limit", limit))
    }

    /// Hashes fingerprint components (a JSON object of the device's
    /// identifiers) as every runtime does: `binding_hash` and `machine_id`
    /// (docs/formats.md, "Fingerprint components").
    ///
    /// ```
    /// let v = licverify::Verifier::new()?;
    /// let f = v.fingerprint(r#"{"machine_id":"m1","hostname":"h"}"#)?;
    /// assert!(f.binding_hash.unwrap().starts_with("sha256:"));
    /// assert_eq!(f.machine_id.unwrap().len(), 32);
    /// # Ok::<(), licverify::Error>(())
    /// ```
    pub fn fingerprint(&self, components: impl AsRef<[u8]>) -> Result<Fingerprint, Error> {
        self.send(&Request::new("fingerprint").part("components", components.as_ref()))
    }

    /// Verifies a license status proof offline: the proof object, the
    /// API's `{"proof": ...}` wrapper, or the compact base64 form, against
    /// the keyring (`keys`: a JSON array, a JWKS or PEM public keys) at
    /// `now` (RFC 3339). A proof that fails is a result (`valid` false,
    /// `code` why); a keyring that does not load is [`Error::Keyring`].
    ///
    /// ```no_run
    /// use licverify::{StatusProofOptions, Verifier};
    ///
    /// let v = Verifier::new()?;
    /// let proof = std::fs::read("proof.json").unwrap();
    /// let keys = std::fs::read("keyring.json").unwrap();
    /// let r = v.status_proof(&proof, &keys, "2026-03-01T12:00:00Z", &StatusProofOptions {
    ///     license_id: Some("LIC-DEMO-0001"),
    ///     ..Default::default()
    /// })?;
    /// if !r.valid {
    ///     eprintln!("refused: {} ({})", r.code, r.message);
    /// }
    /// # Ok::<(), licverify::Error>(())
    /// ```
    pub fn status_proof(
        &self,
        proof: impl AsRef<[u8]>,
        keys: impl AsRef<[u8]>,
        now: &str,
        opts: &StatusProofOptions<'_>,
    ) -> Result<StatusProof, Error> {
        let req = Request::new("status_proof")
            .part("proof", proof.as_ref())
            .part("keys", keys.as_ref())
            .header("now", now)
            .header_opt("license_id", opts.license_id)
            .part_opt("fingerprint", opts.fingerprint)
            .header_opt("min_epoch", opts.min_epoch)
            .header_opt("max_ttl_seconds", opts.max_ttl_seconds)
            .header_opt("skew_seconds", opts.skew_seconds)
            .header_opt("limit", opts.limit);
        self.send(&req)
    }

    /// Verifies a revocation set, applies its deltas in order (at most
    /// 4,096; `delta_base_mismatch` when one does not follow on), and
    /// looks `opts.lookup`'s license ids up in the result (at most
    /// 65,536). Rollback (`min_epoch`) and freshness are decided where the
    /// chain ends.
    pub fn revocation_set(
        &self,
        set: impl AsRef<[u8]>,
        keys: impl AsRef<[u8]>,
        now: &str,
        opts: &RevocationOptions<'_>,
    ) -> Result<RevocationSet, Error> {
        let mut r: RevocationSet =
            self.send(&revocation_request("revocation_set", set.as_ref(), keys.as_ref(), now, opts))?;
        r.handle = None;
        Ok(r)
    }

    /// Verifies a set (and its deltas) as [`revocation_set`](Verifier::revocation_set)
    /// does and, when it is valid, keeps it inside a module instance of its
    /// own for O(1) lookups that never send or verify it again. Check
    /// [`LoadedRevocationSet::result`]: a set that did not verify holds
    /// nothing, and its lookups are [`Error::NotLoaded`]. Dropping it
    /// frees the set and its instance.
    pub fn load_revocation_set(
        &self,
        set: impl AsRef<[u8]>,
        keys: impl AsRef<[u8]>,
        now: &str,
        opts: &RevocationOptions<'_>,
    ) -> Result<LoadedRevocationSet, Error> {
        LoadedRevocationSet::load(
            self.inner.clone(),
            revocation_request("revocation_load", set.as_ref(), keys.as_ref(), now, opts),
        )
    }

    /// Evaluates a license.key with the previous license.state.json
    /// (`opts.state`): run, warn or block, with every reason, and the new
    /// state to write ([`License::state`]).
    pub fn license(
        &self,
        license: impl AsRef<[u8]>,
        keys: impl AsRef<[u8]>,
        now: &str,
        product_id: &str,
        opts: &LicenseOptions<'_>,
    ) -> Result<License, Error> {
        let req = Request::new("license")
            .part("license", license.as_ref())
            .part("keys", keys.as_ref())
            .header("now", now)
            .header("product_id", product_id)
            .header_opt("fingerprint_hash", opts.fingerprint_hash)
            .part_opt("state", opts.state)
            .header_opt("release_date", opts.release_date)
            .header_opt("server_time", opts.server_time);
        self.send(&req)
    }

    /// What holds now and when to fetch each document again, from what a
    /// host has cached (docs/formats.md, "The lifecycle ops"): the verdict,
    /// the epoch to store, and when to refresh the proof and sync the set,
    /// and why. Pure: nothing is kept between calls; every cached document
    /// is verified again. `now` is an RFC 3339 time.
    ///
    /// ```no_run
    /// use licverify::{PlanOptions, Verifier};
    ///
    /// let v = Verifier::new()?;
    /// let keys = std::fs::read("keyring.json").unwrap();
    /// let proof = std::fs::read("proof.json").unwrap();
    /// let p = v.plan(&keys, "2026-03-01T12:00:00Z", &PlanOptions { proof: Some(&proof), ..Default::default() })?;
    /// println!("{} ({}); fetch a proof at {} ({})", p.code, p.message, p.refresh_proof.at, p.refresh_proof.reason);
    /// # Ok::<(), licverify::Error>(())
    /// ```
    pub fn plan(&self, keys: impl AsRef<[u8]>, now: &str, opts: &PlanOptions<'_>) -> Result<Plan, Error> {
        let mut req = Request::new("plan").part("keys", keys.as_ref()).header("now", now);
        req = cached(req, opts.proof, opts.set, &opts.deltas, opts.fingerprint)
            .header_opt("license_id", opts.license_id)
            .header_opt("min_epoch", opts.min_epoch)
            .header_opt("max_ttl_seconds", opts.max_ttl_seconds)
            .header_opt("skew_seconds", opts.skew_seconds)
            .header_opt("synced_at", opts.synced_at)
            .header_opt("proof_failures", opts.proof_failures)
            .header_opt("proof_failed_at", opts.proof_failed_at)
            .header_opt("set_failures", opts.set_failures)
            .header_opt("set_failed_at", opts.set_failed_at)
            .header_opt("refresh_percent", opts.refresh_percent)
            .header_opt("sync_interval_seconds", opts.sync_interval_seconds)
            .header_opt("backoff_seconds", opts.backoff_seconds)
            .header_opt("backoff_max_seconds", opts.backoff_max_seconds)
            .header_opt("max_deltas", opts.max_deltas);
        self.send(&req)
    }

    /// Whether a fetched document replaces the cached one, and what to
    /// persist (docs/formats.md, "The lifecycle ops", accept). `kind` is
    /// `"proof"` or `"revocation"` (a delta when the document has a
    /// `since_epoch` member, else a full set); another kind is
    /// [`Error::BadRequest`]. Never taken: a document that does not
    /// verify, a lower epoch than stored, an older proof over a newer one,
    /// a delta that does not chain.
    pub fn accept(
        &self,
        fetched: impl AsRef<[u8]>,
        kind: &str,
        keys: impl AsRef<[u8]>,
        now: &str,
        opts: &AcceptOptions<'_>,
    ) -> Result<Accept, Error> {
        let mut req = Request::new("accept")
            .part("fetched", fetched.as_ref())
            .header("kind", kind)
            .part("keys", keys.as_ref())
            .header("now", now);
        req = cached(req, opts.proof, opts.set, &opts.deltas, opts.fingerprint)
            .header_opt("license_id", opts.license_id)
            .header_opt("min_epoch", opts.min_epoch)
            .header_opt("max_ttl_seconds", opts.max_ttl_seconds)
            .header_opt("skew_seconds", opts.skew_seconds)
            .header_opt("max_deltas", opts.max_deltas);
        self.send(&req)
    }

    /// Decrypts and verifies a QuantumMeta .qkey license: the file's bytes
    /// as they are (encrypted or plain JSON). Encrypted files take PBKDF2
    /// with 100,000 iterations: hundreds of milliseconds here.
    pub fn qkey(
        &self,
        qkey: impl AsRef<[u8]>,
        keys: impl AsRef<[u8]>,
        now: &str,
        opts: &QKeyOptions<'_>,
    ) -> Result<QKey, Error> {
        let req = Request::new("qkey")
            .part("qkey", qkey.as_ref())
            .part("keys", keys.as_ref())
            .header("now", now)
            .header_opt("password", opts.password)
            .header_opt("package", opts.package)
            .header_opt("machine_id", opts.machine_id)
            .header_opt("allow_unsigned", opts.allow_unsigned.then_some(true))
            .header_opt("limit", opts.limit);
        self.send(&req)
    }
}

/// The cache's parts of a `plan` or `accept` request.
fn cached(
    mut req: Request,
    proof: Option<&[u8]>,
    set: Option<&[u8]>,
    deltas: &[&[u8]],
    fingerprint: Option<&[u8]>,
) -> Request {
    req = req.part_opt("proof", proof).part_opt("set", set);
    for d in deltas {
        req = req.part("deltas", *d);
    }
    req.part_opt("fingerprint", fingerprint)
}

/// Options of [`Verifier::plan`]: what the host has cached and its policy
/// (docs/formats.md, "The lifecycle ops"); `None` is none cached or the
/// module's default.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions<'a> {
    /// The cached status proof, in any of its three forms.
    pub proof: Option<&'a [u8]>,
    /// The cached base revocation set.
    pub set: Option<&'a [u8]>,
    /// The deltas cached after `set`, in order (at most 4,096).
    pub deltas: Vec<&'a [u8]>,
    /// The license the proof must be for.
    pub license_id: Option<&'a str>,
    /// This device's fingerprint components (a JSON object).
    pub fingerprint: Option<&'a [u8]>,
    /// The stored anti-rollback epoch.
    pub min_epoch: Option<u64>,
    /// The longest proof lifetime accepted, in seconds.
    pub max_ttl_seconds: Option<u64>,
    /// Tolerance for times in the future, in seconds.
    pub skew_seconds: Option<u64>,
    /// When the set (or its last delta) was last taken (RFC 3339).
    pub synced_at: Option<&'a str>,
    /// Consecutive failed proof fetches.
    pub proof_failures: Option<u64>,
    /// When the last of them happened (RFC 3339).
    pub proof_failed_at: Option<&'a str>,
    /// Consecutive failed set fetches.
    pub set_failures: Option<u64>,
    /// When the last of them happened (RFC 3339).
    pub set_failed_at: Option<&'a str>,
    /// The refresh point, in percent of the proof's lifetime (default 75).
    pub refresh_percent: Option<u64>,
    /// Seconds between syncs (default 300).
    pub sync_interval_seconds: Option<u64>,
    /// The first retry delay, in seconds (default 30).
    pub backoff_seconds: Option<u64>,
    /// The retry delay's cap, in seconds (default 3600).
    pub backoff_max_seconds: Option<u64>,
    /// The chain length at which a full set is due (default 256).
    pub max_deltas: Option<u64>,
}

/// Options of [`Verifier::accept`]: the cache and the options, as for
/// [`PlanOptions`].
#[derive(Debug, Clone, Default)]
pub struct AcceptOptions<'a> {
    /// The cached status proof.
    pub proof: Option<&'a [u8]>,
    /// The cached base revocation set.
    pub set: Option<&'a [u8]>,
    /// The deltas cached after `set`, in order.
    pub deltas: Vec<&'a [u8]>,
    /// The license the proof must be for.
    pub license_id: Option<&'a str>,
    /// This device's fingerprint components (a JSON object).
    pub fingerprint: Option<&'a [u8]>,
    /// The stored anti-rollback epoch.
    pub min_epoch: Option<u64>,
    /// The longest proof lifetime accepted, in seconds.
    pub max_ttl_seconds: Option<u64>,
    /// Tolerance for times in the future, in seconds.
    pub skew_seconds: Option<u64>,
    /// The chain length at which a full set is due (default 256).
    pub max_deltas: Option<u64>,
}

fn revocation_request(op: &str, set: &[u8], keys: &[u8], now: &str, opts: &RevocationOptions<'_>) -> Request {
    let mut req = Request::new(op).part("set", set).part("keys", keys).header("now", now);
    for d in &opts.deltas {
        req = req.part("deltas", *d);
    }
    if !opts.lookup.is_empty() {
        req = req.header("lookup", opts.lookup.to_vec());
    }
    req.header_opt("min_epoch", opts.min_epoch)
        .header_opt("allow_stale", opts.allow_stale.then_some(true))
        .header_opt("skew_seconds", opts.skew_seconds)
        .header_opt("limit", opts.limit)
}

/// Options of [`Verifier::status_proof`]; `None` is the module's default.
#[derive(Debug, Clone, Default)]
pub struct StatusProofOptions<'a> {
    /// The license the proof must be for (`license_mismatch` otherwise).
    pub license_id: Option<&'a str>,
    /// This device's fingerprint components (a JSON object), for a bound
    /// proof (`device_required`, `device_mismatch`).
    pub fingerprint: Option<&'a [u8]>,
    /// The stored anti-rollback epoch (default 0): `epoch_rollback` below it.
    pub min_epoch: Option<u64>,
    /// The longest lifetime accepted, in seconds (default 604800, 7 days).
    pub max_ttl_seconds: Option<u64>,
    /// Tolerance for "issued in the future", in seconds (default 300).
    pub skew_seconds: Option<u64>,
    /// The largest proof accepted, in bytes (1 up to the default 1 MiB).
    pub limit: Option<u64>,
}

/// Options of [`Verifier::revocation_set`] and [`Verifier::load_revocation_set`].
#[derive(Debug, Clone, Default)]
pub struct RevocationOptions<'a> {
    /// Deltas applied to the set in order (at most 4,096).
    pub deltas: Vec<&'a [u8]>,
    /// The stored anti-rollback epoch (default 0).
    pub min_epoch: Option<u64>,
    /// Accept a set past its `valid_until` (then `stale` is true).
    pub allow_stale: bool,
    /// License ids to look up in the verified set (at most 65,536, none empty).
    pub lookup: Vec<&'a str>,
    /// Tolerance for "issued in the future", in seconds (default 300).
    pub skew_seconds: Option<u64>,
    /// The largest document accepted, in bytes (1 up to the default 64 MiB).
    pub limit: Option<u64>,
}

/// Options of [`Verifier::license`].
#[derive(Debug, Clone, Default)]
pub struct LicenseOptions<'a> {
    /// This device's `sha256:<hex>` hash ([`Verifier::fingerprint`]'s
    /// `binding_hash`), for a bound license.
    pub fingerprint_hash: Option<&'a str>,
    /// The previous license.state.json's bytes, as [`License::state`]
    /// gave them last time.
    pub state: Option<&'a [u8]>,
    /// The release date of this build (RFC 3339): `update_allowed` says
    /// whether the license's updates cover it.
    pub release_date: Option<&'a str>,
    /// The time the vendor's server reported in a successful online check
    /// just made over an authenticated channel (RFC 3339): restarts the
    /// clock guard. Pass it only right after such a check.
    pub server_time: Option<&'a str>,
}

/// Options of [`Verifier::qkey`].
#[derive(Debug, Clone, Default)]
pub struct QKeyOptions<'a> {
    /// The password of an encrypted file.
    pub password: Option<&'a str>,
    /// The package the license must be for.
    pub package: Option<&'a str>,
    /// This device's machine id (32 hex digits, [`Verifier::fingerprint`]'s
    /// `machine_id`), for a bound license.
    pub machine_id: Option<&'a str>,
    /// Accept a license without a signature (then `signed` is false).
    pub allow_unsigned: bool,
    /// The largest file accepted, in bytes (1 up to the default 1 MiB).
    pub limit: Option<u64>,
}
