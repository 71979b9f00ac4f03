//! TOML string tokens: decoding with a value ↔ source map, escaping, and the
//! edits that rewrite part of a string while keeping its kind.
//!
//! A string token is decoded into [`Segment`]s: verbatim runs, escapes, raw
//! line breaks and skipped text (the newline trimmed after an opening `"""`,
//! a line-ending backslash with the whitespace it swallows). Every byte of the
//! content belongs to exactly one segment, so any range of the decoded value
//! maps back to the source bytes that produce it; that is what lets an edit
//! splice just the alias bytes and leave every escape around it untouched.

use std::ops::Range;

use crate::formats::{Edit, Piece, Replacement, Style, apply_replacements};

/// What a stretch of the string's source stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SegKind {
    /// Source bytes that equal the value bytes.
    Verbatim,
    /// An escape sequence (`\n`, `\u00E9`, ...) decoding to one character.
    Escape,
    /// A raw line break inside a multi-line string (kept as is in the value).
    Newline,
    /// Source text with no value: the trimmed first newline of a multi-line
    /// string, or a line-ending backslash and the whitespace after it.
    Skip,
}

/// One stretch of a string token: `value` (range of the decoded value) is
/// produced by `source` (absolute byte range of the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    pub kind: SegKind,
    pub value: Range<usize>,
    pub source: Range<usize>,
}

/// A decoded string token.
#[derive(Clone, Debug)]
pub(super) struct Decoded {
    pub value: String,
    pub segments: Vec<Segment>,
    /// Absolute offset of the first content byte (after the opening quotes).
    pub content_start: usize,
    /// Absolute offset just past the last content byte (before the closing
    /// quotes).
    pub content_end: usize,
}

impl Decoded {
    /// The verbatim pieces of the value (line by line for multi-line strings,
    /// broken at escapes and continuations).
    pub fn pieces(&self) -> Vec<Piece> {
        self.segments
            .iter()
            .filter(|s| s.kind == SegKind::Verbatim && !s.value.is_empty())
            .map(|s| Piece {
                value: s.value.clone(),
                source: s.source.clone(),
            })
            .collect()
    }
}

/// A string that cannot be decoded: absolute byte offset and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct DecodeError {
    pub offset: usize,
    pub message: String,
}

fn err(offset: usize, message: impl Into<String>) -> DecodeError {
    DecodeError {
        offset,
        message: message.into(),
    }
}

/// Opening/closing delimiter length, whether escapes apply, whether the
/// string may span lines.
fn shape(style: Style) -> Option<(usize, bool, bool)> {
    match style {
        Style::TomlBare => Some((0, false, false)),
        Style::TomlBasic => Some((1, true, false)),
        Style::TomlLiteral => Some((1, false, false)),
        Style::TomlMultiBasic => Some((3, true, true)),
        Style::TomlMultiLiteral => Some((3, false, true)),
        _ => None,
    }
}

/// Decodes the string token at `span` of `src` written in `style`.
///
/// The token is assumed to be lexically valid TOML (the document parser has
/// accepted it); this decoder only has to agree with it, and additionally
/// rejects the TOML 1.1 escapes `\e` and `\xHH`, which TOML 1.0 forbids.
pub(super) fn decode(src: &str, span: Range<usize>, style: Style) -> Result<Decoded, DecodeError> {
    let (delim, escapes, multiline) =
        shape(style).ok_or_else(|| err(span.start, "not a TOML string style"))?;
    let text = src
        .get(span.clone())
        .ok_or_else(|| err(span.start, "string span outside the text"))?;
    if text.len() < 2 * delim {
        return Err(err(span.start, "string token too short"));
    }
    let mut start = span.start + delim;
    let end = span.end - delim;
    let bytes = src.as_bytes();
    let mut segments = Vec::new();
    let mut value = String::new();
    if multiline {
        let nl = newline_len(bytes, start, end);
        if nl > 0 {
            segments.push(Segment {
                kind: SegKind::Skip,
                value: 0..0,
                source: start..start + nl,
            });
            start += nl;
        }
    }
    let content_start = start;
    let mut run = start;
    let mut i = start;
    while i < end {
        let b = bytes.get(i).copied().unwrap_or(0);
        if escapes && b == b'\\' {
            flush(src, run..i, &mut value, &mut segments);
            let (kind, len, ch) = escape_at(bytes, i, end, multiline)?;
            let at = value.len();
            if let Some(c) = ch {
                value.push(c);
            }
            segments.push(Segment {
                kind,
                value: at..value.len(),
                source: i..i + len,
            });
            i += len;
            run = i;
        } else if multiline && newline_len(bytes, i, end) > 0 {
            flush(src, run..i, &mut value, &mut segments);
            let len = newline_len(bytes, i, end);
            let at = value.len();
            value.push_str(src.get(i..i + len).unwrap_or("\n"));
            segments.push(Segment {
                kind: SegKind::Newline,
                value: at..value.len(),
                source: i..i + len,
            });
            i += len;
            run = i;
        } else {
            i += 1;
        }
    }
    flush(src, run..end, &mut value, &mut segments);
    Ok(Decoded {
        value,
        segments,
        content_start,
        content_end: end,
    })
}

/// Length of the line break (`\n` or `\r\n`) at `i`, 0 when there is none.
fn newline_len(bytes: &[u8], i: usize, end: usize) -> usize {
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\n'), _) if i < end => 1,
        (Some(b'\r'), Some(b'\n')) if i + 1 < end => 2,
        _ => 0,
    }
}

/// Appends the verbatim run `range` (split only at ASCII bytes, so it lies on
/// character boundaries).
fn flush(src: &str, range: Range<usize>, value: &mut String, segments: &mut Vec<Segment>) {
    if range.is_empty() {
        return;
    }
    let Some(text) = src.get(range.clone()) else {
        return;
    };
    let at = value.len();
    value.push_str(text);
    segments.push(Segment {
        kind: SegKind::Verbatim,
        value: at..value.len(),
        source: range,
    });
}

/// Reads the escape starting with the backslash at `i`: its segment kind,
/// source length and decoded character (`None` for a line continuation).
fn escape_at(
    bytes: &[u8],
    i: usize,
    end: usize,
    multiline: bool,
) -> Result<(SegKind, usize, Option<char>), DecodeError> {
    let next = bytes.get(i + 1).copied().filter(|_| i + 1 < end);
    let simple = |c: char| Ok((SegKind::Escape, 2, Some(c)));
    match next {
        Some(b'b') => simple('\u{8}'),
        Some(b't') => simple('\t'),
        Some(b'n') => simple('\n'),
        Some(b'f') => simple('\u{c}'),
        Some(b'r') => simple('\r'),
        Some(b'"') => simple('"'),
        Some(b'\\') => simple('\\'),
        Some(b'u') => hex_escape(bytes, i, end, 4),
        Some(b'U') => hex_escape(bytes, i, end, 8),
        Some(b'e') => Err(err(
            i,
            "the escape \\e is TOML 1.1; TOML 1.0 does not allow it",
        )),
        Some(b'x') => Err(err(
            i,
            "the escape \\xHH is TOML 1.1; TOML 1.0 does not allow it",
        )),
        Some(b' ' | b'\t' | b'\n' | b'\r') if multiline => continuation(bytes, i, end),
        _ => Err(err(i, "invalid escape sequence")),
    }
}

fn hex_escape(
    bytes: &[u8],
    i: usize,
    end: usize,
    digits: usize,
) -> Result<(SegKind, usize, Option<char>), DecodeError> {
    let from = i + 2;
    let to = from + digits;
    let hex = bytes
        .get(from..to)
        .filter(|_| to <= end)
        .and_then(|h| std::str::from_utf8(h).ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| err(i, "invalid unicode escape"))?;
    let c = u32::from_str_radix(hex, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| err(i, "unicode escape is not a scalar value"))?;
    Ok((SegKind::Escape, 2 + digits, Some(c)))
}

/// A line-ending backslash: skips blanks, then at least one line break, then
/// all whitespace and line breaks up to the next content character.
fn continuation(
    bytes: &[u8],
    i: usize,
    end: usize,
) -> Result<(SegKind, usize, Option<char>), DecodeError> {
    let mut j = i + 1;
    let mut saw_newline = false;
    while j < end {
        match bytes.get(j) {
            Some(b' ' | b'\t') => j += 1,
            Some(b'\n') => {
                saw_newline = true;
                j += 1;
            }
            Some(b'\r') if bytes.get(j + 1) == Some(&b'\n') => {
                saw_newline = true;
                j += 2;
            }
            _ => break,
        }
    }
    if !saw_newline {
        return Err(err(
            i,
            "a backslash followed by whitespace must end the line",
        ));
    }
    Ok((SegKind::Skip, j - i, None))
}

/// A bare key in TOML 1.0: `A-Za-z0-9_-`, at least one character.
pub(super) fn is_bare_key(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `s` can be written as a one-line literal string `'…'`.
fn fits_literal(s: &str) -> bool {
    toml_writer::TomlStringBuilder::new(s)
        .as_literal()
        .is_some()
}

/// Whether `s` can be spliced into a multi-line literal string on one line:
/// no line break, no control character but tab. Quotes may go in: whether
/// they form a closing delimiter with their neighbours is checked on the
/// rewritten string ([`check_round_trip`]).
fn fits_ml_literal_piece(s: &str) -> bool {
    s.chars().all(|c| c == '\t' || !c.is_control())
}

/// Escapes `s` for the inside of a basic string (one-line or multi-line):
/// quotes, backslashes and every control character, so the text stays on its
/// line and can never close the string.
pub(super) fn escape_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a one-line basic string, quotes included.
pub(super) fn basic(s: &str) -> String {
    format!("\"{}\"", escape_basic(s))
}

/// Maps a range of the decoded value to the source bytes that produce it.
/// `None` when a boundary falls inside an escape or a `\r\n` line break.
fn map_range(d: &Decoded, r: &Range<usize>) -> Option<Range<usize>> {
    let start = map_start(d, r.start)?;
    if r.is_empty() {
        return Some(start..start);
    }
    let end = d.segments.iter().find_map(|s| {
        (s.value.start < r.end && r.end <= s.value.end).then(|| match s.kind {
            SegKind::Verbatim => Some(s.source.start + (r.end - s.value.start)),
            _ => (r.end == s.value.end).then_some(s.source.end),
        })
    })??;
    (start <= end).then_some(start..end)
}

fn map_start(d: &Decoded, at: usize) -> Option<usize> {
    if at == d.value.len() {
        // Appending at the end: just before the closing delimiter.
        return Some(d.segments.last().map_or(d.content_start, |s| s.source.end));
    }
    d.segments.iter().find_map(|s| {
        (s.value.start <= at && at < s.value.end).then(|| match s.kind {
            SegKind::Verbatim => Some(s.source.start + (at - s.value.start)),
            _ => (at == s.value.start).then_some(s.source.start),
        })
    })?
}

/// Splices each replacement into the source, rendered by `render`, refusing
/// any replacement whose source stretch crosses a line break or continuation.
fn splice(
    d: &Decoded,
    replacements: &[Replacement],
    render: &dyn Fn(&str) -> String,
) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::with_capacity(replacements.len());
    for r in replacements {
        let range = map_range(d, &r.range)
            .ok_or("the match does not line up with the string's source text")?;
        let crosses = d.segments.iter().any(|s| {
            matches!(s.kind, SegKind::Newline | SegKind::Skip)
                && s.source.start < range.end
                && range.start < s.source.end
        });
        if crosses {
            return Err("the match crosses a line break in a multi-line string".into());
        }
        edits.push(Edit {
            range,
            text: render(&r.text),
        });
    }
    Ok(edits)
}

/// The edits that make the string token `span` (decoded as `d`, written in
/// `style`) read as its value with `replacements` applied, keeping its kind
/// where TOML allows (SPEC §5).
pub(super) fn string_edits(
    src: &str,
    span: &Range<usize>,
    style: Style,
    d: &Decoded,
    replacements: &[Replacement],
) -> Result<Vec<Edit>, String> {
    check_replacements(&d.value, replacements)?;
    let new_value = apply_replacements(&d.value, replacements);
    let whole = || {
        vec![Edit {
            range: span.clone(),
            text: basic(&new_value),
        }]
    };
    let verbatim = |t: &str| t.to_string();
    let edits = match style {
        Style::TomlBare if is_bare_key(&new_value) => splice(d, replacements, &verbatim)?,
        Style::TomlBare => whole(),
        Style::TomlLiteral if fits_literal(&new_value) => splice(d, replacements, &verbatim)?,
        Style::TomlLiteral => whole(),
        Style::TomlBasic | Style::TomlMultiBasic => splice(d, replacements, &escape_basic)?,
        Style::TomlMultiLiteral => {
            if !replacements.iter().all(|r| fits_ml_literal_piece(&r.text)) {
                return Err(
                    "the new text cannot be written inside a multi-line literal string".into(),
                );
            }
            splice(d, replacements, &verbatim)?
        }
        _ => return Err("not a TOML string".into()),
    };
    check_round_trip(src, span, style, &edits, &new_value)?;
    Ok(edits)
}

/// Replacements must be sorted, disjoint, inside the value and on character
/// boundaries (they come from the matcher, but a bad one must not panic).
fn check_replacements(value: &str, replacements: &[Replacement]) -> Result<(), String> {
    let mut at = 0;
    for r in replacements {
        let ok = at <= r.range.start
            && r.range.start <= r.range.end
            && value.is_char_boundary(r.range.start)
            && value.is_char_boundary(r.range.end)
            && r.range.end <= value.len();
        if !ok {
            return Err("replacement ranges are out of order or outside the value".into());
        }
        at = r.range.end;
    }
    Ok(())
}

/// Re-reads the rewritten token and checks it decodes to `new_value` in a
/// string of the expected kind (a bare key may have become a basic string,
/// a literal one a basic one).
fn check_round_trip(
    src: &str,
    span: &Range<usize>,
    style: Style,
    edits: &[Edit],
    new_value: &str,
) -> Result<(), String> {
    let mut text = String::new();
    let mut at = span.start;
    for e in edits {
        text.push_str(
            src.get(at..e.range.start)
                .ok_or("edit outside the string")?,
        );
        text.push_str(&e.text);
        at = e.range.end;
    }
    text.push_str(src.get(at..span.end).ok_or("edit outside the string")?);
    let style = match style {
        Style::TomlBare | Style::TomlLiteral if text.starts_with('"') => Style::TomlBasic,
        s => s,
    };
    let ok = decode(&text, 0..text.len(), style).is_ok_and(|d| d.value == new_value)
        && lexes_as_one_token(&text, style);
    if ok {
        Ok(())
    } else {
        Err("the rewritten string would not read back as the new value".into())
    }
}

/// The rewritten token must still be a single string token of its kind: a
/// bare key stays bare, and no deletion may join quotes into an early closing
/// delimiter (`'''` or an unescaped `"""`) inside a multi-line string.
fn lexes_as_one_token(text: &str, style: Style) -> bool {
    let inner = |d: usize| text.get(d..text.len().saturating_sub(d)).unwrap_or("");
    match style {
        Style::TomlBare => is_bare_key(text),
        Style::TomlLiteral => !inner(1).contains('\''),
        Style::TomlMultiLiteral => !inner(3).contains("'''"),
        Style::TomlMultiBasic => !has_unescaped_triple_quote(inner(3)),
        _ => true,
    }
}

fn has_unescaped_triple_quote(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut run = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => {
                run = 0;
                i += 2;
                continue;
            }
            b'"' => run += 1,
            _ => run = 0,
        }
        if run >= 3 {
            return true;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str, style: Style) -> Decoded {
        decode(text, 0..text.len(), style).unwrap()
    }

    fn rewrite(text: &str, style: Style, from: &str, to: &str) -> Result<String, String> {
        let d = dec(text, style);
        let at = d.value.find(from).unwrap();
        let reps = [Replacement {
            range: at..at + from.len(),
            text: to.into(),
        }];
        let edits = string_edits(text, &(0..text.len()), style, &d, &reps)?;
        Ok(crate::formats::apply_edits(text, &edits))
    }

    #[test]
    fn basic_escapes_split_pieces() {
        let d = dec(r#""a\tb\u00E9c""#, Style::TomlBasic);
        assert_eq!(d.value, "a\tbéc");
        let p = d.pieces();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].value, 2..3);
        assert_eq!(p[1].source, 4..5);
    }

    #[test]
    fn multiline_trims_first_newline_and_continuations() {
        let d = dec("\"\"\"\r\nab \\\r\n   cd\nef\"\"\"", Style::TomlMultiBasic);
        assert_eq!(d.value, "ab cd\nef");
        let lines: Vec<_> = d
            .pieces()
            .iter()
            .map(|p| &d.value[p.value.clone()])
            .collect::<Vec<_>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        assert_eq!(lines, ["ab ", "cd", "ef"]);
    }

    #[test]
    fn ml_literal_keeps_crlf() {
        let d = dec("'''\r\na\r\nb'''", Style::TomlMultiLiteral);
        assert_eq!(d.value, "a\r\nb");
    }

    #[test]
    fn toml_1_1_escapes_are_rejected() {
        assert!(decode(r#""\x41""#, 0..6, Style::TomlBasic).is_err());
        assert!(decode(r#""\e""#, 0..4, Style::TomlBasic).is_err());
    }

    #[test]
    fn basic_splice_escapes_the_new_text() {
        assert_eq!(
            rewrite(r#""x\tpve-shop""#, Style::TomlBasic, "pve-shop", "a\"b").unwrap(),
            r#""x\ta\"b""#
        );
    }

    #[test]
    fn literal_becomes_basic_when_needed() {
        assert_eq!(
            rewrite("'pve-shop'", Style::TomlLiteral, "pve-shop", "it's").unwrap(),
            r#""it's""#
        );
        assert_eq!(
            rewrite("'a\\pve-shop'", Style::TomlLiteral, "pve-shop", "pve").unwrap(),
            "'a\\pve'"
        );
    }

    #[test]
    fn bare_key_becomes_quoted_when_needed() {
        assert_eq!(
            rewrite("pve-shop", Style::TomlBare, "pve-shop", "pve").unwrap(),
            "pve"
        );
        assert_eq!(
            rewrite("pve-shop", Style::TomlBare, "pve-shop", "a.b").unwrap(),
            "\"a.b\""
        );
    }

    #[test]
    fn token_across_a_line_break_is_refused() {
        let text = "\"\"\"\nab\ncd\"\"\"";
        let d = dec(text, Style::TomlMultiBasic);
        let reps = [Replacement {
            range: 1..4,
            text: "x".into(),
        }];
        assert!(string_edits(text, &(0..text.len()), Style::TomlMultiBasic, &d, &reps).is_err());
        let text = "\"\"\"\nab\\\n  cd\"\"\"";
        let d = dec(text, Style::TomlMultiBasic);
        let reps = [Replacement {
            range: 0..4,
            text: "x".into(),
        }];
        assert!(string_edits(text, &(0..text.len()), Style::TomlMultiBasic, &d, &reps).is_err());
    }

    #[test]
    fn ml_literal_takes_quotes_but_never_three_in_a_row() {
        assert_eq!(
            rewrite("'''\nab\n'''", Style::TomlMultiLiteral, "ab", "a'b").unwrap(),
            "'''\na'b\n'''"
        );
        assert!(rewrite("'''\nab\n'''", Style::TomlMultiLiteral, "ab", "a'''b").is_err());
        assert_eq!(
            rewrite("'''\nab\n'''", Style::TomlMultiLiteral, "ab", "cd").unwrap(),
            "'''\ncd\n'''"
        );
    }
}
