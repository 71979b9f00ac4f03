//! File formats: one module per file type, each answering the same questions.
//!
//! 1. *Which string scalars are in this text, where, and in what style, and
//!    where are its comments?* ([`Format::scan`] → [`Scan`]: [`Scalar`]s with
//!    byte spans and decoded values, comment ranges.)
//! 2. *What bytes replace these parts of a scalar so that it decodes to the new
//!    value, keeping its style?* ([`Format::edits`] → [`Edit`]s.)
//! 3. *Does the edited text hold exactly the old data with the planned
//!    substitutions?* ([`Format::verify`], using an independent parser where one
//!    exists.)
//!
//! Everything above this module (matching, planning, reports, writing) is
//! format-agnostic and only sees these types and the [`FormatSpec`] of each
//! [`FileType`]. Offsets are always **byte** offsets into the original text
//! (BOM included); lines and columns are derived for display only (see
//! [`crate::text::LineIndex`]).
//!
//! # Adding a file format
//!
//! 1. Write one module under `src/formats/` with a unit struct implementing
//!    [`Format`] and a `pub static SPEC: FormatSpec` naming it, its default
//!    globs and its engine.
//! 2. Add one variant to [`FileType`] and its line in [`FileType::spec`] and
//!    [`FileType::ALL`] (the registry, just below).
//!
//! The walk's type map, the rule file's `types` names, `init`'s starter, the
//! SARIF and README lists of types are all derived from the registry.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub mod ini;
pub mod json;
pub mod jsonc;
#[cfg(test)]
pub(crate) mod keep_check;
pub mod text;
pub mod toml;
pub mod yaml;

/// The type of a target file: the registry of formats. Each variant's
/// [`FormatSpec`] says everything the rest of driftfix knows about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    Yaml,
    Json,
    /// JSON with comments and trailing commas (SPEC §10).
    Jsonc,
    Toml,
    /// Ansible INI inventories (SPEC §9).
    Ini,
    /// Any UTF-8 text, line by line (SPEC §10); only by a `[types]` line.
    Text,
}

impl FileType {
    /// Every file type, in the order the built-in type map tries their globs.
    /// JSONC comes before JSON: its paths (`.vscode/*.json`) are JSON names.
    pub const ALL: [FileType; 6] = [
        FileType::Yaml,
        FileType::Jsonc,
        FileType::Json,
        FileType::Toml,
        FileType::Ini,
        FileType::Text,
    ];

    /// The registry entry of this file type.
    pub fn spec(self) -> &'static FormatSpec {
        match self {
            FileType::Yaml => &yaml::SPEC,
            FileType::Json => &json::SPEC,
            FileType::Toml => &toml::SPEC,
            FileType::Jsonc => &jsonc::SPEC,
            FileType::Ini => &ini::SPEC,
            FileType::Text => &text::SPEC,
        }
    }

    /// The type named `name` in a rule file (`yaml`, `json`, `toml`).
    pub fn from_name(name: &str) -> Option<FileType> {
        FileType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type a `[[field]]`'s `types` names to govern files of this type
    /// (JSON with comments is governed as `json`).
    pub fn governed_as(self) -> FileType {
        self.spec().governed_as.unwrap_or(self)
    }

    /// The types a `[[field]]` governs when it does not say.
    pub fn default_field_types() -> Vec<FileType> {
        FileType::ALL
            .into_iter()
            .filter(|t| t.spec().default_field && t.spec().governed_as.is_none())
            .collect()
    }

    /// The names a `[[field]]`'s `types` accepts, for messages.
    pub fn field_names_list() -> String {
        or_list(
            FileType::ALL
                .iter()
                .filter(|t| t.spec().governed_as.is_none())
                .map(|t| t.name()),
        )
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The format engine for this file type.
    pub fn format(self) -> &'static dyn Format {
        self.spec().engine
    }

    /// The names of every type, for messages (`yaml, json or toml`).
    pub fn names_list() -> String {
        or_list(FileType::ALL.iter().map(|t| t.name()))
    }

    /// The default `[paths] include` globs: every type's globs, in order.
    pub fn default_include() -> Vec<&'static str> {
        FileType::ALL
            .iter()
            .flat_map(|t| t.spec().globs.iter().copied())
            .collect()
    }
}

/// `a, b or c`.
fn or_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = items.collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => all.join(""),
    }
}

/// What driftfix knows about one file format: its entry in the registry.
pub struct FormatSpec {
    /// The name used in rule files (`types = ["yaml"]`) and reports.
    pub name: &'static str,
    /// Default `include` globs for files of this type, and the built-in
    /// type map (matched with ASCII case ignored).
    pub globs: &'static [&'static str],
    /// How comments are written, for the README and suppression docs.
    pub comments: &'static str,
    /// A document's root is always a table (TOML): a selector starting at a
    /// root index can never match.
    pub root_is_table: bool,
    /// Governed by the `[[field]]` rules of another type (jsonc: `json`).
    pub governed_as: Option<FileType>,
    /// Governed by a `[[field]]` that does not list its `types` (all but
    /// `text`).
    pub default_field: bool,
    /// Every line is governed as a whole (text): `select`/`keys_of` mean
    /// nothing here, and matching is by token.
    pub lines_only: bool,
    /// The engine.
    pub engine: &'static dyn Format,
}

/// One step of a path from the document root.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from the document root to a scalar. For a key, the path ends with
/// that key (`hosts.pve-shop` is the key `pve-shop` of the mapping `hosts`).
pub type DocPath = Vec<Seg>;

/// Renders a path in selector syntax: `a.b[3]."odd.key"`; the document
/// root (a root scalar's path) is `.`, the root selector.
pub fn path_to_string(path: &[Seg]) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if is_plain_selector_key(k) {
                    out.push_str(k);
                } else {
                    out.push('"');
                    for c in k.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                }
            }
        }
    }
    out
}

/// Keys that can be written in a selector without quotes.
pub fn is_plain_selector_key(k: &str) -> bool {
    !k.is_empty()
        && k != "*"
        && k != "**"
        && k.chars()
            .all(|c| !matches!(c, '.' | '[' | ']' | '"' | '*') && !c.is_whitespace())
}

/// What a governed piece of text is: a mapping value or sequence item, a
/// mapping key, a comment, or a line of a text file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarKind {
    Value,
    Key,
    /// A comment (never governed: reported as an alias outside governed
    /// fields, with `--strict`).
    Comment,
    /// A line of a `text` file (governed as a whole by text rules).
    Text,
}

impl ScalarKind {
    pub fn name(self) -> &'static str {
        match self {
            ScalarKind::Value => "value",
            ScalarKind::Key => "key",
            ScalarKind::Comment => "comment",
            ScalarKind::Text => "text",
        }
    }

    /// Whether findings of this kind have a selector path (`field`):
    /// comments and text lines have none (`"field": null`).
    pub fn has_field(self) -> bool {
        matches!(self, ScalarKind::Value | ScalarKind::Key)
    }
}

/// How a scalar is written in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    YamlPlain,
    YamlSingle,
    YamlDouble,
    YamlLiteral,
    YamlFolded,
    /// A YAML alias node (`*name`) standing for an anchored scalar.
    YamlAlias,
    Json,
    TomlBare,
    TomlBasic,
    TomlLiteral,
    TomlMultiBasic,
    TomlMultiLiteral,
    /// An Ansible INI inventory name or value (see [`ini`]).
    Ini,
    /// Text that stands for itself, byte for byte (a comment, a line of a
    /// text file): replaced by the new bytes as they are.
    Verbatim,
}

/// A stretch of the decoded value that stands verbatim (byte for byte) in the
/// source: `value[piece.value] == source[piece.source]`. Used to place token
/// findings at their real line and column and to splice within a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub value: Range<usize>,
    pub source: Range<usize>,
}

/// A string scalar (value or key) found in a file.
#[derive(Clone, Debug)]
pub struct Scalar {
    /// 0-based document index in a multi-document YAML stream, else 0.
    pub document: usize,
    pub path: DocPath,
    pub kind: ScalarKind,
    /// The decoded string value.
    pub value: String,
    /// Byte range of the scalar's whole source text, quotes included (for a
    /// block scalar: its content lines; for a reference: `*name`).
    pub span: Range<usize>,
    /// Byte range of the value's text inside its delimiters (quotes).
    pub content: Range<usize>,
    /// How it is written; only its own engine looks inside.
    pub style: Style,
    /// Verbatim stretches of the value (see [`Piece`]); may be empty.
    pub pieces: Vec<Piece>,
    /// YAML: inside a flow collection (`[...]`, `{...}`), which narrows what a
    /// plain scalar may hold.
    pub in_flow: bool,
    /// Whether the value is written here once and read again elsewhere
    /// ([`Share::Anchor`]), or stands for such a value ([`Share::Reference`]).
    pub share: Share,
    /// What few scalars carry: a link, a reason never to rewrite it, the
    /// other paths it is read at (see [`Scalar::link`], [`Scalar::blocked`],
    /// [`Scalar::reused_at`]). Boxed, and `None` when it carries none of
    /// them: 8 bytes a scalar instead of 96, where a 26.8 MB YAML file
    /// holds 131,000 scalars while its findings are made (12 MB of its
    /// peak, issue 19).
    pub rare: Option<Box<Rare>>,
    /// A key that is not a string (YAML number, boolean, null or custom
    /// tag): never matched (SPEC §2: only string scalars match), but
    /// returned so that a rename onto its text is seen as a collision.
    /// Also set on the non-string values that only [`Format::scan_values`]
    /// returns.
    pub not_string: bool,
    /// YAML: the scalar carries the non-specific tag `!`, which YAML 1.1
    /// readers (PyYAML, ruamel) resolve from the text even when quoted: a
    /// new value must read as a string as plain text.
    pub typed_by_text: bool,
}

impl Scalar {
    /// A reference node stands for another scalar's value and is never
    /// rewritten itself (its anchor is).
    pub fn is_reference(&self) -> bool {
        matches!(self.share, Share::Reference(_))
    }

    /// Scalars with an equal link are one name written in several places
    /// (a TOML key in several headers, an INI host in several groups): they
    /// are renamed together or not at all, and a rename onto a name that
    /// exists in the same namespace is a collision.
    pub fn link(&self) -> Option<&Link> {
        self.rare.as_ref()?.link.as_ref()
    }

    /// Set by the scanner when this scalar can never be rewritten safely
    /// (e.g. a complex key); findings on it become `manual` with this reason.
    pub fn blocked(&self) -> Option<&str> {
        self.rare.as_ref()?.blocked.as_deref()
    }

    /// The other paths where this scalar is read, through references to
    /// containers that hold it (`&b {host: x}` … `c: *b` reads `c.host`);
    /// rewriting it changes them too.
    pub fn reused_at(&self) -> &[DocPath] {
        self.rare.as_ref().map_or(&[], |r| &r.reused_at)
    }

    /// Blocks the scalar with `reason` unless it is blocked already.
    pub fn block(&mut self, reason: impl FnOnce() -> String) {
        let rare = self.rare.get_or_insert_with(Box::default);
        rare.blocked.get_or_insert_with(reason);
    }

    /// Sets [`Scalar::reused_at`]; a scalar left carrying nothing rare
    /// loses its box.
    pub fn set_reused_at(&mut self, paths: Vec<DocPath>) {
        if paths.is_empty() && self.rare.is_none() {
            return;
        }
        self.rare.get_or_insert_with(Box::default).reused_at = paths;
        self.rare.take_if(|r| r.is_empty());
    }
}

/// The parts of a [`Scalar`] that few scalars carry (see [`Scalar::rare`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rare {
    pub link: Option<Link>,
    pub blocked: Option<String>,
    pub reused_at: Vec<DocPath>,
}

impl Rare {
    /// The box for a new scalar: none when it carries nothing.
    pub fn boxed(link: Option<Link>, blocked: Option<String>) -> Option<Box<Rare>> {
        let rare = Rare {
            link,
            blocked,
            reused_at: Vec::new(),
        };
        (!rare.is_empty()).then(|| Box::new(rare))
    }

    fn is_empty(&self) -> bool {
        self.link.is_none() && self.blocked.is_none() && self.reused_at.is_empty()
    }
}

/// How a value is shared between places in one document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Share {
    #[default]
    None,
    /// Written here and read again by the references with the same id
    /// (YAML `&a pve-shop`).
    Anchor(usize),
    /// Reads the value of the anchor with this id (YAML `*a`).
    Reference(usize),
}

/// One name written in several places of a file (see [`Scalar::link`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Link {
    /// Where names are unique: a rename onto another name of the same
    /// namespace collides.
    pub namespace: String,
    pub name: String,
}

/// What a format engine finds in a text.
pub struct Scan {
    /// Every string scalar, values and keys, in document order (see
    /// [`Format::scan`]).
    pub scalars: Vec<Scalar>,
    /// Byte ranges of the comments, in order (markers included: `# …`).
    pub comments: Vec<Range<usize>>,
    /// The engine's own parse, when [`Format::verify`] can reuse it.
    pub parsed: Option<Parsed>,
}

/// A byte range of the original text and the text that replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// A replacement inside one scalar's decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replacement {
    /// Byte range in [`Scalar::value`].
    pub range: Range<usize>,
    /// Shared: a file's findings name only a few canonical names between
    /// them, and a copy per finding was 4 MB of a file with 130,000
    /// findings (issue 19).
    pub text: Arc<str>,
}

/// A planned change of one scalar, as the verifier sees it. It borrows the
/// scalar: a copy per edited scalar was 46 MB of a 26.8 MB file's peak
/// (issue 19).
#[derive(Clone, Debug)]
pub struct Substitution<'a> {
    pub scalar: &'a Scalar,
    pub new_value: String,
}

/// A parse error with a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A format's own parse of a text, kept from [`Format::scan_parsed`] so that
/// [`Format::verify_parsed`] does not parse the same original a second time
/// (YAML: its event stream; parsing is most of the cost of a dense fix).
pub struct Parsed(Box<dyn std::any::Any + Send + Sync>);

impl Parsed {
    pub fn new<T: std::any::Any + Send + Sync>(value: T) -> Parsed {
        Parsed(Box::new(value))
    }

    /// The kept value, when it is of the type the format stored.
    pub fn get<T: std::any::Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

/// The per-format engine. Implementations are stateless unit structs.
pub trait Format: Sync {
    /// Every string scalar of the text, values and keys, in document order,
    /// and its comments. Non-string scalars (numbers, booleans, nulls,
    /// custom-tagged YAML scalars) are not returned as values; keys are
    /// returned whatever their type, with `not_string` set when they are not
    /// strings. [`Scan::parsed`] keeps the engine's parse when
    /// [`Format::verify`] can reuse it.
    fn scan(&self, src: &str) -> Result<Scan, ParseError>;

    /// [`Format::scan`] for a caller that only cares about scalars whose
    /// decoded text passes `may_hold` (the planner's alias prefilter): an
    /// engine may leave the others out to save memory (YAML, JSON, JSONC
    /// and TOML do; text line by line), a subset of `scan`'s scalars in
    /// the same order. The keys of a mapping where any key passes are all
    /// kept (a rename onto one of them is a collision). Comments are still
    /// all returned. By default: [`Format::scan`].
    fn scan_for(&self, src: &str, _may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        self.scan(src)
    }

    /// [`Format::scan`] plus every non-string scalar *value* (numbers,
    /// booleans, dates, custom-tagged YAML scalars; never nulls), each with
    /// `not_string` set and its source text as `value`. `discover` links
    /// records by such values (`vmid: 200` in one file, `id: 200` in the
    /// source of truth); planning never asks for them, so `scan` stays as
    /// lean as it is. The default is `scan`: a format without typed values
    /// has nothing to add.
    fn scan_values(&self, src: &str) -> Result<Scan, ParseError> {
        self.scan(src)
    }

    /// Just the scalars of [`Format::scan`].
    fn scalars(&self, src: &str) -> Result<Vec<Scalar>, ParseError> {
        Ok(self.scan(src)?.scalars)
    }

    /// The edits that make `scalar` decode to its value with `replacements`
    /// applied (non-overlapping, sorted), keeping its style where possible.
    /// `Err(reason)` when it cannot be done safely (e.g. a token that crosses a
    /// line break): the finding becomes `manual` with that reason.
    fn edits(
        &self,
        src: &str,
        scalar: &Scalar,
        replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String>;

    /// Parses `new` and checks that its data equals the data of `old` with
    /// exactly `subs` applied, and nothing else changed. `old_parsed` is the
    /// [`Scan::parsed`] of a scan of `old`, when there is one (the new text
    /// is always parsed afresh). `Err` explains the first difference.
    fn verify(
        &self,
        old: &str,
        old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String>;

    /// Frees what neither [`Format::edits`] nor [`Format::verify`] reads of
    /// a scalar, for a caller that reads nothing else of it (a plan that
    /// keeps no scalars, before its edits are made and verified). By
    /// default: nothing.
    fn strip_for_verify(&self, _scalar: &mut Scalar) {}

    /// Whether [`Format::verify_edited`] reads the edited text as it goes
    /// instead of building it: the planner then builds it only for the
    /// outputs that read it. By default: no.
    fn verifies_edited_lazily(&self) -> bool {
        false
    }

    /// [`Format::verify`] of the edited text `new`, read from the original
    /// and the edits as the parser asks for it. It must answer exactly as
    /// [`Format::verify`] on `new`'s text, message included. By default:
    /// that, on the text built.
    fn verify_edited(
        &self,
        old: &str,
        old_parsed: Option<&Parsed>,
        new: &Edited,
        subs: &[Substitution],
    ) -> Result<(), String> {
        self.verify(old, old_parsed, &new.text(), subs)
    }
}

/// A text with edits applied, read without being built: the original's
/// stretches between the edits and the edits' texts, in order. The edited
/// text of a 26.8 MB file was a second 26.8 MB held while it was verified,
/// for a scan that never reads it (issue 19).
pub struct Edited<'a> {
    original: &'a str,
    /// Sorted as [`apply_edits`] applies them; non-overlapping, on
    /// character boundaries of `original`.
    edits: Vec<&'a Edit>,
}

impl<'a> Edited<'a> {
    /// `original` with `edits`; `None` when they overlap or do not fall on
    /// character boundaries of the original (then [`apply_edits`] is the
    /// only judge).
    pub fn new(original: &'a str, edits: &'a [Edit]) -> Option<Edited<'a>> {
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let mut at = 0;
        for e in &sorted {
            if e.range.start < at || original.get(e.range.clone()).is_none() {
                return None;
            }
            at = e.range.end;
        }
        Some(Edited {
            original,
            edits: sorted,
        })
    }

    /// The stretches of the edited text, in order (some may be empty).
    pub fn parts(&self) -> impl DoubleEndedIterator<Item = &'a str> + '_ {
        let n = self.edits.len();
        (0..=n).flat_map(move |i| {
            let start = match i.checked_sub(1).and_then(|j| self.edits.get(j)) {
                Some(e) => e.range.end,
                None => 0,
            };
            let (end, text) = match self.edits.get(i) {
                Some(e) => (e.range.start, e.text.as_str()),
                None => (self.original.len(), ""),
            };
            [self.original.get(start..end).unwrap_or(""), text]
        })
    }

    /// Its characters, in order.
    pub fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.parts().flat_map(str::chars)
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.edits.iter().fold(self.original.len(), |n, e| {
            n - (e.range.end - e.range.start) + e.text.len()
        })
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether it ends with one of `chars`.
    pub fn ends_with(&self, chars: &[char]) -> bool {
        self.parts()
            .rev()
            .find(|p| !p.is_empty())
            .is_some_and(|p| p.ends_with(chars))
    }

    /// What follows its last `\n` or `\r` (the whole text when it has
    /// none).
    pub fn last_line(&self) -> String {
        let mut tail: Vec<&str> = Vec::new();
        for p in self.parts().rev() {
            if let Some(i) = p.rfind(['\n', '\r']) {
                tail.push(p.get(i + 1..).unwrap_or(""));
                break;
            }
            tail.push(p);
        }
        tail.iter().rev().copied().collect()
    }

    /// The edited text, built.
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.len());
        self.parts().for_each(|p| out.push_str(p));
        out
    }
}

/// Applies `replacements` (sorted, non-overlapping) to `value`.
pub fn apply_replacements(value: &str, replacements: &[Replacement]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    for r in replacements {
        out.push_str(&value[at..r.range.start]);
        out.push_str(&r.text);
        at = r.range.end;
    }
    out.push_str(&value[at..]);
    out
}

/// Maps a byte range of a scalar's value to the source range it stands in
/// verbatim, when one piece holds all of it.
pub fn source_range(scalar: &Scalar, value_range: &Range<usize>) -> Option<Range<usize>> {
    scalar.pieces.iter().find_map(|p| {
        (p.value.start <= value_range.start && value_range.end <= p.value.end).then(|| {
            let off = p.source.start - p.value.start;
            value_range.start + off..value_range.end + off
        })
    })
}

/// The source offset where the character at `pos` of a scalar's value is
/// written: exact inside a verbatim piece, else just after the piece that
/// ends there (an escape or a folded line break follows it). `None` when no
/// piece tells.
pub fn source_offset(scalar: &Scalar, pos: usize) -> Option<usize> {
    scalar
        .pieces
        .iter()
        .find(|p| p.value.start <= pos && pos < p.value.end)
        .map(|p| p.source.start + (pos - p.value.start))
        .or_else(|| {
            scalar
                .pieces
                .iter()
                .find(|p| p.value.end == pos)
                .map(|p| p.source.end)
        })
}

/// Applies non-overlapping edits to `src` in one pass from the original bytes.
pub fn apply_edits(src: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(src.len() + 64);
    let mut at = 0;
    for e in sorted {
        out.push_str(&src[at..e.range.start]);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&src[at..]);
    out
}
