//! The compilation cache is code (RATIONALE.md): a directory others could
//! change is refused before anything is created there; an entry is loaded
//! only when it authenticates, and a changed byte or a symbolic link is a
//! miss that is compiled and written again.
#![cfg(unix)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use licverify::Verifier;

fn fresh_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// A verifier over `dir`, spelt differently each time (`dir/../b`...):
/// the process keeps compiled modules by path, so each build goes to disk.
fn build(dir: &Path, spelling: usize) -> Verifier {
    let mut p = dir.to_path_buf();
    for _ in 0..spelling {
        p.push("..");
        p.push(dir.file_name().unwrap());
    }
    Verifier::builder().max_instances(1).cache_dir(p).build().unwrap()
}

fn works(v: &Verifier) {
    assert!(v.canonicalize(r#"{"b":1,"a":2}"#, None).unwrap().valid);
}

#[test]
fn entries_are_written_private_loaded_authenticated_and_a_change_is_a_miss() {
    let root = fresh_dir("cache-entries");
    let dir = root.join("a/b"); // created by the verifier, 0700
    let (secret_name, entry_name) = licverify::testing::cache_names();

    let v = build(&dir, 0);
    assert_eq!(v.load_info().source, "compiled", "{:?}", v.load_info());
    assert_eq!(v.load_info().cache_error, None);
    works(&v);
    for (p, mode) in [(dir.clone(), 0o700), (dir.join(secret_name), 0o600), (dir.join(&entry_name), 0o600)] {
        let md = std::fs::symlink_metadata(&p).unwrap();
        assert_eq!(md.mode() & 0o777, mode, "{}", p.display());
    }
    let entry = dir.join(&entry_name);
    let body = std::fs::read(&entry).unwrap();
    assert!(body.starts_with(b"LVCODE1\n"));

    // The same directory, another process's view: loaded from disk.
    let v = build(&dir, 1);
    assert_eq!(v.load_info().source, "disk", "{:?}", v.load_info());
    works(&v);

    // One changed byte in the compiled code: a miss, compiled and written again.
    let mut changed = body.clone();
    let i = changed.len() / 2;
    changed[i] ^= 0x01;
    std::fs::write(&entry, &changed).unwrap();
    let v = build(&dir, 2);
    assert_eq!(v.load_info().source, "compiled", "a changed entry must not load");
    works(&v);
    let rewritten = std::fs::read(&entry).unwrap();
    assert_ne!(rewritten, changed);

    // An entry that is a symbolic link (to a valid entry) is a miss, and is
    // replaced by a file, the link's target untouched.
    let target = root.join("elsewhere.code");
    std::fs::rename(&entry, &target).unwrap();
    std::os::unix::fs::symlink(&target, &entry).unwrap();
    let v = build(&dir, 3);
    assert_eq!(v.load_info().source, "compiled", "a linked entry must not load");
    assert!(std::fs::symlink_metadata(&entry).unwrap().file_type().is_file());
    assert_eq!(std::fs::read(&target).unwrap(), rewritten);

    // An entry others may write is a miss.
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o666)).unwrap();
    let v = build(&dir, 4);
    assert_eq!(v.load_info().source, "compiled", "a world-writable entry must not load");
}

#[test]
fn directories_others_can_change_are_refused_and_left_untouched() {
    let root = fresh_dir("cache-refused");

    // Writable by others, not sticky: refused, nothing created in it.
    let open = root.join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let v = Verifier::builder().max_instances(1).cache_dir(open.join("sub")).build().unwrap();
    let why = v.load_info().cache_error.clone().expect("refused");
    assert!(why.contains("writable by others"), "{why}");
    assert!(v.load_info().cache_file.is_none());
    assert_eq!(std::fs::read_dir(&open).unwrap().count(), 0);
    works(&v);

    // A group-writable directory above a private one: refused.
    let group = root.join("group");
    std::fs::create_dir_all(group.join("private")).unwrap();
    std::fs::set_permissions(&group, std::fs::Permissions::from_mode(0o770)).unwrap();
    std::fs::set_permissions(group.join("private"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let why = licverify::testing::open_cache(&group.join("private")).expect_err("refused");
    assert!(why.contains("writable by others"), "{why}");

    // A sticky world-writable directory above (as /tmp) is fine.
    let sticky = root.join("sticky");
    std::fs::create_dir(&sticky).unwrap();
    std::fs::set_permissions(&sticky, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let got = licverify::testing::open_cache(&sticky.join("mine")).expect("accepted");
    assert_eq!(std::fs::symlink_metadata(&got).unwrap().mode() & 0o777, 0o700);

    // A secret others can read: refused.
    let leaky = root.join("leaky");
    std::fs::create_dir(&leaky).unwrap();
    std::fs::set_permissions(&leaky, std::fs::Permissions::from_mode(0o700)).unwrap();
    let secret = leaky.join(licverify::testing::cache_names().0);
    std::fs::write(&secret, [7u8; 32]).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let why = licverify::testing::open_cache(&leaky).expect_err("refused");
    assert!(why.contains("open to others"), "{why}");

    // Another user's directory (when the tests run as root, who can give
    // one away): refused.
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let theirs = root.join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
        let why = licverify::testing::open_cache(&theirs).expect_err("refused");
        assert!(why.contains("owned by uid 65534"), "{why}");
        // ... and a directory below it too, which is not created.
        let why = licverify::testing::open_cache(&theirs.join("below")).expect_err("refused");
        assert!(why.contains("owned by uid 65534"), "{why}");
        assert!(!theirs.join("below").exists());
    }
}
