//! Giving a replacement file everything the original had: owner (where
//! permitted), every extended attribute (POSIX ACLs are the
//! `system.posix_acl_access` attribute, SELinux labels `security.selinux`,
//! file capabilities `security.capability`), and the mode with its setuid,
//! setgid and sticky bits.
//!
//! Order matters: `chown` clears setuid/setgid and file capabilities, so it
//! comes first; the attributes next; the mode last (an ACL carries the group
//! bits, and a chmod after it keeps the two consistent). Then the result is
//! checked with `fstat`: the kernel silently drops setgid for a group the
//! caller is not in, and a file that lost a bit would change what it means.
//! SPEC §14: what cannot be kept is an error, never a silent loss.

use std::os::fd::BorrowedFd;

use rustix::fs::{Gid, Mode, Uid, XattrFlags};
use rustix::io::Errno;

use super::error::FsError;
use super::meta::Meta;

const SETUID: u32 = 0o4000;
const SETGID: u32 = 0o2000;

/// Gives `to` the owner, attributes and mode of `from` (described by
/// `meta`, from `fstat` on `from`).
pub(crate) fn keep_metadata(
    from: BorrowedFd<'_>,
    meta: &Meta,
    to: BorrowedFd<'_>,
) -> Result<(), FsError> {
    let (uid_kept, gid_kept) = restore_owner(to, meta)?;
    if !uid_kept && meta.mode & SETUID != 0 {
        return Err(FsError::MetadataNotKept(format!(
            "the setuid bit: the owner (uid {}) cannot be restored by this user",
            meta.uid
        )));
    }
    if !gid_kept && meta.mode & SETGID != 0 {
        return Err(FsError::MetadataNotKept(format!(
            "the setgid bit: the group (gid {}) cannot be restored by this user",
            meta.gid
        )));
    }
    copy_xattrs(from, to)?;
    set_mode(to, meta.mode)
}

/// Gives a new file (no original) the mode `mode`, whatever the umask.
pub(crate) fn set_mode(to: BorrowedFd<'_>, mode: u32) -> Result<(), FsError> {
    rustix::fs::fchmod(to, Mode::from_raw_mode(mode))
        .map_err(|e| FsError::io("cannot set the mode", e))?;
    let got = Meta::of_fd(to)?.mode;
    if got != mode {
        return Err(FsError::MetadataNotKept(format!(
            "mode {mode:04o} (the system gave {got:04o})"
        )));
    }
    Ok(())
}

/// Sets owner and group where permitted: a privileged user can set both,
/// anyone can set a group they belong to. Returns which of the two now
/// match the original.
fn restore_owner(to: BorrowedFd<'_>, meta: &Meta) -> Result<(bool, bool), FsError> {
    let now = Meta::of_fd(to)?;
    if now.uid == meta.uid && now.gid == meta.gid {
        return Ok((true, true));
    }
    let uid = Uid::from_raw_unchecked(meta.uid);
    let gid = Gid::from_raw_unchecked(meta.gid);
    match rustix::fs::fchown(to, Some(uid), Some(gid)) {
        Ok(()) => Ok((true, true)),
        Err(Errno::PERM) => {
            let group = now.gid == meta.gid || rustix::fs::fchown(to, None, Some(gid)).is_ok();
            Ok((now.uid == meta.uid, group))
        }
        Err(e) => Err(FsError::io("cannot set the owner", e)),
    }
}

/// Copies every extended attribute of `from` to `to`, and removes those
/// `to` has that `from` has not (a default ACL on the directory gives a new
/// file an access ACL the original did not have).
fn copy_xattrs(from: BorrowedFd<'_>, to: BorrowedFd<'_>) -> Result<(), FsError> {
    let names = list_xattrs(from)?;
    for name in &names {
        let Some(value) = get_xattr(from, name)? else {
            continue; // removed meanwhile
        };
        rustix::fs::fsetxattr(to, name.as_slice(), &value, XattrFlags::empty()).map_err(|e| {
            FsError::MetadataNotKept(format!(
                "extended attribute {}: {}",
                String::from_utf8_lossy(name),
                std::io::Error::from(e)
            ))
        })?;
    }
    for extra in list_xattrs(to)? {
        if names.contains(&extra) {
            continue;
        }
        match rustix::fs::fremovexattr(to, extra.as_slice()) {
            Ok(()) | Err(Errno::NODATA) => {}
            // Labels the security module sets on every new file are its
            // business, not the original's.
            Err(_) if extra.starts_with(b"security.") => {}
            Err(e) => {
                return Err(FsError::MetadataNotKept(format!(
                    "the absence of extended attribute {}: {}",
                    String::from_utf8_lossy(&extra),
                    std::io::Error::from(e)
                )));
            }
        }
    }
    Ok(())
}

/// The names of `fd`'s extended attributes (none where the filesystem has
/// no attributes).
pub(crate) fn list_xattrs(fd: BorrowedFd<'_>) -> Result<Vec<Vec<u8>>, FsError> {
    for _ in 0..8 {
        let size = match rustix::fs::flistxattr_query(fd) {
            Ok(0) | Err(Errno::OPNOTSUPP) => return Ok(Vec::new()),
            Ok(n) => n,
            Err(e) => return Err(FsError::io("cannot list extended attributes", e)),
        };
        let mut buf = vec![0u8; size];
        match rustix::fs::flistxattr(fd, &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(buf
                    .split(|&b| b == 0)
                    .filter(|n| !n.is_empty())
                    .map(<[u8]>::to_vec)
                    .collect());
            }
            // Grew since the size was asked: ask again.
            Err(Errno::RANGE) => continue,
            Err(e) => return Err(FsError::io("cannot list extended attributes", e)),
        }
    }
    Err(FsError::Refused(
        "extended attributes keep changing; not written".into(),
    ))
}

/// One attribute's value, `None` when it is gone.
pub(crate) fn get_xattr(fd: BorrowedFd<'_>, name: &[u8]) -> Result<Option<Vec<u8>>, FsError> {
    let shown = || String::from_utf8_lossy(name).into_owned();
    for _ in 0..8 {
        let size = match rustix::fs::fgetxattr_query(fd, name) {
            Ok(n) => n,
            Err(Errno::NODATA) => return Ok(None),
            Err(e) => return Err(FsError::io(format!("cannot read attribute {}", shown()), e)),
        };
        if size == 0 {
            return Ok(Some(Vec::new()));
        }
        let mut buf = vec![0u8; size];
        match rustix::fs::fgetxattr(fd, name, &mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(Some(buf));
            }
            Err(Errno::RANGE) => continue,
            Err(Errno::NODATA) => return Ok(None),
            Err(e) => return Err(FsError::io(format!("cannot read attribute {}", shown()), e)),
        }
    }
    Err(FsError::Refused(format!(
        "extended attribute {} keeps changing; not written",
        shown()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn file(dir: &Path, name: &str, mode: u32) -> std::fs::File {
        let p = dir.join(name);
        std::fs::write(&p, b"x").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(p)
            .unwrap()
    }

    #[test]
    fn mode_owner_and_attributes_are_copied_and_extras_removed() {
        let dir = tempfile::tempdir().unwrap();
        let a = file(dir.path(), "a", 0o2754);
        let b = file(dir.path(), "b", 0o600);
        rustix::fs::fsetxattr(&a, "user.test", b"one", XattrFlags::empty()).unwrap();
        rustix::fs::fsetxattr(&b, "user.extra", b"two", XattrFlags::empty()).unwrap();
        if Meta::of_fd(&a).unwrap().uid == 0 {
            rustix::fs::fchown(&a, Some(Uid::from_raw(1234)), Some(Gid::from_raw(4321))).unwrap();
        }
        let meta = Meta::of_fd(&a).unwrap();
        keep_metadata(a.as_fd(), &meta, b.as_fd()).unwrap();
        let got = Meta::of_fd(&b).unwrap();
        assert_eq!(
            (got.mode, got.uid, got.gid),
            (meta.mode, meta.uid, meta.gid)
        );
        assert_eq!(list_xattrs(b.as_fd()).unwrap(), [b"user.test".to_vec()]);
        assert_eq!(get_xattr(b.as_fd(), b"user.test").unwrap().unwrap(), b"one");
        assert_eq!(get_xattr(b.as_fd(), b"user.nope").unwrap(), None);
    }

    #[test]
    fn a_new_file_gets_the_mode_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let b = file(dir.path(), "b", 0o600);
        set_mode(b.as_fd(), 0o644).unwrap();
        assert_eq!(Meta::of_fd(&b).unwrap().mode, 0o644);
    }
}
