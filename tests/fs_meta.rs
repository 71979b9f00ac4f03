//! Issue 12, case 8: a replaced file keeps its mode (setuid/setgid
//! included), owner, POSIX ACLs and extended attributes; what cannot be kept
//! is an error, the file is not written and no temp file is left.

mod fs_support;

use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use driftfix::fs::{BaseDir, FsError, ReplaceOptions};
use fs_support::{NEW, OLD, assert_no_temps, is_root, notice};
use rustix::fs::XattrFlags;

fn xattr(p: &Path, name: &str) -> Option<Vec<u8>> {
    let f = std::fs::File::open(p).unwrap();
    let mut buf = vec![0u8; 4096];
    match rustix::fs::fgetxattr(f.as_fd(), name, &mut buf[..]) {
        Ok(n) => {
            buf.truncate(n);
            Some(buf)
        }
        Err(rustix::io::Errno::NODATA) => None,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn set_xattr(p: &Path, name: &str, value: &[u8]) {
    let f = std::fs::File::open(p).unwrap();
    rustix::fs::fsetxattr(f.as_fd(), name, value, XattrFlags::empty()).unwrap();
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn apply(base: &Path, rel: &str) -> Result<(), FsError> {
    let b = BaseDir::open(base).unwrap();
    b.replace(rel, OLD, NEW, &|_| Ok(()), &ReplaceOptions::default())
        .map(|_| ())
}

/// An access ACL as the kernel stores it in `system.posix_acl_access`:
/// version 2, then (tag, perm, id) entries sorted by tag: owner rw-,
/// user 1234 rw-, group r--, mask rw-, other r--.
fn acl_bytes() -> Vec<u8> {
    const UNDEFINED: u32 = u32::MAX;
    let entries: [(u16, u16, u32); 5] = [
        (0x01, 6, UNDEFINED), // ACL_USER_OBJ
        (0x02, 6, 1234),      // ACL_USER
        (0x04, 4, UNDEFINED), // ACL_GROUP_OBJ
        (0x10, 6, UNDEFINED), // ACL_MASK
        (0x20, 4, UNDEFINED), // ACL_OTHER
    ];
    let mut v = 2u32.to_le_bytes().to_vec();
    for (tag, perm, id) in entries {
        v.extend(tag.to_le_bytes());
        v.extend(perm.to_le_bytes());
        v.extend(id.to_le_bytes());
    }
    v
}

#[test]
fn user_xattrs_and_a_raw_acl_survive() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.yaml");
    std::fs::write(&f, OLD).unwrap();
    set_xattr(&f, "user.test", b"kept");
    set_xattr(&f, "user.empty", b"");
    set_xattr(&f, "system.posix_acl_access", &acl_bytes());
    let acl = xattr(&f, "system.posix_acl_access");
    let before_mode = mode(&f);
    assert_eq!(
        before_mode & 0o070,
        0o060,
        "the mask shows as the group bits"
    );

    apply(dir.path(), "x.yaml").unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), NEW);
    assert_eq!(xattr(&f, "user.test").as_deref(), Some(&b"kept"[..]));
    assert_eq!(xattr(&f, "user.empty").as_deref(), Some(&b""[..]));
    assert_eq!(xattr(&f, "system.posix_acl_access"), acl);
    assert_eq!(mode(&f), before_mode);
    assert_no_temps(&[dir.path()]);
}

fn getfacl(p: &Path) -> String {
    let out = Command::new("getfacl")
        .args(["--omit-header", "--numeric"])
        .arg(p)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn setfacl(args: &[&str], p: &Path) {
    let st = Command::new("setfacl").args(args).arg(p).status().unwrap();
    assert!(st.success(), "setfacl {args:?}");
}

#[test]
#[cfg_attr(no_setfacl, ignore = "NOTICE: setfacl not found (apt-get install acl)")]
fn an_acl_set_with_setfacl_survives_and_a_default_acl_adds_none() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.yaml");
    let plain = dir.path().join("plain.yaml");
    std::fs::write(&f, OLD).unwrap();
    std::fs::write(&plain, OLD).unwrap();
    setfacl(&["-m", "u:1234:rw-,g:4321:r--"], &f);
    // A default ACL on the directory: a new file inherits an access ACL
    // that `plain.yaml` does not have.
    setfacl(&["-d", "-m", "u:999:r--"], dir.path());
    let (acl, plain_acl) = (getfacl(&f), getfacl(&plain));
    assert!(acl.contains("user:1234:rw-"), "{acl}");
    assert!(xattr(&plain, "system.posix_acl_access").is_none());

    apply(dir.path(), "x.yaml").unwrap();
    apply(dir.path(), "plain.yaml").unwrap();
    assert_eq!(getfacl(&f), acl);
    assert_eq!(getfacl(&plain), plain_acl);
    assert!(xattr(&plain, "system.posix_acl_access").is_none());
    assert_eq!(std::fs::read(&plain).unwrap(), NEW);
    assert_no_temps(&[dir.path()]);
}

#[test]
fn modes_and_owner_are_kept() {
    let root = is_root();
    for m in [0o444, 0o640, 0o2755, 0o4755, 0o1777] {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.yaml");
        std::fs::write(&f, OLD).unwrap();
        if root {
            std::os::unix::fs::chown(&f, Some(1234), Some(4321)).unwrap();
        }
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(m)).unwrap();
        let before = std::fs::metadata(&f).unwrap();
        apply(dir.path(), "x.yaml").unwrap();
        let after = std::fs::metadata(&f).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), NEW);
        assert_eq!(mode(&f), m, "mode {m:o}");
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        assert_ne!(
            after.ino(),
            before.ino(),
            "replaced, not rewritten in place"
        );
        assert_no_temps(&[dir.path()]);
    }
    if !root {
        notice("not root: owner restoring checked only for the user's own files");
    }
}

/// Runs `f` in a thread whose credentials alone are `nobody`'s (raw
/// setresuid/setresgid/setgroups change only the calling thread on Linux;
/// the libc wrappers would change every thread).
fn as_nobody<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        // SAFETY: plain system calls on this thread's credentials.
        unsafe {
            assert_eq!(
                libc::syscall(libc::SYS_setgroups, 0, std::ptr::null::<libc::gid_t>()),
                0
            );
            assert_eq!(libc::syscall(libc::SYS_setresgid, 65534, 65534, 65534), 0);
            assert_eq!(libc::syscall(libc::SYS_setresuid, 65534, 65534, 65534), 0);
        }
        f()
    })
    .join()
    .unwrap()
}

/// `security.capability` (VFS_CAP_REVISION_2: CAP_NET_BIND_SERVICE permitted).
fn capability() -> Vec<u8> {
    let mut v = 0x0200_0000u32.to_le_bytes().to_vec();
    v.extend(0x400u32.to_le_bytes());
    v.extend([0u8; 12]);
    v
}

#[test]
fn what_cannot_be_kept_is_an_error_and_nothing_is_written() {
    if !is_root() {
        notice("not root: cannot set a capability or act as another user; test skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
    let cap = d.join("cap.yaml");
    let sgid = d.join("sgid.yaml");
    let plain = d.join("plain.yaml");
    for p in [&cap, &sgid, &plain] {
        std::fs::write(p, OLD).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o666)).unwrap();
    }
    set_xattr(&cap, "security.capability", &capability());
    std::fs::set_permissions(&sgid, std::fs::Permissions::from_mode(0o2666)).unwrap();
    set_xattr(&plain, "user.test", b"kept");

    let base = d.clone();
    let results = as_nobody(move || {
        ["cap.yaml", "sgid.yaml", "plain.yaml"].map(|n| apply(&base, n).map_err(|e| e.to_string()))
    });
    let [cap_r, sgid_r, plain_r] = results;

    let e = cap_r.unwrap_err();
    assert!(
        e.starts_with("cannot keep extended attribute security.capability"),
        "{e}"
    );
    assert_eq!(std::fs::read(&cap).unwrap(), OLD);
    assert_eq!(xattr(&cap, "security.capability"), Some(capability()));

    let e = sgid_r.unwrap_err();
    assert!(e.starts_with("cannot keep the setgid bit"), "{e}");
    assert_eq!(std::fs::read(&sgid).unwrap(), OLD);
    assert_eq!(mode(&sgid), 0o2666);

    // Owner "where permitted": nobody cannot give a file to root, and that
    // alone is no error; mode and attributes are kept.
    plain_r.unwrap();
    assert_eq!(std::fs::read(&plain).unwrap(), NEW);
    assert_eq!(std::fs::metadata(&plain).unwrap().uid(), 65534);
    assert_eq!(mode(&plain), 0o666);
    assert_eq!(xattr(&plain, "user.test").as_deref(), Some(&b"kept"[..]));
    assert_no_temps(&[&d]);
}
