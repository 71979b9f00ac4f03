//! A test hook that pauses the binary between planning and writing, so
//! integration tests can race it deterministically (swap a directory for a
//! symlink, plant a link at the `--output` name) instead of hoping a sleep
//! is long enough.
//!
//! With `DRIFTFIX_TEST_PAUSE_BEFORE_WRITE=/tmp/x` set, [`pause_before_write`]
//! creates `/tmp/x.ready` and waits until `/tmp/x` exists (polling every
//! 10 ms, at most [`PAUSE_TIMEOUT`], then an error: a forgotten pause must
//! not hang a test run). Once `/tmp/x` exists every later call passes at
//! once, so a run with many files pauses once. The test:
//!
//! ```text
//! spawn driftfix with the variable set → wait for /tmp/x.ready
//! → swap things → create /tmp/x → wait for the exit status
//! ```
//!
//! Unset (always, outside tests), it costs one environment lookup and does
//! nothing. It only ever creates the `.ready` file the variable names.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::FsError;

/// The variable that names the go-file.
pub const PAUSE_ENV: &str = "DRIFTFIX_TEST_PAUSE_BEFORE_WRITE";

/// How long a pause waits for the go-file before giving up.
pub const PAUSE_TIMEOUT: Duration = Duration::from_secs(60);

const POLL: Duration = Duration::from_millis(10);

/// Pauses when [`PAUSE_ENV`] is set; see the module docs. Returns whether it
/// paused.
pub fn pause_before_write() -> Result<bool, FsError> {
    match std::env::var_os(PAUSE_ENV) {
        Some(go) if !go.is_empty() => pause_on(Path::new(&go), PAUSE_TIMEOUT).map(|()| true),
        _ => Ok(false),
    }
}

/// Creates `<go>.ready`, then waits until `go` exists or `timeout` passes.
pub fn pause_on(go: &Path, timeout: Duration) -> Result<(), FsError> {
    let ready = ready_file(go);
    std::fs::write(&ready, std::process::id().to_string()).map_err(|e| {
        FsError::std_io(format!("test pause: cannot create {}", ready.display()), e)
    })?;
    let start = Instant::now();
    while std::fs::symlink_metadata(go).is_err() {
        if start.elapsed() >= timeout {
            return Err(FsError::Refused(format!(
                "test pause: {} did not appear within {} s",
                go.display(),
                timeout.as_secs()
            )));
        }
        std::thread::sleep(POLL);
    }
    Ok(())
}

/// `<go>.ready`.
pub fn ready_file(go: &Path) -> PathBuf {
    let mut name = OsString::from(go.as_os_str());
    name.push(".ready");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_the_go_file_then_passes_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let go = dir.path().join("go");
        let waiter = {
            let go = go.clone();
            std::thread::spawn(move || pause_on(&go, Duration::from_secs(10)))
        };
        let ready = ready_file(&go);
        let start = Instant::now();
        while !ready.exists() {
            assert!(start.elapsed() < Duration::from_secs(10), "never ready");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "still paused");
        std::fs::write(&go, b"").unwrap();
        waiter.join().unwrap().unwrap();
        let again = Instant::now();
        pause_on(&go, Duration::from_secs(10)).unwrap();
        assert!(again.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn gives_up_after_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let go = dir.path().join("never");
        let e = pause_on(&go, Duration::from_millis(100)).unwrap_err();
        assert!(e.to_string().contains("did not appear"), "{e}");
        assert!(ready_file(&go).exists());
    }

    #[test]
    fn unset_does_nothing() {
        // The variable is never set in the test environment.
        if std::env::var_os(PAUSE_ENV).is_none() {
            assert!(!pause_before_write().unwrap());
        }
    }
}
