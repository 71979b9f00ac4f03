//! Where discover's output may go (its command lives in [`crate::app`]).
//!
//! Nothing is written but `--output` (stdout without it, or with `-`). An
//! existing `--output` file is refused unless `--force` (edits made to a
//! draft are easy to lose); without `--force` the file is created with a
//! rename that never replaces one ([`crate::fs::Output::create_only`]), so
//! a file that appears meanwhile is not overwritten either. On top of
//! the checks every `--output` gets (not a rule file, not authority or
//! read-only), `--output` is never a file the run would read.

use std::path::{Path, PathBuf};

use crate::rules::{RuleSet, TypeSource};

/// Why `discover` may not write its output.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("--output {} already exists; pass --force to replace it", .0.display())]
    Exists(PathBuf),
    #[error("--output {} is a file this run reads; not overwritten", .0.display())]
    Target(PathBuf),
    #[error(transparent)]
    Render(#[from] super::render::RenderError),
}

/// `--output`, unless it is stdout (`-`).
pub fn file(output: Option<&Path>) -> Option<&Path> {
    output.filter(|p| *p != Path::new("-"))
}

/// An existing file is refused unless `force`; an existing FIFO, character
/// device or socket, or a symlink to one (`/dev/null`), is a stream that is
/// written, never replaced (SPEC §14), so it needs no `--force`.
pub fn check_absent(path: &Path, force: bool) -> Result<(), DiscoverError> {
    if force || std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    if is_stream(path) {
        return Ok(());
    }
    Err(DiscoverError::Exists(path.to_path_buf()))
}

/// Whether `path` (symlinks followed) is a FIFO, character device or socket.
pub fn is_stream(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| {
        let t = m.file_type();
        t.is_fifo() || t.is_char_device() || t.is_socket()
    })
}

/// `path` may not be a file the run reads: an existing file under `base`
/// that the walk would take (the walk leaves `--output` out as the run's
/// own file, so it is looked at here), unless it is driftfix's own: a rule
/// file (an earlier draft) or JSON output (SPEC §8).
pub fn check_not_read(
    path: &Path,
    base: &Path,
    rules: &RuleSet,
    max_size: u64,
) -> Result<(), DiscoverError> {
    let (Ok(real), Ok(real_base)) = (std::fs::canonicalize(path), std::fs::canonicalize(base))
    else {
        return Ok(());
    };
    let Some(rel) = crate::fs::paths::relative_to(&real_base, &real) else {
        return Ok(());
    };
    let file_type = match rules.type_of(&rel) {
        Some((t, TypeSource::Rules(_))) => t,
        Some((t, TypeSource::BuiltIn)) if rules.paths.include.is_match(&rel) => t,
        _ => return Ok(()),
    };
    if rules.paths.exclude.is_match(&rel) {
        return Ok(());
    }
    // Bounded, regular files only: a FIFO never blocks (SPEC §14).
    let bytes = crate::fs::read_regular_path(&real, max_size)
        .map(|c| c.bytes)
        .unwrap_or_default();
    let own = crate::run::is_driftfix_output(file_type, &bytes)
        || std::str::from_utf8(&bytes).is_ok_and(|t| RuleSet::from_toml_str(t, path).is_ok());
    if own {
        return Ok(());
    }
    Err(DiscoverError::Target(path.to_path_buf()))
}
