//! Issue 12, case 1 and 9: a directory swapped for a symlink — once,
//! between resolving and writing, or in a tight `RENAME_EXCHANGE` loop —
//! never moves a write out of the base directory or onto a read-only file,
//! and never leaves a temp file anywhere.

mod fs_support;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use driftfix::fs::{BaseDir, FsError, ReplaceOptions, Step, replace};
use fs_support::{NEW, OLD, assert_no_temps};
use rustix::fs::{CWD, RenameFlags};

/// `base/a/d/x.yaml`, `base/legacy/x.yaml` (mode 0444) and `out/x.yaml`,
/// all holding the same alias.
struct Tree {
    base: tempfile::TempDir,
    out: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        let t = Tree {
            base: tempfile::tempdir().unwrap(),
            out: tempfile::tempdir().unwrap(),
        };
        let b = t.base();
        std::fs::create_dir_all(b.join("a/d")).unwrap();
        std::fs::create_dir_all(b.join("legacy")).unwrap();
        std::fs::write(b.join("a/d/x.yaml"), OLD).unwrap();
        std::fs::write(b.join("legacy/x.yaml"), OLD).unwrap();
        std::fs::set_permissions(
            b.join("legacy/x.yaml"),
            std::fs::Permissions::from_mode(0o444),
        )
        .unwrap();
        std::fs::write(t.out().join("x.yaml"), OLD).unwrap();
        t
    }

    fn base(&self) -> &Path {
        self.base.path()
    }

    fn out(&self) -> &Path {
        self.out.path()
    }

    /// The two places a redirected write would land.
    fn decoys(&self) -> [PathBuf; 2] {
        [self.out().join("x.yaml"), self.base().join("legacy/x.yaml")]
    }

    /// The symlink targets to swap in: outside the base, and the
    /// read-only tree.
    fn swaps(&self) -> [PathBuf; 2] {
        [self.out().to_path_buf(), self.base().join("legacy")]
    }

    /// `(inode, bytes)` of the decoys, to show they were never replaced.
    fn decoy_state(&self) -> Vec<(u64, Vec<u8>)> {
        self.decoys()
            .iter()
            .map(|p| {
                (
                    std::fs::metadata(p).unwrap().ino(),
                    std::fs::read(p).unwrap(),
                )
            })
            .collect()
    }
}

fn anything_goes(_: &str) -> Result<(), String> {
    Ok(())
}

#[test]
fn a_directory_swapped_for_a_symlink_after_resolving_is_an_error() {
    for swap in 0..2 {
        let t = Tree::new();
        let b = t.base();
        let before = t.decoy_state();
        let base = BaseDir::open(b).unwrap();
        let (dir, name) = base.parent("a/d/x.yaml").unwrap();
        std::fs::rename(b.join("a/d"), b.join("a/d.real")).unwrap();
        symlink(&t.swaps()[swap], b.join("a/d")).unwrap();

        let e = replace(&dir, &name, OLD, NEW, &ReplaceOptions::default()).unwrap_err();
        assert!(matches!(e, FsError::Moved(ref d) if d == "a/d"), "{e}");
        assert_eq!(
            t.decoy_state(),
            before,
            "nothing outside or read-only written"
        );
        assert_eq!(std::fs::read(b.join("a/d.real/x.yaml")).unwrap(), OLD);
        assert_no_temps(&[b, t.out()]);

        // Resolving again through the swapped path stops at the link.
        let e = base
            .replace(
                "a/d/x.yaml",
                OLD,
                NEW,
                &anything_goes,
                &ReplaceOptions::default(),
            )
            .unwrap_err();
        assert!(
            matches!(e, FsError::SymlinkedDir(ref d) if d == "a/d"),
            "{e}"
        );
        assert!(matches!(
            base.read("a/d/x.yaml", 1 << 20),
            Err(FsError::SymlinkedDir(_))
        ));
        assert_eq!(t.decoy_state(), before);
        assert_no_temps(&[b, t.out()]);
    }
}

#[test]
fn swapped_after_the_last_check_the_write_stays_in_the_planned_directory() {
    for swap in 0..2 {
        let t = Tree::new();
        let b = t.base().to_path_buf();
        let before = t.decoy_state();
        let base = BaseDir::open(&b).unwrap();
        let target = t.swaps()[swap].clone();
        let late_swap = |s: Step| {
            if s == Step::BeforeRename {
                std::fs::rename(b.join("a/d"), b.join("a/d.real")).unwrap();
                symlink(&target, b.join("a/d")).unwrap();
            }
            Ok(())
        };
        let opts = ReplaceOptions {
            checkpoint: &late_swap,
            ..ReplaceOptions::default()
        };
        let (_, done) = base
            .replace("a/d/x.yaml", OLD, NEW, &anything_goes, &opts)
            .unwrap();
        assert!(!done.already);
        // The handle stayed on the real directory, wherever it moved.
        assert_eq!(std::fs::read(b.join("a/d.real/x.yaml")).unwrap(), NEW);
        assert_eq!(t.decoy_state(), before);
        assert_no_temps(&[&b, t.out()]);
    }
}

#[test]
fn a_rename_exchange_loop_never_moves_a_write_outside() {
    for swap in 0..2 {
        let t = Tree::new();
        let b = t.base().to_path_buf();
        let before = t.decoy_state();
        symlink(&t.swaps()[swap], b.join("a/swap")).unwrap();
        let base = BaseDir::open(&b).unwrap();

        let stop = Arc::new(AtomicBool::new(false));
        let flips = Arc::new(AtomicUsize::new(0));
        let flipper = {
            let (stop, flips, b) = (stop.clone(), flips.clone(), b.clone());
            std::thread::spawn(move || {
                // Jittered, and longer in the real position, so that the
                // swaps hit every step of the writes and some writes pass.
                let mut jitter: u64 = 0x2545_F491_4F6C_DD1D;
                while !stop.load(Ordering::Relaxed) {
                    jitter ^= jitter << 13;
                    jitter ^= jitter >> 7;
                    jitter ^= jitter << 17;
                    let swapped = flips.load(Ordering::Relaxed) % 2 == 1;
                    let pause = if swapped { jitter % 300 } else { jitter % 3000 };
                    std::thread::sleep(std::time::Duration::from_micros(pause));
                    rustix::fs::renameat_with(
                        CWD,
                        b.join("a/d"),
                        CWD,
                        b.join("a/swap"),
                        RenameFlags::EXCHANGE,
                    )
                    .unwrap();
                    flips.fetch_add(1, Ordering::Relaxed);
                }
            })
        };

        // What the real file holds: only these replaces change it.
        let mut holds: &[u8] = OLD;
        let (mut written, mut refused) = (0, 0);
        for _ in 0..200 {
            let other = if holds == OLD { NEW } else { OLD };
            match base.replace(
                "a/d/x.yaml",
                holds,
                other,
                &anything_goes,
                &ReplaceOptions::default(),
            ) {
                Ok((at, done)) => {
                    assert_eq!(at.inside(), Some("a/d/x.yaml"));
                    assert!(!done.already);
                    holds = other;
                    written += 1;
                }
                Err(
                    FsError::SymlinkedDir(_)
                    | FsError::Moved(_)
                    | FsError::NotFound(_)
                    | FsError::NotRegular(_),
                ) => {
                    refused += 1;
                    // A refusal is quick: spread the attempts over the flips.
                    std::thread::sleep(std::time::Duration::from_micros(300));
                }
                Err(e) => panic!("unexpected error: {e}"),
            }
        }
        stop.store(true, Ordering::Relaxed);
        flipper.join().unwrap();
        assert!(flips.load(Ordering::Relaxed) > 0, "the race ran");
        assert!(written > 0, "some writes got through between the swaps");
        assert_eq!(written + refused, 200);

        // Put the real directory back where it belongs.
        if std::fs::symlink_metadata(b.join("a/d"))
            .unwrap()
            .is_symlink()
        {
            rustix::fs::renameat_with(
                CWD,
                b.join("a/d"),
                CWD,
                b.join("a/swap"),
                RenameFlags::EXCHANGE,
            )
            .unwrap();
        }
        assert_eq!(
            std::fs::read(b.join("a/d/x.yaml")).unwrap(),
            holds,
            "every write landed in the real file, none was lost"
        );
        assert_eq!(
            t.decoy_state(),
            before,
            "nothing outside or read-only written"
        );
        assert_no_temps(&[&b, t.out()]);
        eprintln!(
            "swap {swap}: {written} written, {refused} refused, {} flips",
            flips.load(Ordering::Relaxed)
        );
    }
}
