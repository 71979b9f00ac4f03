//! Issue 12, cases 2 and 3: `--output` streams to devices, FIFOs, sockets
//! and the links to them, never replacing them; it replaces a regular file
//! atomically; it refuses a file the run must not write — also when a link
//! to one is planted after the check, before the commit.

mod fs_support;

use std::io::{Read as _, Write as _};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::time::Duration;

use driftfix::fs::{FileId, FsError, Output, OutputKind};
use fs_support::{assert_no_temps, forbid, id};
use rustix::fs::{CWD, Mode};

fn nothing(_: FileId) -> Option<String> {
    None
}

fn ftype(p: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(p).unwrap().file_type()
}

#[test]
fn dev_null_and_a_link_to_it_are_streamed_to_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("null.out");
    symlink("/dev/null", &link).unwrap();
    let ino = std::fs::metadata("/dev/null").unwrap().ino();
    for p in [Path::new("/dev/null"), link.as_path()] {
        let mut o = Output::open_checked(p, &nothing).unwrap();
        assert_eq!(o.kind(), OutputKind::Stream, "{}", p.display());
        o.write_all(b"report\n").unwrap();
        o.commit().unwrap();
    }
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device());
    assert_eq!(null.ino(), ino);
    assert!(ftype(&link).is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/dev/null"));
    assert_no_temps(&[dir.path()]);
}

#[test]
fn a_fifo_read_by_another_thread_gets_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    rustix::fs::mkfifoat(CWD, &fifo, Mode::from_raw_mode(0o600)).unwrap();
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // The reader comes late: the output waits for it, as `>` does.
            std::thread::sleep(Duration::from_millis(200));
            let mut got = Vec::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_end(&mut got)
                .unwrap();
            got
        })
    };
    let mut o = Output::open_checked(&fifo, &nothing).unwrap();
    assert_eq!(o.kind(), OutputKind::Stream);
    // More than a pipe buffer: writes block, they do not fail with EAGAIN.
    let report: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    o.write_all(&report).unwrap();
    o.commit().unwrap();
    assert_eq!(reader.join().unwrap(), report);
    assert!(ftype(&fifo).is_fifo(), "still a FIFO");
    assert_no_temps(&[dir.path()]);
}

#[test]
fn a_pipe_named_by_proc_self_fd_is_streamed_to() {
    // What `--output >(wc -c)` passes: /dev/fd/63, a link to a pipe.
    let (mut r, w) = std::io::pipe().unwrap();
    let path = format!("/proc/self/fd/{}", w.as_raw_fd());
    let mut o = Output::open_checked(Path::new(&path), &nothing).unwrap();
    assert_eq!(o.kind(), OutputKind::Stream);
    o.write_all(b"12345").unwrap();
    o.commit().unwrap();
    drop(w);
    let mut got = String::new();
    r.read_to_string(&mut got).unwrap();
    assert_eq!(got, "12345");
}

#[test]
fn a_socket_is_connected_to() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("report.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut got = String::new();
        s.read_to_string(&mut got).unwrap();
        got
    });
    let mut o = Output::open_checked(&sock, &nothing).unwrap();
    assert_eq!(o.kind(), OutputKind::Socket);
    o.write_all(b"over the socket").unwrap();
    o.commit().unwrap();
    assert_eq!(server.join().unwrap(), "over the socket");
    assert!(ftype(&sock).is_socket());
}

#[test]
fn dash_and_dev_stdout_are_the_process_stdout() {
    for name in ["-", "/dev/stdout"] {
        let o = Output::open_checked(Path::new(name), &nothing).unwrap();
        assert_eq!(o.kind(), OutputKind::Std, "{name}");
        o.commit().unwrap();
    }
    assert!(!Path::new("-").exists(), "no file named -");
    assert!(
        ftype(Path::new("/dev/stdout")).is_symlink(),
        "the link is kept"
    );
}

#[test]
fn a_regular_file_is_replaced_keeping_mode_and_owner() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("report.md");
    std::fs::write(&p, b"old report").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&p).unwrap();
    let mut o = Output::open_checked(&p, &nothing).unwrap();
    assert_eq!(o.kind(), OutputKind::Replace);
    o.write_all(b"new report").unwrap();
    assert_eq!(
        std::fs::read(&p).unwrap(),
        b"old report",
        "atomic: old until commit"
    );
    o.commit().unwrap();
    let after = std::fs::metadata(&p).unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"new report");
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    assert_ne!(after.ino(), before.ino());
    assert_no_temps(&[dir.path()]);
}

#[test]
fn forbidden_files_are_refused_through_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("inv")).unwrap();
    let target = d.join("inv/all.yml");
    std::fs::write(&target, b"hosts: {}\n").unwrap();
    std::fs::hard_link(&target, d.join("hard.yml")).unwrap();
    symlink(&target, d.join("soft.yml")).unwrap();
    let check = forbid(vec![(id(&target), "inv/all.yml is a scanned target")]);
    for name in ["inv/all.yml", "hard.yml", "soft.yml"] {
        let e = Output::open_checked(&d.join(name), &check).err().unwrap();
        assert!(matches!(e, FsError::Forbidden(_)), "{name}: {e}");
        assert_eq!(e.to_string(), "refused: inv/all.yml is a scanned target");
    }
    assert!(matches!(
        Output::open_checked(&d.join("inv"), &check),
        Err(FsError::Refused(_))
    ));
    assert_eq!(std::fs::read(&target).unwrap(), b"hosts: {}\n");
    assert_no_temps(&[d]);
}

/// A report going to `out/report.md`; `plant` changes that name after the
/// open-check and the writing, just before the commit.
fn planted(plant: impl Fn(&Path, &Path)) -> (Result<(), FsError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("out")).unwrap();
    let target = d.join("all.yml");
    std::fs::write(&target, b"hosts: {}\n").unwrap();
    let check = forbid(vec![(id(&target), "all.yml is a scanned target")]);
    let out = d.join("out/report.md");
    let mut o = Output::open_checked(&out, &check).unwrap();
    o.write_all(b"# report\n").unwrap();
    plant(&out, &target);
    let r = o.commit();
    assert_eq!(
        std::fs::read(&target).unwrap(),
        b"hosts: {}\n",
        "target untouched"
    );
    assert_no_temps(&[d]);
    (r, dir)
}

#[test]
fn a_link_to_a_forbidden_file_planted_before_the_commit_is_refused() {
    let (r, dir) = planted(|out, target| symlink(target, out).unwrap());
    assert!(matches!(r, Err(FsError::Forbidden(_))), "{r:?}");
    assert!(
        ftype(&dir.path().join("out/report.md")).is_symlink(),
        "left as planted"
    );

    let (r, _dir) = planted(|out, target| std::fs::hard_link(target, out).unwrap());
    assert!(matches!(r, Err(FsError::Forbidden(_))), "{r:?}");

    // An existing report swapped for a link to the target.
    let (r, _dir) = planted(|out, target| {
        std::fs::write(out, b"old").unwrap();
        std::fs::remove_file(out).unwrap();
        symlink(target, out).unwrap();
    });
    assert!(matches!(r, Err(FsError::Forbidden(_))), "{r:?}");

    // A link to some other file: not forbidden, but not what was checked.
    let (r, dir) = planted(|out, _| {
        std::fs::write(out.with_extension("other"), b"x").unwrap();
        symlink(out.with_extension("other"), out).unwrap();
    });
    assert!(matches!(r, Err(FsError::Moved(_))), "{r:?}");
    assert_eq!(
        std::fs::read(dir.path().join("out/report.other")).unwrap(),
        b"x"
    );

    // Nothing planted: written.
    let (r, dir) = planted(|_, _| {});
    r.unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("out/report.md")).unwrap(),
        b"# report\n"
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("out/report.md"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o644
    );
}
