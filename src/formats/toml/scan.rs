//! Finding every string scalar and key occurrence of a TOML document.
//!
//! The `toml` crate validates the document (syntax and semantics: duplicate
//! keys, redefined tables), but its tree keeps one key per table entry, so a key
//! written in several headers (`[a.b]`, `[a.c]`) or dotted keys has only one
//! span there. We therefore walk the event stream of `toml_parser` (the lexer
//! and parser the `toml` crate itself is built on), which has a span for every
//! token, and rebuild the paths ourselves: table headers, array-of-tables
//! indices, dotted keys, inline tables and arrays. The walk is a loop over a
//! flat event list with an explicit stack, so nesting depth costs no stack.
//!
//! The walk also enforces TOML 1.0 where the parser implements TOML 1.1
//! (see [`super`]): no line breaks or comments directly inside an inline
//! table, no trailing comma in one, seconds required in times.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml_parser::decoder::Encoding;
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};

use super::strings::{self, Decoded};
use crate::formats::{
    DocPath as Path, Link, ParseError, Rare, Scalar, ScalarKind, Seg, Share, Style,
};
use crate::text::LineIndex;

/// Nesting limit of arrays and inline tables, the same as `toml_edit`'s.
const DEPTH_LIMIT: u32 = 80;

/// Scans `src` (BOM included) into its string scalars, in document order,
/// and its comments. With `values`, integers, floats, booleans and dates are
/// returned too, marked `not_string`.
pub(super) fn scan(
    src: &str,
    values: bool,
) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    scan_with(src, values, None)
}

/// [`scan`] for [`crate::formats::Format::scan_for`]: only the scalars
/// [`Mode::Keep`] asks for; every comment.
pub(super) fn scan_for(
    src: &str,
    may_hold: &dyn Fn(&[u8]) -> bool,
) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    scan_with(src, false, Some(may_hold))
}

fn scan_with(
    src: &str,
    values: bool,
    may_hold: Option<MayHold<'_>>,
) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    let at = |offset: usize, message: String| error_at(src, offset, message);
    // The `toml` crate's table, not a `toml_edit` document: the same
    // checks, errors and offsets (all 912 files of toml-test compared), in
    // a fraction of the memory (a `toml_edit` document keeps every item's
    // text and spacing: 518 MB of a 38 MB file's 984 MB peak, issue 19).
    if let Err(e) = src.parse::<toml::Table>() {
        let offset = e.span().map_or(0, |s| s.start);
        return Err(at(offset, e.message().trim().to_string()));
    }
    walk(src, values, true, may_hold, &at)
}

/// What verification asks of an edited text besides its data: that it is
/// still TOML 1.0 as the walk reads it (the same parser events and checks
/// as [`scan`], every string decoded by our decoder), without building any
/// scalar. Semantic validation (duplicate keys, redefined tables) is left to
/// the `toml` crate's parse of the same text in [`super::verify`]: a second
/// validating parse here would check it again.
pub(super) fn check(src: &str) -> Result<(), ParseError> {
    walk(src, false, false, None, &|offset, message| {
        error_at(src, offset, message)
    })
    .map(|_| ())
}

/// A parse error at a byte offset of `src`. The line index is built here,
/// for the error only: built up front, every scan and check of a text
/// that parses paid a pass over it (as INI's reader already did not).
fn error_at(src: &str, offset: usize, message: String) -> ParseError {
    let (line, column) = LineIndex::new(src).line_col(offset);
    ParseError {
        line,
        column,
        message,
    }
}

/// The planner's prefilter ([`crate::formats::Format::scan_for`]).
type MayHold<'f> = &'f dyn Fn(&[u8]) -> bool;

/// Walks the parser's events; `keep`: build the scalars (else only check);
/// with `may_hold`, only those [`Mode::Keep`] asks for.
fn walk(
    src: &str,
    values: bool,
    keep: bool,
    may_hold: Option<MayHold<'_>>,
    at: &dyn Fn(usize, String) -> ParseError,
) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    let events = events(src).map_err(|(offset, m)| at(offset, m))?;
    let mut walker = Walker::new(src);
    walker.values = values;
    walker.keep = keep;
    if let Some(may_hold) = may_hold {
        // A table's keys are written in many places (headers, dotted keys):
        // which tables hold a passing key is known only at the end.
        let mut survey = Walker::new(src);
        survey.mode = Mode::Survey {
            may_hold,
            holding: HashSet::new(),
        };
        // An error stops the survey; the walk below meets it (or an
        // earlier one) and reports it as `scan` does.
        for event in &events {
            if survey.event(event).is_err() {
                break;
            }
        }
        if let Mode::Survey { holding, .. } = survey.mode {
            walker.mode = Mode::Keep { may_hold, holding };
        }
    }
    for event in &events {
        walker.event(event).map_err(|(offset, m)| at(offset, m))?;
    }
    Ok((walker.out, walker.comments))
}

/// A key written in several places (`[a.b]` and `[a.b.c]`, dotted keys) is
/// one key: every place of one key path shares a link, so they are renamed
/// together, and a rename onto a sibling key's name collides.
fn key_link(path: &[Seg]) -> Link {
    let (name, parent) = match path.split_last() {
        Some((Seg::Key(k), parent)) => (k.clone(), parent),
        _ => (String::new(), path),
    };
    Link {
        namespace: format!("toml-key:{}", crate::formats::path_to_string(parent)),
        name,
    }
}

type WalkError = (usize, String);

/// The parser's event list (whitespace validated, nesting bounded).
fn events(src: &str) -> Result<Vec<Event>, WalkError> {
    let source = toml_parser::Source::new(src);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::with_capacity(tokens.len());
    let mut errors: Vec<toml_parser::ParseError> = Vec::new();
    {
        let mut validate = ValidateWhitespace::new(&mut events, source);
        let mut guard = RecursionGuard::new(&mut validate, DEPTH_LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut guard, &mut errors);
    }
    match errors.first() {
        Some(e) => Err((
            e.unexpected().map_or(0, |s| s.start()),
            e.description().to_string(),
        )),
        None => Ok(events),
    }
}

/// An open inline container.
enum Frame {
    /// `{ ... }` at `path`; `after_comma` tracks a possible trailing comma.
    Inline {
        path: Path,
        after_comma: Option<usize>,
    },
    /// `[ ... ]` at `path`; `next` is the index of the next element.
    Array { path: Path, next: usize },
}

/// Which scalars a walk builds ([`scan_for`]), as YAML's scan does: a value
/// when its decoded text passes `may_hold` (what the matcher reads); a key
/// when any key of the same table (its path without the last segment)
/// passes, wherever it is written: a rename onto an existing key is a
/// collision, and one key written in several places is renamed in all of
/// them (they share a [`Link`], whose namespace is that table), so the keys
/// of such a table are all needed, and no other keys are.
enum Mode<'s> {
    /// Every scalar (when building at all: [`Walker::keep`]).
    All,
    /// Notes the tables where a key passes; builds nothing, and decodes
    /// no value (an error is left to the walk that builds).
    Survey {
        may_hold: MayHold<'s>,
        holding: HashSet<Path>,
    },
    Keep {
        may_hold: MayHold<'s>,
        holding: HashSet<Path>,
    },
}

impl Mode<'_> {
    /// Whether a scalar of `kind` at `path` reading `value` is built, and
    /// for a survey, notes its table.
    fn wants(&mut self, keep: bool, kind: ScalarKind, path: &[Seg], value: &str) -> bool {
        let table = || path.split_last().map_or(&[][..], |(_, t)| t);
        match self {
            Mode::All => keep,
            Mode::Survey { may_hold, holding } => {
                if kind == ScalarKind::Key && may_hold(value.as_bytes()) {
                    holding.insert(table().to_vec());
                }
                false
            }
            Mode::Keep { may_hold, holding } => {
                keep && match kind {
                    ScalarKind::Key => holding.contains(table()),
                    _ => may_hold(value.as_bytes()),
                }
            }
        }
    }
}

/// Where a value goes: a key path, or the next item of the innermost array
/// (its path built only when needed).
enum Slot {
    Path(Path),
    Item(usize),
}

/// A table header being read.
struct Header {
    path: Path,
    is_array: bool,
}

struct Walker<'s> {
    src: &'s str,
    /// Which scalars are built.
    mode: Mode<'s>,
    source: toml_parser::Source<'s>,
    out: Vec<Scalar>,
    /// Byte ranges of the comments.
    comments: Vec<Range<usize>>,
    /// Number of tables in each array of tables, by its resolved path.
    aot: HashMap<Path, usize>,
    /// The path of the current `[table]` (with array-of-tables indices).
    table: Path,
    header: Option<Header>,
    /// The key path being read in a key/value pair (`a.b.c = ...`).
    key: Option<Path>,
    /// The path of the value after `=`.
    pending: Option<Path>,
    frames: Vec<Frame>,
    /// Also return non-string values (`Format::scan_values`).
    values: bool,
    /// Build the scalars; off when only checking ([`check`]).
    keep: bool,
}

impl<'s> Walker<'s> {
    fn new(src: &'s str) -> Self {
        Walker {
            src,
            mode: Mode::All,
            source: toml_parser::Source::new(src),
            out: Vec::new(),
            comments: Vec::new(),
            aot: HashMap::new(),
            table: Vec::new(),
            header: None,
            key: None,
            pending: None,
            frames: Vec::new(),
            values: false,
            keep: true,
        }
    }

    fn event(&mut self, e: &Event) -> Result<(), WalkError> {
        let span = e.span().start()..e.span().end();
        match e.kind() {
            EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                let is_array = e.kind() == EventKind::ArrayTableOpen;
                self.header = Some(Header {
                    path: Vec::new(),
                    is_array,
                });
            }
            EventKind::StdTableClose | EventKind::ArrayTableClose => self.close_header(),
            EventKind::SimpleKey => self.simple_key(e, span)?,
            EventKind::KeySep => {
                if let Some(h) = &mut self.header {
                    // An intermediate header key naming an array of tables
                    // means its last table.
                    if let Some(&n) = self.aot.get(&h.path) {
                        h.path.push(Seg::Index(n.saturating_sub(1)));
                    }
                }
            }
            EventKind::KeyValSep => self.pending = self.key.take(),
            EventKind::Scalar => self.scalar(e, span)?,
            EventKind::ArrayOpen => {
                let path = self.value_path(span.start)?;
                self.frames.push(Frame::Array { path, next: 0 });
            }
            EventKind::InlineTableOpen => {
                let path = self.value_path(span.start)?;
                self.frames.push(Frame::Inline {
                    path,
                    after_comma: None,
                });
            }
            EventKind::ArrayClose => {
                self.frames.pop();
            }
            EventKind::InlineTableClose => {
                if let Some(Frame::Inline {
                    after_comma: Some(at),
                    ..
                }) = self.frames.last()
                {
                    return Err((
                        *at,
                        "trailing comma in an inline table (allowed only from TOML 1.1)".into(),
                    ));
                }
                self.frames.pop();
            }
            EventKind::ValueSep => {
                if let Some(Frame::Inline { after_comma, .. }) = self.frames.last_mut() {
                    *after_comma = Some(span.start);
                }
            }
            EventKind::Newline | EventKind::Comment => {
                if e.kind() == EventKind::Comment {
                    self.comments.push(span.clone());
                }
                if let Some(Frame::Inline { .. }) = self.frames.last() {
                    return Err((
                        span.start,
                        "line break or comment inside an inline table (allowed only from TOML 1.1)"
                            .into(),
                    ));
                }
            }
            EventKind::Whitespace => {}
            EventKind::Error => return Err((span.start, "invalid TOML".into())),
        }
        Ok(())
    }

    fn close_header(&mut self) {
        let Some(mut h) = self.header.take() else {
            return;
        };
        if h.is_array {
            let n = self.aot.entry(h.path.clone()).or_insert(0);
            *n += 1;
            h.path.push(Seg::Index(*n - 1));
        }
        self.table = h.path;
    }

    /// A key occurrence: in a header, or in a key/value pair (top level or in
    /// an inline table). Every occurrence is reported with its own span.
    fn simple_key(&mut self, e: &Event, span: Range<usize>) -> Result<(), WalkError> {
        if let Some(Frame::Inline { after_comma, .. }) = self.frames.last_mut() {
            *after_comma = None;
        }
        let style = match e.encoding() {
            None => Style::TomlBare,
            Some(Encoding::BasicString) => Style::TomlBasic,
            Some(Encoding::LiteralString) => Style::TomlLiteral,
            Some(_) => return Err((span.start, "keys cannot be multi-line strings".into())),
        };
        let decoded = self.decode(span.clone(), style)?;
        let name = decoded.value.clone();
        let path = if let Some(h) = &mut self.header {
            h.path.push(Seg::Key(name));
            &h.path
        } else {
            let base = match self.frames.last() {
                Some(Frame::Inline { path, .. }) => path,
                _ => &self.table,
            };
            let key = self.key.get_or_insert_with(|| base.clone());
            key.push(Seg::Key(name));
            key
        };
        if self
            .mode
            .wants(self.keep, ScalarKind::Key, path, &decoded.value)
        {
            let path = path.clone();
            let blocked = self.cross_check(e, &decoded, true);
            self.push(ScalarKind::Key, path, span, style, (decoded, blocked));
        }
        Ok(())
    }

    fn scalar(&mut self, e: &Event, span: Range<usize>) -> Result<(), WalkError> {
        let slot = self.value_slot(span.start)?;
        if let Mode::Survey { .. } = self.mode {
            return Ok(());
        }
        let style = match e.encoding() {
            None => {
                let text = self.src.get(span.clone()).unwrap_or("");
                check_time_has_seconds(text).map_err(|m| (span.start, m))?;
                if self.values {
                    let path = self.slot_path(slot);
                    self.push_typed(path, span, text.to_string());
                }
                return Ok(());
            }
            Some(Encoding::BasicString) => Style::TomlBasic,
            Some(Encoding::LiteralString) => Style::TomlLiteral,
            Some(Encoding::MlBasicString) => Style::TomlMultiBasic,
            Some(Encoding::MlLiteralString) => Style::TomlMultiLiteral,
        };
        let decoded = self.decode(span.clone(), style)?;
        if self
            .mode
            .wants(self.keep, ScalarKind::Value, &[], &decoded.value)
        {
            let path = self.slot_path(slot);
            let blocked = self.cross_check(e, &decoded, false);
            self.push(ScalarKind::Value, path, span, style, (decoded, blocked));
        }
        Ok(())
    }

    /// The path of a value starting now: the next element of an enclosing
    /// array, or the key path just read.
    fn value_path(&mut self, at: usize) -> Result<Path, WalkError> {
        let slot = self.value_slot(at)?;
        Ok(self.slot_path(slot))
    }

    /// Where a value starting now goes ([`Walker::value_path`] without
    /// building the path).
    fn value_slot(&mut self, at: usize) -> Result<Slot, WalkError> {
        if let Some(Frame::Array { next, .. }) = self.frames.last_mut() {
            let item = *next;
            *next += 1;
            return Ok(Slot::Item(item));
        }
        self.pending
            .take()
            .map(Slot::Path)
            .ok_or((at, "value without a key".into()))
    }

    /// The path of `slot`, taken just after [`Walker::value_slot`].
    fn slot_path(&self, slot: Slot) -> Path {
        match slot {
            Slot::Path(p) => p,
            Slot::Item(item) => {
                let mut p = match self.frames.last() {
                    Some(Frame::Array { path, .. }) => path.clone(),
                    _ => Vec::new(),
                };
                p.push(Seg::Index(item));
                p
            }
        }
    }

    /// Decodes a string token with our own decoder (which also maps value
    /// ranges to source ranges).
    fn decode(&self, span: Range<usize>, style: Style) -> Result<Decoded, WalkError> {
        strings::decode(self.src, span, style).map_err(|d| (d.offset, d.message))
    }

    /// Cross-checks a decoded string against the parser's decoding. A
    /// disagreement blocks rewriting rather than failing the whole file.
    fn cross_check(&self, e: &Event, decoded: &Decoded, key: bool) -> Option<String> {
        if !self.keep {
            return None;
        }
        let mut theirs: Cow<'s, str> = Cow::Borrowed("");
        let mut errors: Vec<toml_parser::ParseError> = Vec::new();
        if let Some(raw) = self.source.get(e) {
            if key {
                raw.decode_key(&mut theirs, &mut errors);
            } else {
                let _kind = raw.decode_scalar(&mut theirs, &mut errors);
            }
        }
        (theirs != decoded.value || !errors.is_empty())
            .then(|| "the string could not be decoded unambiguously".to_string())
    }

    /// A non-string value (integer, float, boolean, date), as written.
    fn push_typed(&mut self, path: Path, span: Range<usize>, text: String) {
        self.out.push(Scalar {
            document: 0,
            path,
            kind: ScalarKind::Value,
            pieces: Vec::new(),
            content: span.clone(),
            rare: None,
            value: text,
            span,
            style: Style::TomlBare,
            in_flow: !self.frames.is_empty(),
            share: Share::None,
            not_string: true,
            typed_by_text: false,
        });
    }

    fn push(
        &mut self,
        kind: ScalarKind,
        path: Path,
        span: Range<usize>,
        style: Style,
        (decoded, blocked): (Decoded, Option<String>),
    ) {
        if !self.keep {
            return;
        }
        let link = (kind == ScalarKind::Key).then(|| key_link(&path));
        self.out.push(Scalar {
            document: 0,
            path,
            kind,
            pieces: decoded.pieces(),
            content: decoded.content_start..decoded.content_end,
            rare: Rare::boxed(link, blocked),
            value: decoded.value,
            span,
            style,
            in_flow: !self.frames.is_empty(),
            share: Share::None,
            not_string: false,
            typed_by_text: false,
        });
    }
}

/// TOML 1.0 requires seconds in times (`07:32:00`); TOML 1.1 makes them
/// optional. An unquoted scalar with a `:` is a time or a date-time; its first
/// `HH:MM` must be followed by `:SS`.
fn check_time_has_seconds(text: &str) -> Result<(), String> {
    let Some(colon) = text.find(':') else {
        return Ok(());
    };
    if text.as_bytes().get(colon + 3) == Some(&b':') {
        Ok(())
    } else {
        Err("time without seconds (allowed only from TOML 1.1)".into())
    }
}
