//! Issue 12, case 6: a FIFO, a socket, a device or a link to `/dev/zero`
//! swapped in for a target between planning and the (re-)read is refused at
//! once — never a hang, never gigabytes read — and the writer leaves it as
//! it found it.

mod fs_support;

use std::os::unix::fs::{FileTypeExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};

use driftfix::fs::{
    BaseDir, FileKind, FsError, ReplaceOptions, read_regular_at, read_regular_path, replace,
};
use fs_support::{NEW, OLD, assert_no_temps, notice};
use rustix::fs::{CWD, FileType, Mode};

const MAX: u64 = 64 << 20;

/// Replaces `base/x.yaml` with a special file; `false` when this machine
/// cannot make that kind (a device without CAP_MKNOD).
fn swap_in(base: &Path, kind: &str) -> bool {
    let p = base.join("x.yaml");
    let _ = std::fs::remove_file(&p);
    match kind {
        "fifo" => rustix::fs::mkfifoat(CWD, &p, Mode::from_raw_mode(0o644)).unwrap(),
        "socket" => {
            let l = std::os::unix::net::UnixListener::bind(&p).unwrap();
            std::mem::forget(l); // keep it bound for the test
        }
        "zero-link" => symlink("/dev/zero", &p).unwrap(),
        "fifo-link" => {
            rustix::fs::mkfifoat(CWD, base.join("f"), Mode::from_raw_mode(0o644)).unwrap();
            symlink("f", &p).unwrap();
        }
        "zero-device" => {
            let dev = rustix::fs::makedev(1, 5);
            if rustix::fs::mknodat(
                CWD,
                &p,
                FileType::CharacterDevice,
                Mode::from_raw_mode(0o666),
                dev,
            )
            .is_err()
            {
                return false;
            }
        }
        other => panic!("{other}"),
    }
    true
}

fn kind_now(p: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(p).unwrap().file_type()
}

#[test]
fn special_files_swapped_in_are_refused_promptly() {
    for kind in ["fifo", "socket", "zero-link", "fifo-link", "zero-device"] {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path();
        std::fs::write(b.join("x.yaml"), OLD).unwrap();
        let base = BaseDir::open(b).unwrap();
        // Planned: the handle is open, the name known. Then the swap.
        let (handle, name) = base.parent("x.yaml").unwrap();
        if !swap_in(b, kind) {
            notice(&format!(
                "cannot create a {kind} here (mknod refused): case skipped"
            ));
            continue;
        }
        let before = kind_now(&b.join("x.yaml"));
        let start = Instant::now();

        let e = read_regular_at(&handle, &name, MAX).unwrap_err();
        assert!(matches!(e, FsError::NotRegular(_)), "{kind}: {e}");
        let e = base.read("x.yaml", MAX).unwrap_err();
        assert!(matches!(e, FsError::NotRegular(_)), "{kind}: {e}");
        let e = read_regular_path(&b.join("x.yaml"), MAX).unwrap_err();
        assert!(matches!(e, FsError::NotRegular(_)), "{kind}: {e}");
        let e = replace(&handle, &name, OLD, NEW, &ReplaceOptions::default()).unwrap_err();
        assert!(matches!(e, FsError::NotRegular(_)), "{kind}: {e}");
        let e = base
            .replace("x.yaml", OLD, NEW, &|_| Ok(()), &ReplaceOptions::default())
            .unwrap_err();
        assert!(matches!(e, FsError::NotRegular(_)), "{kind}: {e}");

        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{kind}: took {:?}",
            start.elapsed()
        );
        assert_eq!(
            kind_now(&b.join("x.yaml")),
            before,
            "{kind}: left as it was"
        );
        assert_no_temps(&[b]);
    }
}

#[test]
fn the_kind_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path();
    swap_in(b, "fifo");
    let base = BaseDir::open(b).unwrap();
    let e = base.read("x.yaml", MAX).unwrap_err();
    assert_eq!(e.to_string(), "not a regular file (FIFO)");
    swap_in(b, "zero-link");
    // The link leads out of the base to a character device.
    let at = base.locate("x.yaml").unwrap();
    assert_eq!(at.kind, FileKind::CharDevice);
    assert!(at.inside().is_none());
    assert!(kind_now(&b.join("x.yaml")).is_symlink());
    assert!(
        std::fs::metadata("/dev/zero")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn huge_or_growing_files_stop_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path();
    // A sparse 8 GiB file: refused from its size, nothing read.
    let f = std::fs::File::create(b.join("x.yaml")).unwrap();
    f.set_len(8 << 30).unwrap();
    let base = BaseDir::open(b).unwrap();
    let start = Instant::now();
    let e = base.read("x.yaml", MAX).unwrap_err();
    assert!(
        matches!(e, FsError::TooLarge { len, max } if len == 8 << 30 && max == MAX),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!("larger than the limit ({} bytes > {MAX})", 8u64 << 30)
    );
    // The re-read before a write is bounded by the planned sizes: a file
    // that grew is "changed", and not read whole.
    let (handle, name) = base.parent("x.yaml").unwrap();
    let e = replace(&handle, &name, OLD, NEW, &ReplaceOptions::default()).unwrap_err();
    assert!(matches!(e, FsError::Changed), "{e}");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(std::fs::metadata(b.join("x.yaml")).unwrap().len(), 8 << 30);
    assert_no_temps(&[b]);
}
