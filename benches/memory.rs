//! Memory regression guard (issue 19), measured with `getrusage` in a
//! benchmark rather than a timed test: planning one 2 MB YAML file with
//! 10,000 findings must not grow the process's peak RSS by more than
//! [`LIMIT_MB`] the way `fix` plans it (everything kept), nor by more than
//! [`SCAN_LIMIT_MB`] the way a human or JSON scan plans it (the findings
//! kept, the texts and scalars dropped). Both take the read buffer as a
//! run does. Before issue 19 every string of a file became a large record
//! and the old and new event streams were both kept, so memory was tens
//! of times the file.
//!
//! `cargo bench --bench memory` (fails, exit 1, when over a limit).

#[path = "common/gen.rs"]
mod generator;

use std::path::Path;

use driftfix::formats::FileType;
use driftfix::matcher::Matcher;
use driftfix::plan::{Context, Keep, PlanOptions, plan_buffer};
use driftfix::rules::{Role, RuleSet};
use generator::{Kind, Rng, document, rules_toml};

/// Peak RSS growth allowed for planning the 2 MB file as `fix` does (it,
/// its edited copy, the kept scalars and the findings of 10,000 aliases,
/// with slack). Measured about 32 MB once the YAML engine kept a compact
/// parse and left out the scalars planning cannot use; 18 MB once the
/// plan took the read buffer, suppression worked in place and findings
/// shared their names (issue 19); 15.5 MB once scalars boxed their rare
/// parts and fixes shared their replacement text. Without the reset below
/// the guard read 0.0 MB, planning's peak hidden under the generator's.
const LIMIT_MB: f64 = 20.0;

/// The same for a scan whose report reads the findings alone (human,
/// JSON): no edited text, scalars or fingerprints are kept. Measured
/// about 15 MB (issue 19); 11.5 MB once the edited text was verified
/// without being built and the scan's lists were sized once; 10.4 MB with
/// the smaller scalar records.
const SCAN_LIMIT_MB: f64 = 14.0;

/// The environment variable that makes this process measure one case
/// (`fix` or `scan`): each case runs in a process of its own, so memory
/// that one case gave back to the allocator cannot hide the other's.
const CASE: &str = "DRIFTFIX_MEMORY_CASE";

/// Resets the peak to the current RSS where Linux allows it
/// (`/proc/self/clear_refs`), so that the generator's own peak does not
/// hide planning's; returns the RSS to measure growth from.
fn reset_peak() -> f64 {
    if std::fs::write("/proc/self/clear_refs", "5").is_ok()
        && let Some(now) = status_mb("VmRSS:")
    {
        return now;
    }
    peak_rss_mb()
}

/// A `/proc/self/status` line in MB (`VmHWM:`, `VmRSS:`).
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The process's peak resident set so far, in MB.
fn peak_rss_mb() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given;
    // the zeroed value is a valid `rusage` either way.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    // `cargo test --benches` runs this with --test-ish flags: the guard
    // is the same either way.
    if let Ok(case) = std::env::var(CASE) {
        measure(&case);
        return;
    }
    let mut failed = false;
    for case in ["fix", "scan"] {
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
        let status = std::process::Command::new(exe)
            .env(CASE, case)
            .status()
            .unwrap_or_else(|e| panic!("memory: cannot run the {case} case: {e}"));
        failed |= !status.success();
    }
    if failed {
        std::process::exit(1);
    }
}

/// Plans the 2 MB file as `case` (`fix` or `scan`) does and checks the
/// growth of the peak RSS against its limit (exit 1 when over).
fn measure(case: &str) {
    let (keep, limit) = match case {
        "scan" => (Keep::FINDINGS, SCAN_LIMIT_MB),
        _ => (Keep::ALL, LIMIT_MB),
    };
    let rules = RuleSet::from_toml_str(&rules_toml(), Path::new("bench-rules.toml"))
        .unwrap_or_else(|e| panic!("bench rules: {e}"));
    let matcher = Matcher::new(&rules);
    let ctx = Context {
        rules: &rules,
        matcher: &matcher,
        options: PlanOptions {
            strict: false,
            keep,
        },
        baseline: None,
    };
    let mut rng = Rng::new(7);
    let doc = document(Kind::Yaml, &mut rng, 0, 2_000_000, 10_000);
    let mut bytes = doc.text.into_bytes();
    let size = bytes.len();
    let before = reset_peak();
    let plan = plan_buffer(&ctx, "big.yaml", FileType::Yaml, Role::Editable, &mut bytes)
        .unwrap_or_else(|e| panic!("plan: {e:?}"));
    let peak = status_mb("VmHWM:").unwrap_or_else(peak_rss_mb);
    let grown = peak - before;
    let findings = plan.findings.len();
    drop(plan);
    println!(
        "memory ({case}): {:.1} MB YAML, {findings} findings: peak RSS grew {grown:.1} MB (limit {limit} MB)",
        size as f64 / 1e6
    );
    if findings < 9_000 {
        eprintln!("memory: expected about 10,000 findings, got {findings}");
        std::process::exit(1);
    }
    if grown > limit {
        eprintln!("memory ({case}): peak RSS grew {grown:.1} MB, over the {limit} MB limit");
        std::process::exit(1);
    }
}
