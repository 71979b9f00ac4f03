//! Reading a file that may have been swapped since the walk saw it.

use std::path::Path;

/// Why a file was not read. Its own type (not the planner's `FileError`)
/// so that this layer imports nothing above it.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A directory, FIFO, socket or device: skipped with a warning.
    #[error("not a regular file (directory, FIFO, socket or device)")]
    NotRegular,
    /// Over the size limit: skipped with a warning.
    #[error("larger than --max-file-size ({len} bytes > {max})")]
    TooLarge { len: u64, max: u64 },
    /// Vanished or unreadable: an error.
    #[error("cannot read: {0}")]
    Io(std::io::Error),
}

/// Reads a regular file (through a symlink) of at most `max_size` bytes,
/// never blocking and never reading more than the limit.
///
/// The walk already left out FIFOs, sockets and devices, but a path can be
/// replaced between the walk and the read (a file swapped for a FIFO would
/// block `read` forever; one that grows could exhaust memory). So the file is
/// opened non-blocking, the *opened* file is checked to be regular, and the
/// read is bounded: a file that is not regular is skipped, one that vanished
/// or cannot be opened is an error, one over the limit is skipped.
pub fn read_regular_file(path: &Path, max_size: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;

    let too_large = |len: u64| ReadError::TooLarge { len, max: max_size };
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > max_size {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            // Opening a socket: it was swapped in after the check above.
            Some(libc::ENXIO) => ReadError::NotRegular,
            _ => ReadError::Io(e),
        })?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if len > max_size {
        return Err(too_large(len));
    }
    Ok(bytes)
}
