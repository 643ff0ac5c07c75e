//! A revocation set verified once and held inside the module
//! (`revocation_load`), so that lookups are O(1) and never send or verify
//! the set again.

use std::sync::{Arc, Mutex};

use crate::results::{parse, Freed, Lookups, RevocationSet};
use crate::runtime::Instance;
use crate::verifier::{exchange_checked, lock, Inner};
use crate::{Error, Request};

/// A verified revocation set held by a module instance of its own under a
/// handle, made by [`Verifier::load_revocation_set`](crate::Verifier::load_revocation_set).
/// `Send + Sync`; calls on one set run one at a time. Dropping it frees
/// the set and its instance.
///
/// It keeps the requests that built it (the load and every accepted
/// apply): when its instance crashes, a fresh one loads the set again from
/// them on next use, so lookups keep working. That costs the memory of the
/// set's bytes until it is dropped.
///
/// ```
/// use licverify::{Error, RevocationOptions, Verifier};
///
/// let v = Verifier::new()?;
/// // Not a revocation set: a result that says why, and nothing held.
/// let set = v.load_revocation_set("{}", r#"[]"#, "2026-01-01T00:00:00Z", &RevocationOptions::default());
/// // An empty keyring is the caller's configuration: an error, not a result.
/// assert!(matches!(set, Err(Error::BadRequest(_))));
/// # Ok::<(), Error>(())
/// ```
pub struct LoadedRevocationSet {
    result: RevocationSet,
    state: Mutex<State>,
}

struct State {
    verifier: Arc<Inner>,
    instance: Option<Instance>,
    handle: i64,
    load: Vec<u8>,
    applies: Vec<Request>,
    closed: bool,
}

impl LoadedRevocationSet {
    pub(crate) fn load(verifier: Arc<Inner>, req: Request) -> Result<LoadedRevocationSet, Error> {
        if verifier.is_closed() {
            return Err(Error::Closed);
        }
        let load = req.encode()?;
        let mut state = State { verifier, instance: None, handle: 0, load, applies: Vec::new(), closed: false };
        let frame = state.load.clone();
        let mut result: RevocationSet = parse(&state.exchange(|_| Ok(frame.clone()), true)?)?;
        let handle = result.handle.take();
        if !result.valid {
            // Nothing was kept: no instance, no request to hold on to.
            state.instance = None;
            state.load = Vec::new();
            state.closed = true;
        } else {
            state.handle = handle.ok_or_else(|| {
                Error::Crash("licverify: revocation_load answered a valid set without a handle".into())
            })?;
        }
        Ok(LoadedRevocationSet { result, state: Mutex::new(state) })
    }

    /// The verification of the set and its deltas, as
    /// [`Verifier::revocation_set`](crate::Verifier::revocation_set) gives it
    /// (its lookups included).
    pub fn result(&self) -> &RevocationSet {
        &self.result
    }

    /// Whether the set verified and is held.
    pub fn valid(&self) -> bool {
        self.result.valid
    }

    /// The status of license ids at `now` (at most 65,536 a call, none
    /// empty): revoked, suspended (with its end) or not revoked. A set that
    /// has expired since it was loaded answers `set_expired` (no lookups)
    /// unless it allows stale lookups.
    pub fn lookup(&self, ids: &[&str], now: &str) -> Result<Lookups, Error> {
        let req = Request::new("revocation_lookup").header("ids", ids.to_vec()).header("now", now);
        let mut st = self.open()?;
        parse(&st.send(&req)?)
    }

    /// Moves the set forward with deltas, in order, in one request (each
    /// must follow on from the epoch before it: `delta_base_mismatch`
    /// otherwise; at most 4,096). Rollback (`min_epoch`) and freshness
    /// (`allow_stale`) are decided where the chain ends, so a set loaded on
    /// its own terms (no stored epoch, stale allowed) is lifted here, with
    /// the stored epoch, to the set the chain reaches. On success the set
    /// is the new one; on a rejection it stays as it was. The result is
    /// the new set's.
    pub fn apply_deltas(
        &self,
        deltas: &[&[u8]],
        keys: impl AsRef<[u8]>,
        now: &str,
        opts: &ApplyOptions,
    ) -> Result<RevocationSet, Error> {
        let mut req = Request::new("revocation_apply").part("keys", keys.as_ref()).header("now", now);
        for d in deltas {
            req = req.part("deltas", *d);
        }
        let req = req
            .header_opt("min_epoch", opts.min_epoch)
            .header_opt("allow_stale", opts.allow_stale.then_some(true))
            .header_opt("skew_seconds", opts.skew_seconds)
            .header_opt("limit", opts.limit);
        let mut st = self.open()?;
        let mut result: RevocationSet = parse(&st.send(&req)?)?;
        result.handle = None;
        if result.valid {
            // Kept to move a reloaded set forward again after a crash.
            st.applies.push(req);
        }
        Ok(result)
    }

    /// Makes the set's instance trap for real, for tests of recovery.
    pub(crate) fn trap_for_test(&self) -> Option<Error> {
        let mut st = lock(&self.state);
        st.instance.as_mut().map(Instance::trap_for_test)
    }

    fn open(&self) -> Result<std::sync::MutexGuard<'_, State>, Error> {
        if !self.result.valid {
            return Err(Error::NotLoaded(self.result.code.clone()));
        }
        let st = lock(&self.state);
        if st.closed {
            return Err(Error::Closed);
        }
        Ok(st)
    }
}

fn with_handle(req: &Request, handle: i64) -> Result<Vec<u8>, Error> {
    let mut req = req.clone();
    req.set_header("handle", handle.into());
    req.encode()
}

impl State {
    fn send(&mut self, req: &Request) -> Result<Vec<u8>, Error> {
        self.exchange(|handle| with_handle(req, handle), false)
    }

    /// Sends `build(handle)` to the set's instance, replacing a crashed
    /// instance (and loading the set into the new one) and trying once
    /// more, as the pool does.
    fn exchange(&mut self, build: impl Fn(i64) -> Result<Vec<u8>, Error>, loading: bool) -> Result<Vec<u8>, Error> {
        let mut last = None;
        for _attempt in 0..2 {
            let inst = match self.instance.take() {
                Some(i) if !i.broken => i,
                _ if loading => self.verifier.new_instance()?,
                _ => self.reload()?,
            };
            let inst = self.instance.insert(inst);
            match exchange_checked(inst, &build(self.handle)?) {
                Ok(resp) => return Ok(resp),
                Err(e @ Error::Crash(_)) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(Error::Closed))
    }

    /// A fresh instance holding the set again, built from the requests
    /// that built it, after its instance crashed.
    fn reload(&mut self) -> Result<Instance, Error> {
        let mut inst = self.verifier.new_instance()?;
        let loaded: RevocationSet = parse(&exchange_checked(&mut inst, &self.load)?)?;
        let handle = match (loaded.valid, loaded.handle) {
            (true, Some(h)) => h,
            _ => {
                return Err(Error::Crash(format!(
                    "licverify: loading the revocation set again after a crash gave {}",
                    loaded.code
                )))
            }
        };
        for req in &self.applies {
            let r: RevocationSet = parse(&exchange_checked(&mut inst, &with_handle(req, handle)?)?)?;
            if !r.valid {
                return Err(Error::Crash(format!("licverify: applying deltas again after a crash gave {}", r.code)));
            }
        }
        self.handle = handle;
        Ok(inst)
    }
}

impl Drop for LoadedRevocationSet {
    fn drop(&mut self) {
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        st.closed = true;
        if let Some(mut inst) = st.instance.take() {
            if !inst.broken {
                // The instance is dropped either way; freeing the handle
                // first is what the ABI asks of a set no longer used.
                if let Ok(frame) = Request::new("revocation_free").header("handle", st.handle).encode() {
                    let _ = exchange_checked(&mut inst, &frame).and_then(|r| parse::<Freed>(&r));
                }
            }
        }
    }
}

/// Options of [`LoadedRevocationSet::apply_deltas`]; `None` is the module's default.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// The stored anti-rollback epoch (default 0).
    pub min_epoch: Option<u64>,
    /// Accept a chain that ends past its `valid_until`; remembered for
    /// later lookups.
    pub allow_stale: bool,
    /// Tolerance for "issued in the future", in seconds (default 300).
    pub skew_seconds: Option<u64>,
    /// The largest delta accepted, in bytes (1 up to the default 64 MiB).
    pub limit: Option<u64>,
}
