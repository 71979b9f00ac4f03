//! The outputs of `discover`: printers over one [`Outcome`], none of which
//! decides anything.
//!
//! - [`toml`]: the draft rule file (the user's rules kept, `[[canonical]]`
//!   with aliases and their evidence as comments, unresolved values as a
//!   comment block);
//! - [`markdown`]: the example report's "Canonical Alignment" and
//!   "Cross-Reference" tables, with the proposals and unresolved values;
//! - [`json`]: the same data, `"schema": "driftfix-discover/v1"`.

pub mod json;
pub mod markdown;
pub mod stderr;
pub mod toml;

use super::evidence::{Item, Kind};
use super::propose::{Evidence, Occurrences};
use crate::rules::{Role, RuleSet};

pub use super::Outcome;

/// The output formats of `discover`: the registry behind its `--format`
/// (the same two steps as [`crate::report::Format`]: a module here with a
/// `render`, and a variant with its arm in [`Format::spec`]). They render a
/// discovery, not a scan's findings, so they are a registry of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    // A draft rule file, each alias commented with its evidence.
    Toml,
    // The alignment and cross-reference tables, for review.
    Markdown,
    // The same data for tools (`driftfix-discover/v1`).
    Json,
}

/// What the registry holds for one format.
pub struct Spec {
    pub render: fn(&Outcome, &RuleSet) -> Result<String, RenderError>,
}

impl Format {
    /// The registry entry.
    pub fn spec(self) -> Spec {
        match self {
            Format::Toml => Spec {
                render: toml::render,
            },
            Format::Markdown => Spec {
                render: |o, _| Ok(markdown::render(o)),
            },
            Format::Json => Spec {
                render: |o, _| Ok(json::render(o)),
            },
        }
    }

    /// The discovery in this format.
    pub fn render(self, outcome: &Outcome, rules: &RuleSet) -> Result<String, RenderError> {
        (self.spec().render)(outcome, rules)
    }
}

/// Why an output could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A rule file could not be read again for the draft.
    #[error("{}: cannot read rule file: {source}", .path.display())]
    RuleFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", .path.display())]
    RuleSyntax {
        path: std::path::PathBuf,
        message: String,
    },
    /// A bug: the draft would not load.
    #[error("internal error: the draft rule file does not load ({0}); please report this")]
    Draft(String),
}

/// Evidence items shown per kind in the draft and the markdown (JSON
/// holds every kept item).
const SHOWN: usize = 3;

/// A value on one line: whole when short, else its beginning in a window
/// ([`crate::report::excerpt`]); control characters made visible.
pub(crate) fn one_line(value: &str) -> String {
    crate::report::excerpt(value, &(0..0), false)
}

/// `10 occurrences in 4 files (editable 9, readonly 1)`.
fn occurrences(o: &Occurrences) -> String {
    let roles: Vec<String> = [Role::Authority, Role::Editable, Role::Readonly]
        .iter()
        .filter(|r| o.in_role(**r) > 0)
        .map(|r| format!("{} {}", r.name(), o.in_role(*r)))
        .collect();
    format!(
        "{} occurrence{} in {} file{}{}",
        o.total,
        crate::report::plural(o.total),
        o.files.len(),
        crate::report::plural(o.files.len()),
        if roles.is_empty() {
            String::new()
        } else {
            format!(" ({})", roles.join(", "))
        }
    )
}

/// `4 record links, 2 shared contexts` (empty when there is none).
fn evidence_counts(e: &Evidence) -> String {
    let mut parts = Vec::new();
    if e.links > 0 {
        parts.push(Kind::Link.counted(e.links));
    }
    if e.contexts > 0 {
        parts.push(Kind::Context.counted(e.contexts));
    }
    if e.refuted > 0 {
        parts.push(format!(
            "{} refuted link{}",
            e.refuted,
            crate::report::plural(e.refuted)
        ));
    }
    parts.join(", ")
}

/// ` (and 2 more shared values)` when a link rests on more than the value
/// shown, else nothing: the same words in every format.
fn more_values(item: &Item) -> String {
    match item.values {
        0 | 1 => String::new(),
        n => format!(
            " (and {} more shared value{})",
            n - 1,
            crate::report::plural(n - 1)
        ),
    }
}

/// `workbench/a.yaml:6 vmid: 200 = spine/b.yaml:5 id: 200`, on one line.
fn item_text(item: &Item) -> String {
    let value = one_line(&item.seen.value);
    format!(
        "{}:{} {}: {value} = {}:{} {}: {value}{}",
        crate::report::visible(&item.seen.path),
        item.seen.line,
        crate::report::visible(&item.seen.key),
        crate::report::visible(&item.authority.path),
        item.authority.line,
        crate::report::visible(&item.authority.key),
        more_values(item),
    )
}

/// The first [`SHOWN`] items of each kind, and how many more there are.
fn shown_items(e: &Evidence) -> Vec<(Kind, Vec<&Item>, usize)> {
    [(Kind::Link, e.links), (Kind::Context, e.contexts)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, total)| {
            let items: Vec<&Item> = e
                .items
                .iter()
                .filter(|i| i.kind == kind)
                .take(SHOWN)
                .collect();
            let more = total.saturating_sub(items.len());
            (kind, items, more)
        })
        .collect()
}
