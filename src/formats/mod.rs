//! File formats: one module per file type, each answering the same questions.
//!
//! 1. *Which string scalars are in this text, where, and in what style?*
//!    ([`Format::scan`] → [`Scalar`]s with byte spans and decoded values.)
//! 2. *What bytes replace these parts of a scalar so that it decodes to the new
//!    value, keeping its style?* ([`Format::edits`] → [`Edit`]s.)
//! 3. *Does the edited text hold exactly the old data with the planned
//!    substitutions?* ([`Format::verify`], using an independent parser where one
//!    exists.)
//!
//! Everything above this module (matching, planning, reports, writing) is
//! format-agnostic and only sees these types. Offsets are always **byte**
//! offsets into the original text (BOM included); lines and columns are derived
//! for display only (see [`crate::text::LineIndex`]).

use std::fmt;
use std::ops::Range;

pub mod json;
pub mod toml;
pub mod yaml;

/// The type of a target file, decided by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    Yaml,
    Json,
    Toml,
}

impl FileType {
    /// `.yaml`/`.yml` → yaml, `.json` → json, `.toml` → toml (case-insensitive).
    pub fn from_path(path: &std::path::Path) -> Option<FileType> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(FileType::Yaml),
            "json" => Some(FileType::Json),
            "toml" => Some(FileType::Toml),
            _ => None,
        }
    }

    pub fn from_name(name: &str) -> Option<FileType> {
        match name {
            "yaml" => Some(FileType::Yaml),
            "json" => Some(FileType::Json),
            "toml" => Some(FileType::Toml),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FileType::Yaml => "yaml",
            FileType::Json => "json",
            FileType::Toml => "toml",
        }
    }

    /// The format implementation for this file type.
    pub fn format(self) -> &'static dyn Format {
        match self {
            FileType::Yaml => &yaml::Yaml,
            FileType::Json => &json::Json,
            FileType::Toml => &toml::Toml,
        }
    }
}

/// One step of a path from the document root.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from the document root to a scalar. For a key, the path ends with
/// that key (`hosts.pve-shop` is the key `pve-shop` of the mapping `hosts`).
pub type Path = Vec<Seg>;

/// Renders a path in selector syntax: `a.b[3]."odd.key"`.
pub fn path_to_string(path: &[Seg]) -> String {
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

/// Whether a scalar is a mapping value / sequence item, or a mapping key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalarKind {
    Value,
    Key,
}

impl ScalarKind {
    pub fn name(self) -> &'static str {
        match self {
            ScalarKind::Value => "value",
            ScalarKind::Key => "key",
        }
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
    pub path: Path,
    pub kind: ScalarKind,
    /// The decoded string value.
    pub value: String,
    /// Byte range of the scalar's whole source text, quotes included (for a
    /// block scalar: its content lines; for an alias: `*name`).
    pub span: Range<usize>,
    /// Byte offset of the first character of the value text (inside quotes).
    pub content_start: usize,
    pub style: Style,
    /// Verbatim stretches of the value (see [`Piece`]); may be empty.
    pub pieces: Vec<Piece>,
    /// YAML: inside a flow collection (`[...]`, `{...}`), which narrows what a
    /// plain scalar may hold.
    pub in_flow: bool,
    /// YAML anchor id shared by an anchored scalar and the aliases (`*a`,
    /// style [`Style::YamlAlias`]) that reuse it; the planner groups them.
    pub anchor: Option<usize>,
    /// Set by the scanner when this scalar can never be rewritten safely
    /// (e.g. a complex key); findings on it become `manual` with this reason.
    pub blocked: Option<String>,
    /// A key that is not a string (YAML number, boolean, null or custom
    /// tag): never matched (SPEC §2: only string scalars match), but
    /// returned so that a rename onto its text is seen as a collision.
    pub not_string: bool,
    /// YAML: the other paths where this scalar is read, through aliases of
    /// anchored collections that hold it (`&b {host: x}` … `c: *b` reads
    /// `c.host`); rewriting it changes them too.
    pub reused_at: Vec<Path>,
    /// YAML: the scalar carries the non-specific tag `!`, which YAML 1.1
    /// readers (PyYAML, ruamel) resolve from the text even when quoted: a
    /// new value must read as a string as plain text.
    pub typed_by_text: bool,
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
    pub text: String,
}

/// A planned change of one scalar, as the verifier sees it.
#[derive(Clone, Debug)]
pub struct Substitution {
    pub scalar: Scalar,
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
    /// Every string scalar of the text, values and keys, in document order.
    /// Non-string scalars (numbers, booleans, nulls, custom-tagged YAML
    /// scalars) are not returned as values; keys are returned whatever their
    /// type, with `not_string` set when they are not strings.
    fn scan(&self, src: &str) -> Result<Vec<Scalar>, ParseError>;

    /// [`Format::scan`], also handing back the parse of `src` when
    /// [`Format::verify_parsed`] can reuse it (by default it cannot: `None`).
    fn scan_parsed(&self, src: &str) -> Result<(Vec<Scalar>, Option<Parsed>), ParseError> {
        Ok((self.scan(src)?, None))
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
    /// exactly `subs` applied, and nothing else changed. `Err` explains the
    /// first difference.
    fn verify(&self, old: &str, new: &str, subs: &[Substitution]) -> Result<(), String>;

    /// [`Format::verify`] with the parse of `old` kept by
    /// [`Format::scan_parsed`] on the same text; the new text is always
    /// parsed afresh. By default the kept parse is ignored.
    fn verify_parsed(
        &self,
        old: &str,
        _old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        self.verify(old, new, subs)
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
