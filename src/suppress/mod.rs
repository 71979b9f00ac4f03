//! Suppressions (SPEC §11): findings accepted on purpose, so that a tree
//! with known, deliberate drift can still pass a CI gate and a cleanup loop
//! sees only what is new.
//!
//! Three sources, most specific first (a finding covered by several is
//! reported under the first):
//!
//! | source | where | module |
//! | --- | --- | --- |
//! | `inline` | a `driftfix: ignore…` marker in a comment of the file | [`inline`] |
//! | `rule` | an `[[ignore]]` rule in the rule file | [`crate::rules::ignore`] |
//! | `baseline` | an entry of a `--baseline FILE` | [`baseline`] |
//!
//! A suppressed finding is never edited, never counts for an exit code, is
//! left out of reports (listed with `--show-suppressed`) and counted in
//! `summary.suppressed`. Applying them to a file's findings is the
//! planner's job (`plan::suppressed`); this module only knows the sources,
//! and imports nothing above the rules.

pub mod baseline;
pub mod inline;

/// Where a suppression comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Inline,
    Rule,
    Baseline,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Inline, Source::Rule, Source::Baseline];

    /// The name in reports (`"suppressed": "inline"`).
    pub fn name(self) -> &'static str {
        match self {
            Source::Inline => "inline",
            Source::Rule => "rule",
            Source::Baseline => "baseline",
        }
    }
}

/// Why one finding is suppressed: its source and the place that says so
/// (`line 7: driftfix: ignore[pve-shop]`, `driftfix.toml:31: archived job`,
/// `baseline b.json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub source: Source,
    pub by: String,
}
