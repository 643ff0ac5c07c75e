//! The on-disk cache of compiled code, trusted only where no one else can
//! change it: its entries are machine code this process runs as it is,
//! and wasmtime documents `Module::deserialize` as unsafe for bytes it did
//! not write. The rules are the Go host's and the Python package's
//! (RATIONALE.md, "A compilation cache is code"), and a directory may be
//! shared with them (`LICVERIFY_CACHE_DIR`; the entries' names differ):
//!
//! - The directory must be this user's and writable by no one else; each
//!   directory above it this user's or root's, and writable by no one else
//!   unless sticky (as /tmp is). Otherwise it is refused, with the reason,
//!   and nothing is created there.
//! - Each entry is `LVCODE1\n`, an HMAC-SHA256 of the entry's file name, a
//!   zero byte and the body, then the body (what `Module::serialize`
//!   wrote), under the 32-byte secret `licverify-cache.key` (mode 0600,
//!   this user's) beside the entries. An entry that fails its MAC, is not
//!   this user's, may be written by others, is not a regular file or is a
//!   symbolic link is a miss, and is written again.
//! - Files are written by renaming a new file into place, which replaces a
//!   symbolic link rather than following it.
//!
//! Only on Unix: elsewhere there is no disk cache (the module is compiled
//! in every process), since these checks are written for Unix owners and
//! modes.

use std::path::{Path, PathBuf};

/// The wasmtime this crate is pinned to (Cargo.toml; a test checks it):
/// part of each entry's name, so that versions do not overwrite each other.
pub(crate) const WASMTIME_VERSION: &str = "48.0.11";

pub(crate) const SECRET_NAME: &str = "licverify-cache.key";
const SECRET_SIZE: usize = 32;
const MAGIC: &[u8] = b"LVCODE1\n";
/// What is read from an entry at most (the compiled module is about 8 MB).
const MAX_ENTRY: u64 = 1 << 30;

/// The entry's file name: the compiled form depends on the module, the
/// wasmtime version, the engine's configuration and the CPU; wasmtime
/// refuses a body from another version, configuration or CPU, and the name
/// keeps this crate's entries apart from the Python package's.
pub(crate) fn entry_name(digest: &[u8; 32]) -> String {
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("licverify-{hex}-wasmtime-rs-{WASMTIME_VERSION}.code")
}

/// `$LICVERIFY_CACHE_DIR`, else the user cache directory's
/// `licverify/wasmtime` (the Python package's), or `None` where there is
/// no home to put it in, or no disk cache on this platform.
pub(crate) fn default_dir() -> Option<PathBuf> {
    if !cfg!(unix) {
        return None;
    }
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(d) = env("LICVERIFY_CACHE_DIR") {
        return Some(d);
    }
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library/Caches/licverify/wasmtime"));
    }
    if let Some(x) = env("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Some(x.join("licverify/wasmtime"));
    }
    env("HOME").map(|h| h.join(".cache/licverify/wasmtime"))
}

/// A checked cache directory and its secret.
pub(crate) struct CacheDir {
    dir: PathBuf,
    #[cfg_attr(not(unix), allow(dead_code))]
    secret: [u8; SECRET_SIZE],
}

#[cfg(not(unix))]
impl CacheDir {
    pub(crate) fn open(dir: &Path) -> Result<CacheDir, String> {
        Err(format!(
            "licverify: compilation cache directory {}: no disk cache on this platform; the module is compiled in memory",
            dir.display()
        ))
    }
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }
    pub(crate) fn load(&self, _name: &str) -> Option<Vec<u8>> {
        None
    }
    pub(crate) fn save(&self, _name: &str, _body: &[u8]) {}
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::fs::{File, Metadata, OpenOptions};
    use std::io::{self, Read, Write};
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};

    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    fn uid() -> u32 {
        // SAFETY: getuid has no preconditions and cannot fail.
        unsafe { libc::getuid() }
    }

    fn unwritable(path: &Path, md: &Metadata) -> Result<(), String> {
        if md.mode() & 0o022 != 0 {
            return Err(format!("{} is writable by others (mode {:04o})", path.display(), md.mode() & 0o7777));
        }
        Ok(())
    }

    fn owned(path: &Path, md: &Metadata) -> Result<(), String> {
        if md.uid() != uid() {
            return Err(format!("{} is owned by uid {}, not by this user (uid {})", path.display(), md.uid(), uid()));
        }
        unwritable(path, md)
    }

    fn ancestor(path: &Path, md: &Metadata) -> Result<(), String> {
        if md.uid() != uid() && md.uid() != 0 {
            return Err(format!(
                "{} is owned by uid {}, neither this user (uid {}) nor root",
                path.display(),
                md.uid(),
                uid()
            ));
        }
        if md.mode() & libc::S_ISVTX as u32 == 0 {
            unwritable(path, md)?;
        }
        Ok(())
    }

    fn secret_ok(path: &Path, md: &Metadata) -> Result<(), String> {
        owned(path, md)?;
        if md.mode() & 0o077 != 0 {
            return Err(format!("{} is open to others (mode {:04o}, want 0600)", path.display(), md.mode() & 0o7777));
        }
        Ok(())
    }

    /// Creates what is missing of `dir` (mode 0700), after checking every
    /// directory that exists above it from the root down, and returns it
    /// with symbolic links resolved: the path used from then on.
    fn prepare_dir(dir: &Path) -> Result<PathBuf, String> {
        let io = |p: &Path, e: io::Error| format!("{}: {e}", p.display());
        let abs = std::path::absolute(dir).map_err(|e| io(dir, e))?;
        let mut existing = abs.as_path();
        let mut missing = Vec::new();
        loop {
            match std::fs::symlink_metadata(existing) {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
                        return Err(io(existing, e));
                    };
                    missing.push(name.to_os_string());
                    existing = parent;
                }
                Err(e) => return Err(io(existing, e)),
            }
        }
        let real = std::fs::canonicalize(existing).map_err(|e| io(existing, e))?;
        let chain: Vec<&Path> = real.ancestors().collect();
        for (i, p) in chain.iter().enumerate().rev() {
            let md = std::fs::symlink_metadata(p).map_err(|e| io(p, e))?;
            if !md.is_dir() {
                return Err(format!("{} is not a directory", p.display()));
            }
            if i == 0 && missing.is_empty() { owned(p, &md) } else { ancestor(p, &md) }?;
        }
        let mut real = real;
        for (i, name) in missing.iter().enumerate().rev() {
            real.push(name);
            match std::fs::DirBuilder::new().mode(0o700).create(&real) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {} // checked below
                Err(e) => return Err(io(&real, e)),
            }
            let md = std::fs::symlink_metadata(&real).map_err(|e| io(&real, e))?;
            if !md.is_dir() {
                return Err(format!("{} is not a directory", real.display()));
            }
            if i == 0 { owned(&real, &md) } else { ancestor(&real, &md) }?;
        }
        Ok(real)
    }

    /// Opens a file that must be a regular file, never through a symbolic
    /// link, that passes `check`, of at most `max` bytes.
    fn open_private(
        path: &Path,
        check: fn(&Path, &Metadata) -> Result<(), String>,
        max: u64,
    ) -> Result<(File, Metadata), String> {
        let f = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => format!("{} is a symbolic link", path.display()),
                _ => format!("{}: {e}", path.display()),
            })?;
        let md = f.metadata().map_err(|e| format!("{}: {e}", path.display()))?;
        if !md.is_file() {
            return Err(format!("{} is not a regular file", path.display()));
        }
        check(path, &md)?;
        if md.len() > max {
            return Err(format!("{} is larger than {max} bytes", path.display()));
        }
        Ok((f, md))
    }

    /// A new file beside the entries, created (never opened) with mode 0600.
    fn temp_file(dir: &Path, prefix: &str) -> io::Result<(File, PathBuf)> {
        for _ in 0..16 {
            let mut r = [0u8; 8];
            getrandom::fill(&mut r).map_err(io::Error::other)?;
            let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
            let path = dir.join(format!("{prefix}.{hex}.tmp"));
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(&path)
            {
                Ok(f) => return Ok((f, path)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no temporary name left"))
    }

    fn load_secret(dir: &Path) -> Result<[u8; SECRET_SIZE], String> {
        let path = dir.join(SECRET_NAME);
        let io = |e: io::Error| format!("{}: {e}", path.display());
        if let Err(e) = std::fs::symlink_metadata(&path) {
            if e.kind() != io::ErrorKind::NotFound {
                return Err(io(e));
            }
            create_secret(dir, &path).map_err(io)?;
        }
        let (mut f, _) = open_private(&path, secret_ok, SECRET_SIZE as u64)?;
        let mut got = Vec::with_capacity(SECRET_SIZE);
        f.read_to_end(&mut got).map_err(io)?;
        got.try_into().map_err(|g: Vec<u8>| format!("{} is {} bytes, not {SECRET_SIZE}", path.display(), g.len()))
    }

    /// Writes a new secret beside `path` and links it into place: a reader
    /// sees the whole secret or none, and of two processes creating one,
    /// both use the one linked first. A link never follows or replaces
    /// what is at `path`.
    fn create_secret(dir: &Path, path: &Path) -> io::Result<()> {
        let (mut f, tmp) = temp_file(dir, SECRET_NAME)?;
        let mut secret = [0u8; SECRET_SIZE];
        let r = getrandom::fill(&mut secret)
            .map_err(io::Error::other)
            .and_then(|()| f.write_all(&secret))
            .and_then(|()| f.sync_all())
            .and_then(|()| match std::fs::hard_link(&tmp, path) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                r => r,
            });
        let _ = std::fs::remove_file(&tmp);
        r
    }

    impl CacheDir {
        /// Checks (and creates) the directory and reads (or creates) its
        /// secret; `Err` says why the directory is refused or cannot be
        /// used.
        pub(crate) fn open(dir: &Path) -> Result<CacheDir, String> {
            let refuse = |why: String| {
                format!(
                    "licverify: compilation cache directory {} is refused: {why}; the module is compiled in memory, in every process",
                    dir.display()
                )
            };
            let real = prepare_dir(dir).map_err(refuse)?;
            let secret = load_secret(&real).map_err(refuse)?;
            Ok(CacheDir { dir: real, secret })
        }

        pub(crate) fn path(&self) -> &Path {
            &self.dir
        }

        fn mac(&self, name: &str, body: &[u8]) -> Hmac<Sha256> {
            let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key size");
            m.update(name.as_bytes());
            m.update(&[0]);
            m.update(body);
            m
        }

        /// The body of entry `name`, or `None` when there is none that is
        /// this user's alone and authenticates.
        pub(crate) fn load(&self, name: &str) -> Option<Vec<u8>> {
            let (mut f, md) = open_private(&self.dir.join(name), owned, MAX_ENTRY).ok()?;
            let mut data = Vec::with_capacity(md.len() as usize);
            f.read_to_end(&mut data).ok()?;
            if data.len() < MAGIC.len() + 32 || &data[..MAGIC.len()] != MAGIC {
                return None;
            }
            let body = data.split_off(MAGIC.len() + 32);
            // verify_slice compares in constant time.
            self.mac(name, &body).verify_slice(&data[MAGIC.len()..]).ok()?;
            Some(body)
        }

        /// Writes entry `name`; a failure costs the next process a compile.
        pub(crate) fn save(&self, name: &str, body: &[u8]) {
            let Ok((mut f, tmp)) = temp_file(&self.dir, name) else { return };
            let tag = self.mac(name, body).finalize().into_bytes();
            let r = f
                .write_all(MAGIC)
                .and_then(|()| f.write_all(&tag))
                .and_then(|()| f.write_all(body))
                .and_then(|()| f.set_permissions(std::fs::Permissions::from_mode(0o600)))
                // Renamed into place whole: a process that starts meanwhile
                // sees the old file or the new one, never half of one.
                .and_then(|()| std::fs::rename(&tmp, self.dir.join(name)));
            if r.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
        }
    }
}
