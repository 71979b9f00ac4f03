//! SARIF 2.1.0 output (`scan --format sarif`) as GitHub code scanning reads
//! it, serialized from structs straight into the output (results rendered
//! on the thread pool, at most 512 at a time: 30,000 findings never become
//! a JSON tree in memory; see `write_log`) and checked against the OASIS
//! schema in the tests.
//!
//! Shape of the log:
//!
//! - **One rule per kind of finding** ([`Check`]): `non-canonical-label`,
//!   `unknown-label` (`--strict` values no rule knows) and
//!   `ungoverned-alias` (`--strict` aliases outside governed fields), always
//!   all three at fixed indexes, each with `shortDescription`,
//!   `fullDescription` (≤ 1,024 characters, GitHub's limit), `help.text` and
//!   `help.markdown` ([`super::checks`]). The canonical names are listed in
//!   the first rule's markdown help (at most 50) and named by each result,
//!   never turned into rules: a rule file with 25,000 names still gives
//!   three rules.
//! - **One result per finding**, `level` `error` (critical, high),
//!   `warning` (medium) or `note` (low); `properties` repeat the JSON
//!   report's fields (role, action, severity, field, actual, expected, …).
//!   At most [`MAX_RESULTS`] (GitHub rejects a run with more): past that
//!   the most severe are kept (critical first; within the cut severity, in
//!   path order) and the rest are counted in a `toolExecutionNotifications`
//!   entry (`descriptor.id` `result-limit`) and a warning on stderr.
//! - **Locations** are relative to the git work tree that holds the base
//!   directory (else the base directory; [`super::root`]): `uri` is the
//!   percent-encoded relative path with `uriBaseId` `SRCROOT`, declared in
//!   `originalUriBaseIds` without a `uri` (the log holds no absolute path
//!   and is reproducible; GitHub resolves relative URIs against the
//!   checkout, which is that work tree). `region` covers the alias text,
//!   1-based lines and columns counted in Unicode code points (`columnKind`
//!   `unicodeCodePoints`), `endColumn` exclusive as SARIF defines it.
//! - **Fixes** for `fix` findings: the byte edits the format engine makes for
//!   that finding alone (usually the alias text, or the whole scalar when it
//!   must be re-rendered), as `deletedRegion` + `insertedContent`. Each fix
//!   stands alone; `driftfix fix` applies all of them at once.
//! - **`partialFingerprints`** `driftfix/v1`: a 64-bit FNV-1a hash (hex) of
//!   the base-relative path, document, field with sequence indexes
//!   normalised to `[*]`, kind, actual value, alias, canonical and the
//!   ordinal among findings with the same tuple. No line numbers, so
//!   fingerprints survive edits elsewhere in the file, and inserting list
//!   items does not renumber them. (codeql-action's upload adds its own
//!   `primaryLocationLineHash` beside it from the file's text.)
//! - Errors, skipped files and warnings become `toolExecutionNotifications`
//!   of the one invocation; `executionSuccessful` is false when any error
//!   occurred. No timestamps, so the log is reproducible. Messages hold no
//!   absolute path ([`SourceRoot::scrub`]).

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::ser::SerializeSeq as _;
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{Report, SourceRoot, checks};
use crate::plan::{Applicability, Check, FilePlan, Finding};
use crate::rules::{RuleSet, Severity};
use crate::run::Run;
use crate::text::LineIndex;
use crate::warning::Warning;

/// `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The placeholder every artifact location is relative to: the git work
/// tree (else the base directory).
pub const BASE_ID: &str = "SRCROOT";
/// Key of the stable fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "driftfix/v1";
/// Results in one run at most (GitHub code scanning rejects more).
pub const MAX_RESULTS: usize = 25_000;
/// `descriptor.id` of the notification that counts the results left out.
pub const RESULT_LIMIT_ID: &str = "result-limit";

/// `scan --format sarif`: the log as pretty JSON with a final newline.
pub fn write(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_log(r, MAX_RESULTS, out)
}

/// The log as a `serde_json::Value`, with at most `max_results` results
/// (for tests): the bytes [`write()`] writes, read back.
pub fn log(r: &Report<'_>, max_results: usize) -> Value {
    let mut bytes = Vec::new();
    if write_log(r, max_results, &mut bytes).is_err() {
        return Value::Null;
    }
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// Writes the log with at most `max_results` results.
///
/// The results are most of the log (about 2.4 KB each: 19.6 MB for 8,000
/// findings, ten times the human report), and each one's JSON depends only
/// on its finding, its file and its fingerprint. So the log around them is
/// serialized first with an empty `results` array, the last member of the
/// one run, and the results are spliced into that hole: rendered in pieces
/// on the thread pool, a few pieces at a time so that memory stays flat
/// (SARIF of 30,000 findings is streamed), and written in order. The bytes
/// are what serializing the whole log at once writes (unit test).
fn write_log(r: &Report<'_>, max_results: usize, out: &mut dyn Write) -> io::Result<()> {
    let cap = Cap::of(r.run, max_results);
    let pieces = kept_results(r.run, &cap);
    let mut frame = Vec::new();
    super::pretty::to_writer(&mut frame, &Log::of(r, &cap, Hole))?;
    frame.push(b'\n');
    let mut out = super::buffered(out);
    let Some(head) = frame.strip_suffix(HOLE_TAIL.as_bytes()) else {
        // `results` is the last member of the run by construction.
        return Err(io::Error::other(
            "sarif: the results have no place in the log",
        ));
    };
    if pieces.is_empty() {
        out.write_all(&frame)?;
        return out.flush();
    }
    out.write_all(head)?;
    out.write_all(b"[")?;
    // Each file's line index (for its fixes' regions), built once by the
    // first of its pieces to need it: a 26.8 MB file is 782 pieces, and
    // an index per piece made its SARIF take 19.6 s instead of 4.4.
    let files = pieces.last().map_or(0, |p| p.file + 1);
    let mut indexes: Vec<OnceLock<LineIndex<'_>>> = (0..files).map(|_| OnceLock::new()).collect();
    let mut freed = 0;
    let mut first = true;
    for batch in pieces.chunks(PIECES_PER_BATCH) {
        let rendered: Vec<io::Result<Vec<u8>>> = batch
            .par_iter()
            .map(|piece| {
                let build = || LineIndex::new(&piece.plan.original);
                match indexes.get(piece.file) {
                    Some(slot) => piece.render(r.root, slot.get_or_init(build)),
                    // Every piece's file has a slot (counted above).
                    None => piece.render(r.root, &build()),
                }
            })
            .collect();
        for bytes in rendered {
            let bytes = bytes?;
            // Each result starts with `,` and its line break: not the first.
            let skip = usize::from(std::mem::take(&mut first));
            out.write_all(bytes.get(skip..).unwrap_or_default())?;
        }
        // Pieces come file by file: the files before this batch's last
        // one are done, and their indexes go.
        let last = batch.last().map_or(freed, |p| p.file);
        indexes
            .get_mut(freed..last)
            .into_iter()
            .flatten()
            .for_each(|slot| drop(slot.take()));
        freed = last;
    }
    out.write_all(RESULTS_TAIL.as_bytes())?;
    out.flush()
}

/// How the log ends when its `results` array is empty: `[]`, then the run,
/// the `runs` array and the log closing, one per line.
const HOLE_TAIL: &str = "[]\n    }\n  ]\n}\n";
/// What follows the last result: the array closing at its member's
/// indentation, then the rest of [`HOLE_TAIL`].
const RESULTS_TAIL: &str = "\n      ]\n    }\n  ]\n}\n";
/// The nesting level of a result in the log (log, `runs`, the run,
/// `results`): its lines are indented by twice this many spaces.
const RESULT_LEVEL: usize = 4;
/// Results per piece of rendering work, at most (a piece is one file's).
const PIECE: usize = 32;
/// Pieces rendered on the pool before they are written: at most 512
/// results, about 1.2 MB of JSON, enough to keep both cores busy.
const PIECES_PER_BATCH: usize = 16;

/// The empty `results` array of the log's frame ([`write_log`] fills it).
struct Hole;

impl Serialize for Hole {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_seq(Some(0))?.end()
    }
}

/// Consecutive results of one file (at most [`PIECE`]): the kept findings
/// and their fingerprints.
struct Piece<'a> {
    /// The ordinal of its file among the files with results.
    file: usize,
    plan: &'a FilePlan,
    /// Each finding's index in its plan, the finding, its fingerprint.
    kept: Vec<(usize, &'a Finding, u64)>,
}

impl Piece<'_> {
    /// The results as they stand in the log's `results` array, each with
    /// the `,` and indented line break that come before it. `index` is the
    /// line index of its file's original text.
    fn render(&self, root: &SourceRoot, index: &LineIndex<'_>) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(self.kept.len() * 2_560);
        for &(i, f, print) in &self.kept {
            out.extend_from_slice(b",\n");
            out.resize(out.len() + 2 * RESULT_LEVEL, b' ');
            let result = ResultLog::of((i, f), self.plan, index, root, format!("{print:016x}"));
            super::pretty::to_writer_at(&mut out, &result, RESULT_LEVEL)?;
        }
        Ok(out)
    }
}

/// The results of the run in order, in pieces. Fingerprints are computed
/// here, in order, because a finding's ordinal counts the equal findings
/// before it, kept or not (a fingerprint never depends on the limit).
fn kept_results<'a>(run: &'a Run, cap: &Cap) -> Vec<Piece<'a>> {
    let mut prints = Fingerprints::default();
    let mut seen = 0;
    let mut pieces: Vec<Piece<'a>> = Vec::new();
    for plan in run.plans().filter(|p| !p.findings.is_empty()) {
        let file = pieces.last().map_or(0, |p| p.file + 1);
        let mut kept = Vec::new();
        for (i, f) in plan.findings.iter().enumerate() {
            let print = prints.next_hash(f);
            if cap.keeps(f, &mut seen) {
                kept.push((i, f, print));
                if kept.len() == PIECE {
                    pieces.push(Piece {
                        file,
                        plan,
                        kept: std::mem::take(&mut kept),
                    });
                }
            }
        }
        if !kept.is_empty() {
            pieces.push(Piece { file, plan, kept });
        }
    }
    pieces
}

/// The stderr warning when results were left out.
pub fn warnings(r: &Report<'_>) -> Vec<Warning> {
    let cap = Cap::of(r.run, MAX_RESULTS);
    if cap.dropped == 0 {
        return Vec::new();
    }
    vec![Warning::new(cap.note())]
}

/// The log, with its `results` as `R`.
#[derive(Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [RunLog<R>; 1],
}

impl<R: Serialize> Log<R> {
    fn of(r: &Report<'_>, cap: &Cap, results: R) -> Log<R> {
        Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: [RunLog {
                tool: Tool {
                    driver: Driver {
                        name: "driftfix",
                        version: env!("CARGO_PKG_VERSION"),
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        rules: Check::ALL.map(|c| Rule::of(c, r.rules)),
                    },
                },
                invocations: [invocation(r.run, r.root, cap)],
                original_uri_base_ids: BaseIds {
                    srcroot: BaseId {
                        description: Text {
                            text: "The root of the git work tree that holds the base directory \
                                   (the base directory itself outside a work tree).",
                        },
                    },
                },
                column_kind: "unicodeCodePoints",
                results,
            }],
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunLog<R> {
    tool: Tool,
    invocations: [Invocation; 1],
    original_uri_base_ids: BaseIds,
    column_kind: &'static str,
    /// Last: [`write_log`] splices the results in where the log ends.
    results: R,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: [Rule; 3],
}

#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "SRCROOT")]
    srcroot: BaseId,
}

#[derive(Serialize)]
struct BaseId {
    description: Text<&'static str>,
}

/// A SARIF `message` (or any `{"text": …}`).
#[derive(Serialize)]
struct Text<T> {
    text: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text<&'static str>,
    full_description: Text<&'static str>,
    help: Help,
    default_configuration: Level,
    properties: RuleProperties,
}

impl Rule {
    fn of(check: Check, rules: &RuleSet) -> Rule {
        let doc = checks::doc(check);
        let mut tags = vec!["naming", "drift"];
        if check != Check::NonCanonical {
            tags.push("strict");
        }
        Rule {
            id: check.id(),
            name: doc.name,
            short_description: Text { text: doc.short },
            full_description: Text { text: doc.full },
            help: Help {
                text: doc.help,
                markdown: checks::help_markdown(check, rules),
            },
            default_configuration: Level { level: "warning" },
            properties: RuleProperties { tags },
        }
    }
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: String,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

/// Which findings become results: all of them up to the limit; past it the
/// most severe.
struct Cap {
    /// Findings of a severity more severe than this are all kept; of this
    /// severity the first `keep` (in path order); the rest are dropped.
    /// `None`: everything is kept.
    cut: Option<(Severity, usize)>,
    total: usize,
    dropped: usize,
    limit: usize,
}

impl Cap {
    fn of(run: &Run, limit: usize) -> Cap {
        let mut counts = [0usize; 4];
        for f in run.findings() {
            if let Some(n) = Severity::ALL
                .iter()
                .position(|&s| s == f.severity)
                .and_then(|i| counts.get_mut(i))
            {
                *n += 1;
            }
        }
        let total: usize = counts.iter().sum();
        let mut room = limit;
        let mut cut = None;
        for (level, &n) in Severity::ALL.iter().zip(&counts) {
            if n > room {
                cut = Some((*level, room));
                break;
            }
            room -= n;
        }
        Cap {
            cut,
            total,
            dropped: total.saturating_sub(limit),
            limit,
        }
    }

    /// Whether the next finding is kept; `seen` counts findings of the cut
    /// severity so far.
    fn keeps(&self, f: &Finding, seen: &mut usize) -> bool {
        let Some((level, keep)) = self.cut else {
            return true;
        };
        if f.severity < level {
            return true;
        }
        if f.severity > level {
            return false;
        }
        *seen += 1;
        *seen <= keep
    }

    /// What the notification and the stderr warning say.
    fn note(&self) -> String {
        format!(
            "sarif: {} findings, {} results: the {} least severe are left out (GitHub code scanning accepts at most {} results per run; --format json lists them all)",
            self.total,
            self.total - self.dropped,
            self.dropped,
            self.limit
        )
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLog<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<String>,
    locations: [Location<'a>; 1],
    partial_fingerprints: Prints,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[FixLog; 1]>,
    properties: Properties<'a>,
}

impl<'a> ResultLog<'a> {
    /// The result of finding `i` of `plan`, `f`.
    fn of(
        (i, f): (usize, &'a Finding),
        plan: &'a FilePlan,
        index: &LineIndex,
        root: &SourceRoot,
        print: String,
    ) -> ResultLog<'a> {
        let field = f.kind.has_field().then_some(f.field.as_str());
        ResultLog {
            rule_id: f.check.id(),
            rule_index: f.check.index(),
            level: level(f.severity),
            message: Text {
                text: root.scrub(&checks::message(f)).into_owned(),
            },
            locations: [Location {
                physical_location: Physical {
                    artifact_location: artifact(root, &f.path),
                    region: Region {
                        start_line: f.line,
                        start_column: f.column,
                        end_line: Some(f.end_line),
                        end_column: Some(f.end_column),
                    },
                },
                logical_locations: field
                    .map(|name| {
                        vec![Logical {
                            fully_qualified_name: name,
                            kind: "member",
                        }]
                    })
                    .unwrap_or_default(),
            }],
            partial_fingerprints: Prints { v1: print },
            fixes: fix((i, f), plan, index, root).map(|x| [x]),
            properties: Properties {
                role: f.role.name(),
                action: f.action.name(),
                severity: f.severity.name(),
                field,
                kind: f.kind.name(),
                document: f.document,
                actual: &f.actual,
                expected: f.expected.as_ref(),
                alias: f.alias.as_deref(),
                canonical: f.canonical.as_deref(),
                mode: f.mode.name(),
                reason: f.reason.as_deref().map(|r| root.scrub(r).into_owned()),
            },
        }
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: Physical,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Artifact {
    uri: String,
    uri_base_id: &'static str,
}

fn artifact(root: &SourceRoot, rel_path: &str) -> Artifact {
    Artifact {
        uri: uri_path(&root.path(rel_path)),
        uri_base_id: BASE_ID,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

impl Region {
    fn between(index: &LineIndex, start: usize, end: usize) -> Region {
        let (sl, sc) = index.line_col(start);
        let (el, ec) = index.line_col(end);
        Region {
            start_line: sl,
            start_column: sc,
            end_line: Some(el),
            end_column: Some(ec),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Prints {
    #[serde(rename = "driftfix/v1")]
    v1: String,
}

#[derive(Serialize)]
struct Properties<'a> {
    role: &'static str,
    action: &'static str,
    severity: &'static str,
    field: Option<&'a str>,
    kind: &'static str,
    document: usize,
    actual: &'a str,
    /// Rendered when serialized: findings of one scalar share its value.
    expected: Option<&'a crate::plan::ScalarText>,
    alias: Option<&'a str>,
    canonical: Option<&'a str>,
    #[serde(rename = "match")]
    mode: &'static str,
    reason: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixLog {
    description: Text<String>,
    artifact_changes: [Change; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Change {
    artifact_location: Artifact,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text<String>,
}

/// The SARIF fix of one `fix` finding: the edits of its fix alone.
fn fix(
    (i, f): (usize, &Finding),
    plan: &FilePlan,
    index: &LineIndex,
    root: &SourceRoot,
) -> Option<FixLog> {
    f.fix
        .as_ref()
        .filter(|x| x.applicability == Applicability::Safe && plan.parsed)?;
    let edits = plan.fix_edits(i);
    if edits.is_empty()
        || edits
            .iter()
            .any(|e| plan.original.get(e.range.clone()).is_none())
    {
        return None;
    }
    Some(FixLog {
        description: Text {
            text: format!(
                "Replace `{}` with `{}`",
                f.alias.as_deref().unwrap_or(&f.actual),
                f.canonical.as_deref().unwrap_or_default()
            ),
        },
        artifact_changes: [Change {
            artifact_location: artifact(root, &f.path),
            replacements: edits
                .into_iter()
                .map(|e| Replacement {
                    deleted_region: Region::between(index, e.range.start, e.range.end),
                    inserted_content: Text { text: e.text },
                })
                .collect(),
        }],
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[NoteLocation; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NoteLocation {
    physical_location: NotePhysical,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotePhysical {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

impl Notification {
    fn new(level: &'static str, root: &SourceRoot, text: &str) -> Notification {
        Notification {
            level,
            message: Text {
                text: root.scrub(text).into_owned(),
            },
            locations: None,
            descriptor: None,
        }
    }

    fn at(mut self, root: &SourceRoot, path: &str, region: Option<Region>) -> Notification {
        self.locations = Some([NoteLocation {
            physical_location: NotePhysical {
                artifact_location: artifact(root, path),
                region,
            },
        }]);
        self
    }
}

/// Errors, skipped files, warnings and the result limit, as notifications
/// of the one invocation.
fn invocation(run: &Run, root: &SourceRoot, cap: &Cap) -> Invocation {
    let mut notes = Vec::new();
    for (path, message) in &run.errors {
        notes.push(Notification::new(
            "error",
            root,
            &format!("{path}: {message}"),
        ));
    }
    for o in &run.outcomes {
        let Some(e) = o.problem() else { continue };
        let region = e.line.zip(e.column).map(|(line, column)| Region {
            start_line: line.max(1),
            start_column: column.max(1),
            end_line: None,
            end_column: None,
        });
        let (level, text) = if e.is_skip() {
            ("warning", format!("skipped: {}", e.message))
        } else {
            ("error", e.message.clone())
        };
        notes.push(Notification::new(level, root, &text).at(root, &o.target.rel_path, region));
    }
    for s in &run.walk_skipped {
        notes.push(
            Notification::new("warning", root, &format!("skipped: {}", s.message))
                .at(root, &s.path, None),
        );
    }
    for w in &run.warnings {
        notes.push(Notification::new("warning", root, &w.to_string()));
    }
    if cap.dropped > 0 {
        notes.push(Notification {
            descriptor: Some(Descriptor {
                id: RESULT_LIMIT_ID,
            }),
            ..Notification::new("warning", root, &cap.note())
        });
    }
    Invocation {
        execution_successful: run.error_list().is_empty(),
        tool_execution_notifications: notes,
    }
}

/// The `driftfix/v1` fingerprints of a run's findings, in order: each
/// finding's content hash and its ordinal among equal ones. Shared by
/// SARIF and the GitLab report.
#[derive(Default)]
pub struct Fingerprints {
    /// Findings seen so far per content hash.
    ordinals: HashMap<u64, usize>,
}

impl Fingerprints {
    /// The fingerprint of the next finding (call once per finding, in
    /// order), 16 hex digits.
    pub fn next(&mut self, f: &Finding) -> String {
        format!("{:016x}", self.next_hash(f))
    }

    /// [`Fingerprints::next`] as a number.
    fn next_hash(&mut self, f: &Finding) -> u64 {
        let key = fingerprint_hash(f);
        let n = self.ordinals.entry(key).or_default();
        // The hash of `KEY NUL n`, carried on from the key's own hash
        // (FNV-1a is byte by byte) rather than hashing the key twice.
        let print = fnv1a64_on(fnv1a64_on(key, b"\0"), n.to_string().as_bytes());
        *n += 1;
        print
    }
}

/// What the fingerprint hashes (everything but the ordinal): no line or
/// column, sequence indexes normalised, fields separated by NUL.
fn fingerprint_parts(f: &Finding) -> [std::borrow::Cow<'_, str>; 7] {
    [
        (*f.path).into(),
        f.document.to_string().into(),
        crate::rules::selector::any_index(&f.field).into(),
        f.kind.name().into(),
        (&*f.actual).into(),
        f.alias.as_deref().unwrap_or("").into(),
        f.canonical.as_deref().unwrap_or("").into(),
    ]
}

/// FNV-1a of the NUL-joined [`fingerprint_parts`], hashed part by part
/// (no joined copy per finding).
fn fingerprint_hash(f: &Finding) -> u64 {
    let mut h = fnv1a64(b"");
    for (i, part) in fingerprint_parts(f).iter().enumerate() {
        if i > 0 {
            h = fnv1a64_on(h, b"\0");
        }
        h = fnv1a64_on(h, part.as_bytes());
    }
    h
}

#[cfg(test)]
fn fingerprint_input(f: &Finding) -> String {
    fingerprint_parts(f).join("\u{0}")
}

/// FNV-1a, 64 bit: tiny, dependency-free and stable across Rust versions
/// and platforms (unlike `std`'s `DefaultHasher`).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_on(0xcbf2_9ce4_8422_2325, bytes)
}

/// FNV-1a of `bytes` carried on from `h`, the hash of what came before.
fn fnv1a64_on(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A relative path as a URI reference: unreserved characters, `/` and the
/// harmless sub-delimiters stay, everything else (spaces, `%`, `:`, `#`,
/// `?`, non-ASCII) is percent-encoded per UTF-8 byte. `:` is encoded so a
/// first segment never reads as a scheme.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testkit;

    fn sarif(run: &Run, root: &SourceRoot, max: usize) -> Value {
        let rules = testkit::rules();
        log(&testkit::report(run, &rules, root), max)
    }

    fn homelab_log() -> Value {
        sarif(&testkit::homelab(), &SourceRoot::base(), MAX_RESULTS)
    }

    fn results(log: &Value) -> &Vec<Value> {
        log["runs"][0]["results"].as_array().unwrap()
    }

    /// The results serialized in one go with the rest of the log, as the
    /// log was written before [`write_log`] spliced them in.
    struct Serial<'a> {
        pieces: Vec<Piece<'a>>,
        root: &'a SourceRoot,
    }

    impl Serialize for Serial<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(None)?;
            for piece in &self.pieces {
                let index = LineIndex::new(&piece.plan.original);
                for &(i, f, print) in &piece.kept {
                    let print = format!("{print:016x}");
                    seq.serialize_element(&ResultLog::of(
                        (i, f),
                        piece.plan,
                        &index,
                        self.root,
                        print,
                    ))?;
                }
            }
            seq.end()
        }
    }

    /// 40 files with 0 to 69 findings each: files of several pieces, and
    /// more pieces than a batch.
    fn many_findings() -> Run {
        let outcomes = (0..40)
            .map(|i| {
                let path = format!("f{i:02}.yaml");
                let findings = (0..(i * 3) % 70)
                    .map(|n| testkit::finding(&path, n + 1, "host", "pve-shop", "pve"))
                    .collect();
                testkit::planned(&path, "host: pve-shop\n", findings)
            })
            .collect();
        testkit::run(outcomes)
    }

    /// The spliced log is byte for byte the log serialized whole: with
    /// results, with some left out by the limit, with none (empty run,
    /// limit 0), and with errors and warnings among the notifications.
    #[test]
    fn spliced_results_are_the_log_serialized_whole() {
        let rules = testkit::rules();
        let root = SourceRoot::base();
        let runs = [
            testkit::homelab(),
            testkit::run(Vec::new()),
            many_findings(),
        ];
        for run in &runs {
            for max in [MAX_RESULTS, 100, 3, 0] {
                let r = testkit::report(run, &rules, &root);
                let mut spliced = Vec::new();
                write_log(&r, max, &mut spliced).unwrap();
                let cap = Cap::of(run, max);
                let pieces = kept_results(run, &cap);
                let serial = Serial {
                    pieces,
                    root: &root,
                };
                let mut whole = Vec::new();
                crate::report::pretty::to_writer(&mut whole, &Log::of(&r, &cap, serial)).unwrap();
                whole.push(b'\n');
                assert_eq!(
                    String::from_utf8(spliced).unwrap(),
                    String::from_utf8(whole).unwrap()
                );
            }
        }
    }

    /// Pieces hold each kept result once, in order, at most [`PIECE`]
    /// of one file each.
    #[test]
    fn pieces_hold_the_results_in_order() {
        let run = many_findings();
        let cap = Cap::of(&run, 500);
        let pieces = kept_results(&run, &cap);
        assert!(pieces.iter().any(|p| p.kept.len() == PIECE));
        assert!(
            pieces
                .iter()
                .all(|p| !p.kept.is_empty() && p.kept.len() <= PIECE)
        );
        assert!(pieces.iter().all(|p| {
            p.kept.iter().all(|&(i, f, _)| {
                f.path.as_ref() == p.plan.rel_path
                    && p.plan.findings.get(i).is_some_and(|g| std::ptr::eq(f, g))
            })
        }));
        let flat: Vec<*const Finding> = pieces
            .iter()
            .flat_map(|p| p.kept.iter().map(|&(_, f, _)| f as *const _))
            .collect();
        let all: Vec<*const Finding> = run.findings().map(|f| f as *const _).take(500).collect();
        assert_eq!(flat, all);
    }

    #[test]
    fn one_rule_per_kind_of_finding_each_with_help() {
        let log = homelab_log();
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            ids,
            ["non-canonical-label", "unknown-label", "ungoverned-alias"]
        );
        for r in rules {
            assert!(!r["help"]["text"].as_str().unwrap().is_empty(), "{r}");
            assert!(!r["help"]["markdown"].as_str().unwrap().is_empty(), "{r}");
            assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
            let full = r["fullDescription"]["text"].as_str().unwrap();
            assert!(full.chars().count() <= checks::MAX_FULL_DESCRIPTION);
        }
        let md = rules[0]["help"]["markdown"].as_str().unwrap();
        assert!(
            md.contains("| `pve` | `pve-shop`, `proxmox-shop` |"),
            "{md}"
        );
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"][0]["columnKind"], "unicodeCodePoints");
        assert!(log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"].is_null());
    }

    #[test]
    fn levels_locations_and_rule_indexes() {
        let log = homelab_log();
        let rs = results(&log);
        assert_eq!(rs.len(), 6);
        let by_path = |p: &str| {
            rs.iter()
                .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == p)
                .unwrap()
        };
        let high = by_path("workbench/backup_inventory.json");
        assert_eq!(high["level"], "error");
        assert_eq!(high["ruleId"], "non-canonical-label");
        assert_eq!(high["ruleIndex"], 0);
        assert_eq!(high["properties"]["canonical"], "proxmox-home");
        let region = &high["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 5);
        assert_eq!(region["startColumn"], 15);
        assert_eq!(region["endColumn"], 15 + "pve-home".len());
        assert_eq!(
            high["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "SRCROOT"
        );
        assert_eq!(by_path("workbench/inventory.yaml")["level"], "warning");
        assert_eq!(by_path("legacy/old.yaml")["level"], "note");
        assert_eq!(by_path("legacy/old.yaml")["properties"]["action"], "report");
    }

    #[test]
    fn rule_ids_follow_the_check() {
        let mut run = testkit::homelab();
        for o in &mut run.outcomes {
            if let Ok(p) = &mut o.result {
                for f in &mut p.findings {
                    if &*f.path == "legacy/old.yaml" {
                        f.check = Check::Ungoverned;
                    }
                    if &*f.path == "workbench/clusters.yaml" {
                        f.check = Check::Unknown;
                        f.alias = None;
                    }
                }
            }
        }
        let log = sarif(&run, &SourceRoot::base(), MAX_RESULTS);
        let ids: Vec<(&str, u64)> = results(&log)
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap(),
                    r["ruleIndex"].as_u64().unwrap(),
                )
            })
            .collect();
        assert!(ids.contains(&("ungoverned-alias", 2)), "{ids:?}");
        assert!(ids.contains(&("unknown-label", 1)), "{ids:?}");
    }

    #[test]
    fn uris_are_relative_to_the_work_tree() {
        let log = sarif(
            &testkit::homelab(),
            &SourceRoot::in_work_tree("infra"),
            MAX_RESULTS,
        );
        let uris: Vec<&str> = results(&log)
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(uris.iter().all(|u| u.starts_with("infra/")), "{uris:?}");
        for r in results(&log) {
            if let Some(fix) = r.get("fixes") {
                let uri = &fix[0]["artifactChanges"][0]["artifactLocation"]["uri"];
                assert!(uri.as_str().unwrap().starts_with("infra/"), "{uri}");
            }
        }
        let note = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        let uri = &note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri.as_str().unwrap().starts_with("infra/"), "{note}");
    }

    #[test]
    fn notifications_and_success_flag() {
        let log = homelab_log();
        let inv = &log["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let notes = inv["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 2);
        assert!(notes.iter().any(|n| n["level"] == "error"
            && n["locations"][0]["physicalLocation"]["region"]["startLine"] == 2));
        assert!(notes.iter().any(|n| n["level"] == "warning"));
    }

    /// Past the limit the most severe results stay (high before medium
    /// before low), the rest are counted in a notification, and no
    /// fingerprint changes.
    #[test]
    fn results_are_capped_most_severe_first() {
        let run = testkit::homelab();
        let full = sarif(&run, &SourceRoot::base(), MAX_RESULTS);
        let capped = sarif(&run, &SourceRoot::base(), 3);
        let rs = results(&capped);
        assert_eq!(rs.len(), 3);
        let levels: Vec<&str> = rs.iter().map(|r| r["level"].as_str().unwrap()).collect();
        assert_eq!(levels, ["error", "error", "warning"]);
        for r in rs {
            assert!(results(&full).contains(r), "{r}");
        }
        let notes = capped["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        let limit = notes
            .iter()
            .find(|n| n["descriptor"]["id"] == RESULT_LIMIT_ID)
            .unwrap();
        let text = limit["message"]["text"].as_str().unwrap();
        assert!(
            text.contains("6 findings, 3 results: the 3 least severe"),
            "{text}"
        );
        let none = full["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert!(none.iter().all(|n| n["descriptor"].is_null()));
    }

    #[test]
    fn fingerprints_ignore_lines_and_indexes_but_tell_duplicates_apart() {
        let a = homelab_log();
        let mut moved = testkit::homelab();
        for o in &mut moved.outcomes {
            if let Ok(p) = &mut o.result {
                for f in &mut p.findings {
                    f.line += 10;
                    f.field = f.field.replace("[0]", "[5]");
                }
            }
        }
        let b = sarif(&moved, &SourceRoot::in_work_tree("x"), MAX_RESULTS);
        let prints = |l: &Value| -> Vec<String> {
            results(l)
                .iter()
                .map(|r| {
                    r["partialFingerprints"][FINGERPRINT_KEY]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(prints(&a), prints(&b));
        let mut unique = prints(&a);
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            6,
            "two identical backup findings get distinct prints"
        );
    }

    /// The fingerprint is the same content hash as before the streamed
    /// rewrite (FNV-1a of the NUL-joined tuple and the ordinal).
    #[test]
    fn fingerprints_are_driftfix_v1_s() {
        let run = testkit::homelab();
        let f = run.findings().next().unwrap();
        let key = fingerprint_input(f);
        let want = |n: usize| format!("{:016x}", fnv1a64(format!("{key}\u{0}{n}").as_bytes()));
        assert_eq!(fingerprint_hash(f), fnv1a64(key.as_bytes()));
        let mut prints = Fingerprints::default();
        assert_eq!(prints.next(f), want(0));
        // The same finding again, and again: the ordinal counts on.
        assert_eq!(prints.next(f), want(1));
        for _ in 2..12 {
            prints.next(f);
        }
        assert_eq!(prints.next(f), want(12));
    }

    #[test]
    fn helpers() {
        use crate::rules::selector::any_index;
        assert_eq!(any_index("a[3].b[12]"), "a[*].b[*]");
        assert_eq!(any_index(r#"x."k[1]".y[0]"#), r#"x."k[1]".y[*]"#);
        assert_eq!(uri_path("a b/c:d%#é.yaml"), "a%20b/c%3Ad%25%23%C3%A9.yaml");
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
