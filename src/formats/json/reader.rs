//! A strict (RFC 8259), span-aware, iterative JSON reader.
//!
//! serde_json knows no byte offsets, so locating strings needs a reader of
//! our own. It is deliberately small and strict: no comments, no trailing
//! commas, no `NaN`/`Infinity`, no leading zeros, only the RFC escapes, no raw
//! control characters inside strings, and lone UTF-16 surrogates (`"\ud800"`)
//! are rejected because they cannot be held in a Rust `String`.
//!
//! Nesting is handled with an explicit stack (never recursion) and capped at
//! [`MAX_DEPTH`], so hostile input (200,000 open brackets) gives a clear error
//! instead of a stack overflow, and the per-scalar path copies stay bounded.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::ops::Range;

use crate::formats::{DocPath as Path, ParseError, Piece, Scalar, ScalarKind, Seg, Share, Style};
use crate::text::LineIndex;

/// Deepest nesting of arrays/objects the reader accepts. Every scalar carries
/// its whole path, so unbounded depth would make the output quadratic in size;
/// real inventories are a handful of levels deep.
pub const MAX_DEPTH: usize = 1000;

/// The UTF-8 byte order mark. Accepted (and skipped) at the very start of the
/// text; offsets still count its three bytes.
const BOM: &str = "\u{feff}";

/// One part of a string's source text between the quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Atom {
    /// Characters that stand verbatim in the source: `value` and `source`
    /// have the same length and bytes.
    Verbatim {
        value: Range<usize>,
        source: Range<usize>,
    },
    /// One escape sequence (`\n`, `\u00e9`, a `\ud834\udd1e` surrogate pair)
    /// that decodes to exactly one character.
    Escape {
        value: Range<usize>,
        source: Range<usize>,
    },
}

/// A decoded JSON string with the layout of its source text.
#[derive(Clone, Debug)]
pub struct LexedString {
    pub value: String,
    /// Byte range of the whole string, quotes included.
    pub span: Range<usize>,
    /// Verbatim runs and escapes, in order; together they cover the source
    /// between the quotes without gaps.
    pub atoms: Vec<Atom>,
}

impl LexedString {
    /// The verbatim stretches, as the [`Scalar::pieces`] contract wants them.
    pub fn pieces(&self) -> Vec<Piece> {
        self.atoms
            .iter()
            .filter_map(|a| match a {
                Atom::Verbatim { value, source } => Some(Piece {
                    value: value.clone(),
                    source: source.clone(),
                }),
                Atom::Escape { .. } => None,
            })
            .collect()
    }

    /// The source offset where the value byte `offset` starts (for
    /// `offset == value.len()`: the closing quote). `None` when `offset` lies
    /// inside the character an escape stands for.
    pub fn source_offset(&self, offset: usize) -> Option<usize> {
        if offset == self.value.len() {
            return self.span.end.checked_sub(1);
        }
        self.atoms.iter().find_map(|a| match a {
            Atom::Verbatim { value, source } if value.contains(&offset) => {
                Some(source.start + (offset - value.start))
            }
            Atom::Escape { value, source } if value.start == offset => Some(source.start),
            _ => None,
        })
    }
}

/// One step of a JSON document as the reader saw it, in document order:
/// the original's data, kept by [`crate::formats::Format::scan`] so that
/// verification compares the edited text (parsed afresh by serde_json) with
/// it instead of reading the original twice more. Strings and numbers are
/// byte ranges of the original text (decoded only when compared), so a
/// token costs 12 bytes and no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    pub kind: TokKind,
    /// Byte range in the original text: a string with its quotes, a number
    /// as written; for brackets and literals, where they stand.
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokKind {
    Null,
    True,
    False,
    Num,
    Str,
    Key,
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
}

/// The reader's tokens of a whole text ([`read`]).
pub struct Tape(pub Vec<Tok>);

/// A reader error before it is turned into a line and column.
struct Fail {
    at: usize,
    message: String,
}

fn fail<T>(at: usize, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail {
        at,
        message: message.into(),
    })
}

/// Like [`read`], but without paths and pieces (left empty): all that
/// verification needs, at a fraction of the allocations.
pub fn read_light(src: &str) -> Result<Vec<Scalar>, ParseError> {
    read_with(src, false)
}

/// Reads the whole text and returns every string (values and keys) in
/// document order, and the document's [`Tape`] (`None` for a text of 4 GiB
/// or more, whose offsets do not fit the tokens).
pub fn read(src: &str) -> Result<(Vec<Scalar>, Option<Tape>), ParseError> {
    let mut reader = Reader::new(src);
    reader.tape = u32::try_from(src.len()).ok().map(|_| Vec::new());
    finish(src, reader).map(|(scalars, _, toks, _)| (scalars, toks.map(Tape)))
}

/// [`read`] for [`crate::formats::Format::scan_for`]: only the strings
/// planning needs (see [`Keep`]); the [`Tape`] is the whole text's, as
/// [`read`] gives it.
pub fn read_for(
    src: &str,
    may_hold: &dyn Fn(&[u8]) -> bool,
) -> Result<(Vec<Scalar>, Option<Tape>), ParseError> {
    let mut reader = Reader::new(src);
    reader.tape = u32::try_from(src.len()).ok().map(|_| Vec::new());
    reader.keep = Some(Keep::new(may_hold));
    match finish(src, reader)? {
        // Two containers at one path: their keys are one mapping's.
        (_, _, _, true) => read(src),
        (scalars, _, toks, false) => Ok((scalars, toks.map(Tape))),
    }
}

/// [`read_jsonc`] (with paths and pieces) for
/// [`crate::formats::Format::scan_for`], as [`read_for`] is for [`read`];
/// the comments are all returned.
pub fn read_jsonc_for(
    src: &str,
    may_hold: &dyn Fn(&[u8]) -> bool,
) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    let mut reader = Reader::new(src);
    reader.jsonc = true;
    reader.keep = Some(Keep::new(may_hold));
    match finish(src, reader)? {
        (_, _, _, true) => read_jsonc(src, true),
        (scalars, comments, _, false) => Ok((scalars, comments)),
    }
}

fn read_with(src: &str, full: bool) -> Result<Vec<Scalar>, ParseError> {
    read_as(src, full, false, false).map(|(scalars, _)| scalars)
}

/// JSONC (JSON with comments): like [`read`], also accepting `//` and
/// `/* */` comments wherever whitespace may stand and one trailing comma
/// before `]` or `}`; returns the comment ranges too (markers included, a
/// line comment without its line break). `full` as in [`read_light`].
pub fn read_jsonc(src: &str, full: bool) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    read_as(src, full, true, false)
}

/// Like [`read`] (or [`read_jsonc`] with `jsonc`), and also every number
/// and boolean value, marked `not_string`, its source text as the value.
pub fn read_values(src: &str, jsonc: bool) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    read_as(src, true, jsonc, true)
}

fn read_as(
    src: &str,
    full: bool,
    jsonc: bool,
    values: bool,
) -> Result<(Vec<Scalar>, Vec<Range<usize>>), ParseError> {
    let mut reader = Reader::new(src);
    reader.full = full;
    reader.jsonc = jsonc;
    reader.values = values;
    finish(src, reader).map(|(scalars, comments, _, _)| (scalars, comments))
}

/// Runs `reader`, placing an error at its line and column.
fn finish(src: &str, reader: Reader) -> Result<Finished, ParseError> {
    reader.run().map_err(|f| {
        let (line, column) = LineIndex::new(src).line_col(f.at);
        ParseError {
            line,
            column,
            message: f.message,
        }
    })
}

/// What a reader returns: the strings, the comment ranges, the tape (when
/// asked for), and whether a [`Keep`] read met two containers at one path
/// (its strings are then not all that planning needs).
type Finished = (Vec<Scalar>, Vec<Range<usize>>, Option<Vec<Tok>>, bool);

/// Lexes the string whose opening quote is at `start`.
pub fn lex_string_at(src: &str, start: usize) -> Result<LexedString, String> {
    lex_string(src.as_bytes(), src, start).map_err(|f| f.message)
}

/// An open container on the explicit stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    /// `open`: whether the path holds an `Index` segment for this array.
    Array { open: bool },
    /// `open`: whether the path holds a `Key` segment for this object.
    Object { open: bool },
}

/// One step of the reader's current path: a key is borrowed from the text
/// when it holds no escape (a [`Keep`] read allocates nothing for a key it
/// leaves out).
enum Step<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

/// Which strings a read returns ([`read_for`], [`read_jsonc_for`]), as
/// YAML's scan does: a value when its decoded text passes `may_hold` (what
/// the matcher reads), a key when any key of the object passes (a rename
/// onto an existing key of that object is a collision, so all its keys are
/// needed, and no other keys are).
///
/// An object's keys are held back (their offsets) until one of them
/// passes, then returned with it, out of order (sorted at the end). YAML
/// tells mappings apart by path: two containers at one path (values of a
/// duplicate key) share their keys' fate, which one pass cannot know, so
/// such a text is read whole again (`dup`).
struct Keep<'a> {
    may_hold: &'a dyn Fn(&[u8]) -> bool,
    /// The open objects, innermost last.
    objects: Vec<Held>,
    /// Held-back keys were returned after later strings.
    unsorted: bool,
    /// Two keys of one object name non-empty containers and read alike.
    dup: bool,
}

/// An open object of a [`Keep`] read.
#[derive(Default)]
struct Held {
    /// A key passed: every key is returned.
    holding: bool,
    /// Offsets of the keys read before one passed.
    pending: Vec<usize>,
    /// Hashes of the keys whose values are non-empty containers.
    containers: Vec<u64>,
}

impl<'a> Keep<'a> {
    fn new(may_hold: &'a dyn Fn(&[u8]) -> bool) -> Self {
        Keep {
            may_hold,
            objects: Vec::new(),
            unsorted: false,
            dup: false,
        }
    }
}

struct Reader<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    stack: Vec<Frame>,
    path: Vec<Step<'a>>,
    out: Vec<Scalar>,
    /// Record paths and pieces (off for verification).
    full: bool,
    /// JSONC: comments and trailing commas allowed.
    jsonc: bool,
    comments: Vec<Range<usize>>,
    /// Also record numbers and booleans ([`read_values`]).
    values: bool,
    /// Every token, when asked for ([`read`]).
    tape: Option<Vec<Tok>>,
    /// Only the strings planning needs ([`read_for`]).
    keep: Option<Keep<'a>>,
}

/// What the reader expects next.
enum Next {
    Value,
    Key,
    AfterValue,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Self {
        let pos = if src.starts_with(BOM) { BOM.len() } else { 0 };
        Reader {
            src,
            bytes: src.as_bytes(),
            pos,
            stack: Vec::new(),
            path: Vec::new(),
            out: Vec::new(),
            full: true,
            jsonc: false,
            comments: Vec::new(),
            values: false,
            tape: None,
            keep: None,
        }
    }

    /// The current path, owned.
    fn owned_path(&self) -> Path {
        self.path
            .iter()
            .map(|s| match s {
                Step::Key(k) => Seg::Key(k.to_string()),
                Step::Index(i) => Seg::Index(*i),
            })
            .collect()
    }

    /// Records a token spanning `start..end` (offsets fit: checked when the
    /// tape was asked for).
    fn tok(&mut self, kind: TokKind, start: usize, end: usize) {
        if let Some(tape) = &mut self.tape {
            tape.push(Tok {
                kind,
                start: start as u32,
                end: end as u32,
            });
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> Result<(), Fail> {
        loop {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
                self.pos += 1;
            }
            if !self.jsonc || self.peek() != Some(b'/') {
                return Ok(());
            }
            let start = self.pos;
            let rest = self.bytes.get(start..).unwrap_or(&[]);
            let end = match rest.get(1) {
                Some(b'/') => {
                    let mut end = rest
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(self.bytes.len(), |i| start + i);
                    if end > start && self.bytes.get(end - 1) == Some(&b'\r') {
                        end -= 1;
                    }
                    self.pos = end;
                    end
                }
                Some(b'*') => {
                    let Some(close) = rest
                        .get(2..)
                        .and_then(|r| r.windows(2).position(|w| w == b"*/"))
                    else {
                        return fail(start, "block comment is not closed");
                    };
                    self.pos = start + 2 + close + 2;
                    self.pos
                }
                _ => return fail(start, format!("unexpected {}", self.what())),
            };
            self.comments.push(start..end);
        }
    }

    fn run(mut self) -> Result<Finished, Fail> {
        let mut next = Next::Value;
        loop {
            self.skip_ws()?;
            next = match next {
                Next::Value => self.value()?,
                Next::Key => self.key()?,
                Next::AfterValue => match self.after_value()? {
                    Some(n) => n,
                    None => break,
                },
            };
        }
        self.skip_ws()?;
        if self.pos < self.bytes.len() {
            return fail(
                self.pos,
                format!("unexpected {} after the JSON value", self.what()),
            );
        }
        let dup = match &self.keep {
            Some(k) if k.unsorted => {
                // Document order is offset order.
                self.out.sort_by_key(|s| s.span.start);
                k.dup
            }
            Some(k) => k.dup,
            None => false,
        };
        Ok((self.out, self.comments, self.tape, dup))
    }

    /// A short description of the character at `pos`, for messages.
    fn what(&self) -> String {
        match self.src.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "end of input".to_string(),
            Some(c) if c.is_control() || c.is_whitespace() || c == '\u{feff}' => {
                format!("character U+{:04X}", u32::from(c))
            }
            Some(c) => format!("character '{c}'"),
        }
    }

    fn value(&mut self) -> Result<Next, Fail> {
        match self.peek() {
            Some(b'{') => self.open(Frame::Object { open: false }, Next::Key, b'}'),
            Some(b'[') => self.open(Frame::Array { open: false }, Next::Value, b']'),
            Some(b'"') => {
                if self.keep.is_some() {
                    self.keep_string(ScalarKind::Value)?;
                } else {
                    self.string(ScalarKind::Value)?;
                }
                Ok(Next::AfterValue)
            }
            Some(b't') => self.typed(TokKind::True, |r| r.literal("true")),
            Some(b'f') => self.typed(TokKind::False, |r| r.literal("false")),
            Some(b'n') => {
                let start = self.pos;
                let next = self.literal("null")?;
                self.tok(TokKind::Null, start, self.pos);
                Ok(next)
            }
            Some(b'-' | b'0'..=b'9') => {
                self.typed(TokKind::Num, |r| r.number().map(|()| Next::AfterValue))
            }
            None => fail(self.pos, "expected a JSON value, found end of input"),
            Some(_) => fail(
                self.pos,
                format!("expected a JSON value, found {}", self.what()),
            ),
        }
    }

    /// Opens an array or object; an immediately closed one is a finished value.
    fn open(&mut self, frame: Frame, then: Next, close: u8) -> Result<Next, Fail> {
        if self.stack.len() >= MAX_DEPTH {
            return fail(
                self.pos,
                format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
            );
        }
        let (start_kind, end_kind) = match frame {
            Frame::Array { .. } => (TokKind::SeqStart, TokKind::SeqEnd),
            Frame::Object { .. } => (TokKind::MapStart, TokKind::MapEnd),
        };
        self.tok(start_kind, self.pos, self.pos + 1);
        self.pos += 1;
        self.skip_ws()?;
        if self.peek() == Some(close) {
            self.tok(end_kind, self.pos, self.pos + 1);
            self.pos += 1;
            return Ok(Next::AfterValue);
        }
        if let Some(keep) = &mut self.keep {
            // The value of a key: noted, to tell whether two containers
            // of this object are at one path.
            if let (Some(Frame::Object { .. }), Some(Step::Key(k)), Some(held)) =
                (self.stack.last(), self.path.last(), keep.objects.last_mut())
            {
                let mut h = std::hash::DefaultHasher::new();
                k.hash(&mut h);
                held.containers.push(h.finish());
            }
            if let Frame::Object { .. } = frame {
                keep.objects.push(Held::default());
            }
        }
        if let Frame::Array { .. } = frame {
            self.path.push(Step::Index(0));
            self.stack.push(Frame::Array { open: true });
        } else {
            self.stack.push(frame);
        }
        Ok(then)
    }

    fn key(&mut self) -> Result<Next, Fail> {
        if self.peek() != Some(b'"') {
            return fail(
                self.pos,
                format!(
                    "expected a string key in double quotes, found {}",
                    self.what()
                ),
            );
        }
        let key = if self.keep.is_some() {
            self.keep_string(ScalarKind::Key)?
        } else {
            Cow::Owned(self.string(ScalarKind::Key)?.unwrap_or_default())
        };
        self.path.push(Step::Key(key));
        if let Some(Frame::Object { open }) = self.stack.last_mut() {
            *open = true;
        }
        self.skip_ws()?;
        if self.peek() != Some(b':') {
            return fail(
                self.pos,
                format!("expected ':' after the key, found {}", self.what()),
            );
        }
        self.pos += 1;
        Ok(Next::Value)
    }

    /// After a complete value: a separator, a closing bracket, or the end.
    fn after_value(&mut self) -> Result<Option<Next>, Fail> {
        let Some(&frame) = self.stack.last() else {
            return Ok(None);
        };
        let (close, name) = match frame {
            Frame::Array { .. } => (b']', "']'"),
            Frame::Object { .. } => (b'}', "'}'"),
        };
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                if self.jsonc {
                    // A trailing comma: the close bracket ends the container.
                    self.skip_ws()?;
                    if self.peek() == Some(close) {
                        return self.after_value();
                    }
                }
                match self.path.last_mut() {
                    Some(Step::Index(i)) if matches!(frame, Frame::Array { .. }) => {
                        *i += 1;
                        Ok(Some(Next::Value))
                    }
                    _ => {
                        self.path.pop();
                        if let Some(Frame::Object { open }) = self.stack.last_mut() {
                            *open = false;
                        }
                        Ok(Some(Next::Key))
                    }
                }
            }
            Some(b) if b == close => {
                let kind = match frame {
                    Frame::Array { .. } => TokKind::SeqEnd,
                    Frame::Object { .. } => TokKind::MapEnd,
                };
                self.tok(kind, self.pos, self.pos + 1);
                self.pos += 1;
                if let Some(Frame::Array { open: true } | Frame::Object { open: true }) =
                    self.stack.pop()
                {
                    self.path.pop();
                }
                if let (Frame::Object { .. }, Some(keep)) = (frame, &mut self.keep)
                    && let Some(mut held) = keep.objects.pop()
                {
                    held.containers.sort_unstable();
                    keep.dup |= held.containers.windows(2).any(|w| w.first() == w.get(1));
                }
                Ok(Some(Next::AfterValue))
            }
            _ => fail(
                self.pos,
                format!("expected ',' or {name}, found {}", self.what()),
            ),
        }
    }

    /// Reads a number or boolean with `read`; with `values`, records it.
    fn typed(
        &mut self,
        kind: TokKind,
        read: impl FnOnce(&mut Self) -> Result<Next, Fail>,
    ) -> Result<Next, Fail> {
        let start = self.pos;
        let next = read(self)?;
        self.tok(kind, start, self.pos);
        if self.values {
            let span = start..self.pos;
            self.out.push(Scalar {
                document: 0,
                path: self.owned_path(),
                kind: ScalarKind::Value,
                value: self.src.get(span.clone()).unwrap_or_default().to_string(),
                content: span.clone(),
                span,
                style: Style::Json,
                pieces: Vec::new(),
                in_flow: !self.stack.is_empty(),
                share: Share::None,
                rare: None,
                not_string: true,
                typed_by_text: false,
            });
        }
        Ok(next)
    }

    fn literal(&mut self, word: &str) -> Result<Next, Fail> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) != Some(word.as_bytes()) {
            return fail(self.pos, format!("invalid literal (expected '{word}')"));
        }
        self.pos = end;
        Ok(Next::AfterValue)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return fail(self.pos, "expected a digit in the number"),
            n if n > 1 && self.bytes.get(int_start) == Some(&b'0') => {
                return fail(int_start, "leading zeros are not allowed in numbers");
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return fail(self.pos, "expected a digit after the decimal point");
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return fail(self.pos, "expected a digit in the exponent");
            }
        }
        debug_assert!(self.pos > start);
        Ok(())
    }

    /// Lexes a string at `pos`, records it, and returns its value for a
    /// key (a value's is not needed: no copy of it is made).
    fn string(&mut self, kind: ScalarKind) -> Result<Option<String>, Fail> {
        let lexed = lex_string(self.bytes, self.src, self.pos)?;
        self.tok(tok_kind(kind), lexed.span.start, lexed.span.end);
        self.pos = lexed.span.end;
        let value = (kind == ScalarKind::Key).then(|| lexed.value.clone());
        let path = if self.full {
            self.owned_path()
        } else {
            Vec::new()
        };
        self.push_string(kind, path, lexed);
        Ok(value)
    }

    /// Records a lexed string; `path` is its container's (a key's own
    /// segment is added here).
    fn push_string(&mut self, kind: ScalarKind, mut path: Path, lexed: LexedString) {
        if kind == ScalarKind::Key && self.full {
            path.push(Seg::Key(lexed.value.clone()));
        }
        self.out.push(Scalar {
            document: 0,
            path,
            kind,
            pieces: if self.full {
                lexed.pieces()
            } else {
                Vec::new()
            },
            value: lexed.value,
            content: lexed.span.start + 1..lexed.span.end.saturating_sub(1),
            span: lexed.span,
            style: Style::Json,
            in_flow: !self.stack.is_empty(),
            share: Share::None,
            rare: None,
            not_string: false,
            typed_by_text: false,
        });
    }

    /// [`Reader::string`] in a [`Keep`] read: the string at `pos` is
    /// recorded only when [`Keep`] asks for it, and its decoded text is
    /// returned (borrowed from the source when it holds no escape).
    fn keep_string(&mut self, kind: ScalarKind) -> Result<Cow<'a, str>, Fail> {
        let quick = quick_string(self.bytes, self.src, self.pos)?;
        let span = quick.span();
        self.tok(tok_kind(kind), span.start, span.end);
        self.pos = span.end;
        let Some(keep) = &mut self.keep else {
            return Ok(quick.into_value());
        };
        let passes = (keep.may_hold)(quick.value().as_bytes());
        if kind != ScalarKind::Key {
            if passes {
                let path = self.owned_path();
                let lexed = quick.lexed(self.bytes, self.src)?;
                self.push_string(kind, path, lexed);
            }
            return Ok(quick.into_value());
        }
        let Some(held) = keep.objects.last_mut() else {
            return Ok(quick.into_value());
        };
        if !held.holding && !passes {
            held.pending.push(span.start);
            return Ok(quick.into_value());
        }
        let pending = if held.holding {
            Vec::new()
        } else {
            held.holding = true;
            std::mem::take(&mut held.pending)
        };
        if let Some(&first) = pending.first()
            && self.out.last().is_some_and(|s| s.span.start > first)
        {
            keep.unsorted = true;
        }
        // The path is the object's here (a key's segment is pushed after).
        for at in pending {
            let lexed = lex_string(self.bytes, self.src, at)?;
            let path = self.owned_path();
            self.push_string(kind, path, lexed);
        }
        let path = self.owned_path();
        let lexed = quick.lexed(self.bytes, self.src)?;
        self.push_string(kind, path, lexed);
        Ok(quick.into_value())
    }
}

fn tok_kind(kind: ScalarKind) -> TokKind {
    match kind {
        ScalarKind::Key => TokKind::Key,
        _ => TokKind::Str,
    }
}

/// A string lexed only as far as its decoded text ([`quick_string`]).
enum Quick<'a> {
    /// No escape: the text between the quotes, and the span.
    Plain(&'a str, Range<usize>),
    Lexed(LexedString),
}

impl<'a> Quick<'a> {
    fn span(&self) -> Range<usize> {
        match self {
            Quick::Plain(_, span) => span.clone(),
            Quick::Lexed(l) => l.span.clone(),
        }
    }

    fn value(&self) -> &str {
        match self {
            Quick::Plain(s, _) => s,
            Quick::Lexed(l) => &l.value,
        }
    }

    fn into_value(self) -> Cow<'a, str> {
        match self {
            Quick::Plain(s, _) => Cow::Borrowed(s),
            Quick::Lexed(l) => Cow::Owned(l.value),
        }
    }

    /// The string with its layout: [`lex_string`]'s, lexed again for a
    /// plain string (only the strings a read keeps are asked for).
    fn lexed(&self, bytes: &[u8], src: &str) -> Result<LexedString, Fail> {
        match self {
            Quick::Plain(_, span) => lex_string(bytes, src, span.start),
            Quick::Lexed(l) => Ok(l.clone()),
        }
    }
}

/// The string whose opening quote is at `start`, without allocating when
/// it holds no escape (and no control character, which is an error that
/// [`lex_string`] reports).
fn quick_string<'a>(bytes: &[u8], src: &'a str, start: usize) -> Result<Quick<'a>, Fail> {
    if bytes.get(start) == Some(&b'"') {
        let mut pos = start + 1;
        while let Some(&b) = bytes.get(pos) {
            if b == b'"' {
                // Stops only at ASCII bytes: both ends are char boundaries.
                if let Some(s) = src.get(start + 1..pos) {
                    return Ok(Quick::Plain(s, start..pos + 1));
                }
                break;
            }
            if b == b'\\' || b < 0x20 {
                break;
            }
            pos += 1;
        }
    }
    lex_string(bytes, src, start).map(Quick::Lexed)
}

/// Lexes the string whose opening quote is at `start`.
fn lex_string(bytes: &[u8], src: &str, start: usize) -> Result<LexedString, Fail> {
    if bytes.get(start) != Some(&b'"') {
        return fail(start, "expected '\"'");
    }
    let mut value = String::new();
    let mut atoms = Vec::new();
    let mut pos = start + 1;
    loop {
        let run_start = pos;
        while let Some(&b) = bytes.get(pos) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            pos += 1;
        }
        if pos > run_start {
            // Runs stop only at ASCII bytes, so both ends are char boundaries.
            let Some(run) = src.get(run_start..pos) else {
                return fail(run_start, "string is not valid UTF-8");
            };
            let v = value.len();
            value.push_str(run);
            atoms.push(Atom::Verbatim {
                value: v..value.len(),
                source: run_start..pos,
            });
        }
        match bytes.get(pos) {
            None => return fail(start, "string is not closed"),
            Some(b'"') => {
                return Ok(LexedString {
                    value,
                    span: start..pos + 1,
                    atoms,
                });
            }
            Some(b'\\') => {
                let (c, len) = escape(bytes, pos)?;
                let v = value.len();
                value.push(c);
                atoms.push(Atom::Escape {
                    value: v..value.len(),
                    source: pos..pos + len,
                });
                pos += len;
            }
            Some(&b) => {
                let what = if b == b'\n' {
                    "a line break"
                } else {
                    "a control character"
                };
                return fail(pos, format!("{what} inside a string must be escaped"));
            }
        }
    }
}

/// Decodes the escape at `at` (a backslash): its character and source length.
fn escape(bytes: &[u8], at: usize) -> Result<(char, usize), Fail> {
    let c = match bytes.get(at + 1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => return unicode_escape(bytes, at),
        None => return fail(at, "unfinished escape sequence"),
        Some(_) => {
            return fail(
                at,
                "invalid escape sequence (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
            );
        }
    };
    Ok((c, 2))
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &d| Some(acc * 16 + char::from(d).to_digit(16)?))
}

/// `\uXXXX`, or a `\uD8xx\uDCxx` surrogate pair, at `at`.
fn unicode_escape(bytes: &[u8], at: usize) -> Result<(char, usize), Fail> {
    let Some(hi) = hex4(bytes, at + 2) else {
        return fail(at, "\\u must be followed by four hex digits");
    };
    match hi {
        0xD800..=0xDBFF => {
            let lo = match (bytes.get(at + 6..at + 8), hex4(bytes, at + 8)) {
                (Some(b"\\u"), Some(lo @ 0xDC00..=0xDFFF)) => lo,
                _ => {
                    return fail(
                        at,
                        format!("unpaired UTF-16 surrogate \\u{hi:04x} (not a Unicode character)"),
                    );
                }
            };
            let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            match char::from_u32(code) {
                Some(c) => Ok((c, 12)),
                None => fail(at, "invalid surrogate pair"),
            }
        }
        0xDC00..=0xDFFF => fail(
            at,
            format!("unpaired UTF-16 surrogate \\u{hi:04x} (not a Unicode character)"),
        ),
        _ => match char::from_u32(hi) {
            Some(c) => Ok((c, 6)),
            None => fail(at, "invalid \\u escape"),
        },
    }
}
