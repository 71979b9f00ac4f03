//! Signals while driftfix changes files or waits for a key.
//!
//! * [`Deferred`]: SIGINT, SIGTERM and SIGHUP are held back while a file is
//!   replaced, so an interrupt never leaves a temp file or a half-finished
//!   replacement behind.
//! * [`Stopping`]: while `fix --apply` writes, the same signals stop it
//!   after the files being written: no new file is started, and the run
//!   says which files were written and which were not before it ends by
//!   the signal ([`Stopping::finish`]).
//! * [`Prompting`]: during `fix --preview` the same signals end the session
//!   like `q`, interrupting a blocking key read so the terminal is restored.
//!
//! A signal that was ignored when driftfix started (`nohup` ignores
//! SIGHUP, a shell's background job may ignore SIGINT) stays ignored: none
//! of these ever installs a handler for it (SPEC §14).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

/// The signals that stop driftfix: Ctrl-C, `kill`, a closed terminal.
const STOPPING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Installs `handler` for `sig` with `flags` (`SA_RESTART` or 0), returning
/// the previous action.
fn install(
    sig: libc::c_int,
    handler: extern "C" fn(libc::c_int),
    flags: libc::c_int,
) -> Option<libc::sigaction> {
    // SAFETY: plain sigaction(2) calls with zero-initialised, fully set
    // structs; every handler given here only updates atomics, which is
    // async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler as usize;
        action.sa_flags = flags;
        libc::sigemptyset(&mut action.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        (libc::sigaction(sig, &action, &mut old) == 0).then_some(old)
    }
}

/// [`install`], unless the signal is ignored: then it is left ignored and
/// `None` is returned.
fn install_unless_ignored(
    sig: libc::c_int,
    handler: extern "C" fn(libc::c_int),
    flags: libc::c_int,
) -> Option<libc::sigaction> {
    let old = install(sig, handler, flags)?;
    if old.sa_sigaction == libc::SIG_IGN {
        restore(sig, &old);
        return None;
    }
    Some(old)
}

/// Puts back an action saved by [`install`].
fn restore(sig: libc::c_int, old: &libc::sigaction) {
    // SAFETY: restores a disposition that sigaction(2) handed back.
    unsafe {
        libc::sigaction(sig, old, std::ptr::null_mut());
    }
}

// ---- holding signals back during writes ----------------------------------
//
// Several files may be replaced at once (from different threads), so each
// signal keeps a count of the writes holding it: the first installs the
// deferring handler, the last restores the previous disposition and
// re-raises the signal if it arrived meanwhile. A write that starts while a
// signal is pending is refused (`Deferred::pending`), so the holds drain
// and the signal takes effect within one file's write.

/// Deferred signals that arrived, one bit per signal number.
static PENDING: AtomicU64 = AtomicU64::new(0);

/// Per signal: how many writes hold it, and the disposition to restore.
static HELD: Mutex<Vec<(libc::c_int, usize, libc::sigaction)>> = Mutex::new(Vec::new());

fn bit(sig: libc::c_int) -> u64 {
    u32::try_from(sig)
        .ok()
        .and_then(|s| 1u64.checked_shl(s))
        .unwrap_or(0)
}

extern "C" fn note(sig: libc::c_int) {
    PENDING.fetch_or(bit(sig), Ordering::SeqCst);
}

/// While alive, the signals only set a flag; when the last holder of a
/// signal drops, its previous disposition comes back and the signal, if
/// it arrived, is raised again.
pub struct Deferred {
    sigs: Vec<libc::c_int>,
}

impl Deferred {
    pub fn new() -> Deferred {
        Deferred::of(&STOPPING)
    }

    pub fn of(sigs: &[libc::c_int]) -> Deferred {
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        let mut mine = Vec::new();
        for &sig in sigs {
            if let Some(h) = held.iter_mut().find(|h| h.0 == sig) {
                h.1 += 1;
                mine.push(sig);
            } else if let Some(old) = install_unless_ignored(sig, note, libc::SA_RESTART) {
                held.push((sig, 1, old));
                mine.push(sig);
            }
        }
        Deferred { sigs: mine }
    }

    /// Whether one of the signals held here arrived and waits to be
    /// re-raised.
    pub fn pending(&self) -> bool {
        let mask = self.sigs.iter().fold(0, |m, &s| m | bit(s));
        PENDING.load(Ordering::SeqCst) & mask != 0
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        for &sig in self.sigs.iter().rev() {
            let Some(i) = held.iter().position(|h| h.0 == sig) else {
                continue;
            };
            let Some(h) = held.get_mut(i) else { continue };
            h.1 -= 1;
            if h.1 > 0 {
                continue;
            }
            let (_, _, old) = held.swap_remove(i);
            restore(sig, &old);
            if PENDING.fetch_and(!bit(sig), Ordering::SeqCst) & bit(sig) != 0 {
                // SAFETY: raise(3) with a signal number we received.
                unsafe {
                    libc::raise(sig);
                }
            }
        }
    }
}

// ---- stopping `fix --apply` after the current files ------------------------

/// The first stop signal that arrived while [`Stopping`] was installed (0:
/// none).
static STOP: AtomicI32 = AtomicI32::new(0);

extern "C" fn stop_note(sig: libc::c_int) {
    let _ = STOP.compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
}

/// The stop signal that arrived, if one did: no new file is started.
pub fn stop_requested() -> Option<libc::c_int> {
    match STOP.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// The name of a stop signal, for the closing lines.
pub fn name(sig: libc::c_int) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    }
}

/// While alive, SIGINT, SIGTERM and SIGHUP (those not ignored at start)
/// only note that driftfix should stop ([`stop_requested`]); the writes
/// under way finish, no new one starts.
pub struct Stopping {
    saved: Vec<(libc::c_int, libc::sigaction)>,
}

impl Stopping {
    pub fn install() -> Stopping {
        let saved = STOPPING
            .into_iter()
            .filter_map(|sig| {
                Some((
                    sig,
                    install_unless_ignored(sig, stop_note, libc::SA_RESTART)?,
                ))
            })
            .collect();
        Stopping { saved }
    }

    /// Puts the previous handlers back, then, when a stop signal arrived,
    /// raises it again so that driftfix ends as the signal asks (the shell
    /// sees a process killed by SIGINT, and stops a loop). Returns the
    /// signal when the process is still alive after that (the signal was
    /// handled or blocked elsewhere).
    pub fn finish(self) -> Option<libc::c_int> {
        drop(self);
        let sig = stop_requested()?;
        // SAFETY: raise(3) with a signal number we received.
        unsafe {
            libc::raise(sig);
        }
        Some(sig)
    }
}

impl Drop for Stopping {
    fn drop(&mut self) {
        for (sig, old) in self.saved.drain(..) {
            restore(sig, &old);
        }
    }
}

// ---- ending a preview session --------------------------------------------

static ARRIVED: AtomicBool = AtomicBool::new(false);

extern "C" fn arrived_note(_: libc::c_int) {
    ARRIVED.store(true, Ordering::SeqCst);
    // A signal that lands after the prompt's last look at the flag and
    // before its key read blocks interrupts nothing: SIGALRM, a second
    // later, interrupts that read. SAFETY: alarm(2) is async-signal-safe.
    unsafe {
        libc::alarm(1);
    }
}

/// SIGALRM during a preview: only there to interrupt a blocking read.
extern "C" fn wake(_: libc::c_int) {}

/// While alive, SIGINT, SIGTERM and SIGHUP (a closed terminal) set a flag
/// and interrupt a blocking read (no `SA_RESTART`), so a key read returns
/// and the terminal is restored; on drop the previous handlers come back.
pub struct Prompting {
    saved: Vec<(libc::c_int, libc::sigaction)>,
}

impl Prompting {
    pub fn install() -> Prompting {
        let mut saved: Vec<_> = STOPPING
            .into_iter()
            .filter_map(|sig| Some((sig, install_unless_ignored(sig, arrived_note, 0)?)))
            .collect();
        if let Some(old) = install(libc::SIGALRM, wake, 0) {
            saved.push((libc::SIGALRM, old));
        }
        Prompting { saved }
    }

    /// Whether one of the signals arrived during the session.
    pub fn arrived() -> bool {
        ARRIVED.load(Ordering::SeqCst)
    }
}

impl Drop for Prompting {
    fn drop(&mut self) {
        // SAFETY: alarm(2) cancels a pending wake-up, before SIGALRM's
        // previous action is back.
        unsafe {
            libc::alarm(0);
        }
        for (sig, old) in self.saved.drain(..) {
            restore(sig, &old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    static SEEN: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn count(_: libc::c_int) {
        SEEN.fetch_add(1, Ordering::SeqCst);
    }

    /// Installs `handler` for `sig` (each test uses its own signal).
    fn handle(sig: libc::c_int, handler: extern "C" fn(libc::c_int)) {
        assert!(install(sig, handler, 0).is_some());
    }

    #[test]
    fn a_signal_during_the_write_is_delivered_after_it() {
        handle(libc::SIGUSR1, count);
        let before = SEEN.load(Ordering::SeqCst);
        {
            let _d = Deferred::of(&[libc::SIGUSR1]);
            // SAFETY: raise(3) to this thread.
            unsafe { libc::raise(libc::SIGUSR1) };
            assert_eq!(SEEN.load(Ordering::SeqCst), before, "held back");
        }
        assert_eq!(SEEN.load(Ordering::SeqCst), before + 1, "re-raised on drop");
    }

    static SEEN2: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn count2(_: libc::c_int) {
        SEEN2.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn overlapping_writes_hold_a_signal_until_the_last_one_ends() {
        handle(libc::SIGUSR2, count2);
        let first = Deferred::of(&[libc::SIGUSR2]);
        let second = std::thread::spawn(|| Deferred::of(&[libc::SIGUSR2]))
            .join()
            .unwrap();
        assert!(!first.pending());
        // SAFETY: raise(3) to this thread.
        unsafe { libc::raise(libc::SIGUSR2) };
        assert!(first.pending() && second.pending(), "seen by every holder");
        drop(first);
        assert_eq!(SEEN2.load(Ordering::SeqCst), 0, "still held by the second");
        drop(second);
        assert_eq!(SEEN2.load(Ordering::SeqCst), 1, "re-raised by the last");
        assert!(!Deferred::of(&[libc::SIGUSR2]).pending(), "cleared");
    }
}
