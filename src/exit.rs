//! Exit codes (SPEC §3), and the one place that turns what a command found
//! into one: 0 clean or done, 1 drift remains, 2 error.

use crate::cli::FailOn;
use crate::plan::Action;
use crate::rules::Severity;
use crate::run::Run;

/// How a command ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Nothing to report, or everything asked for was done.
    Ok = 0,
    /// Drift remains: findings at or above `--fail-on`, changes not
    /// written, or findings that need a manual fix.
    Drift = 1,
    /// Something could not be read, parsed, verified or written, or the
    /// command line or rules were wrong.
    Error = 2,
}

impl Exit {
    /// Errors win over drift, drift over a clean run.
    pub fn of(failed: bool, drift: bool) -> Exit {
        if failed {
            Exit::Error
        } else if drift {
            Exit::Drift
        } else {
            Exit::Ok
        }
    }

    /// The process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// `scan`: 2 on any error; 1 when a finding is at or above `fail_on`; else 0.
pub fn scan(r: &Run, fail_on: FailOn) -> Exit {
    let threshold = match fail_on {
        FailOn::Never => None,
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
    };
    let drift = threshold.is_some_and(|t| r.findings().any(|f| f.severity <= t));
    Exit::of(!r.error_list().is_empty(), drift)
}

/// `fix --dry-run` and `fix --apply`: 2 on error (`failed`: a write failed);
/// 1 when changes are pending (dry run) or editable findings are left
/// unfixed (manual); else 0. Report-only findings in read-only and
/// authority files never change it.
pub fn fix(r: &Run, failed: bool, pending: bool) -> Exit {
    Exit::of(
        failed || !r.error_list().is_empty(),
        pending || manual_left(r),
    )
}

/// `fix --preview`: 2 on any error (a write of the review, or one of the
/// run); 1 when a fixable change was declined or manual findings remain;
/// else 0.
pub fn review(write_failed: bool, declined: bool, run_errors: bool, manual_left: bool) -> Exit {
    Exit::of(write_failed || run_errors, declined || manual_left)
}

/// Editable findings that no fix covers.
pub fn manual_left(r: &Run) -> bool {
    r.findings().any(|f| f.action == Action::Manual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_spec_s() {
        assert_eq!(
            [Exit::Ok, Exit::Drift, Exit::Error].map(Exit::code),
            [0, 1, 2]
        );
    }

    #[test]
    fn errors_win_over_drift() {
        assert_eq!(Exit::of(true, true), Exit::Error);
        assert_eq!(Exit::of(false, true), Exit::Drift);
        assert_eq!(Exit::of(false, false), Exit::Ok);
    }
}
