//! Finding a scalar's source text from its start offset and decoded value.
//!
//! yaml-rust2 only says where a scalar starts. Quoted scalars are decoded
//! here again from the opening quote (so we know where they end and which
//! stretches are verbatim); plain and block scalars are matched line by line
//! against the decoded value. Every located scalar satisfies
//! `value[piece.value] == text[piece.source]` for all pieces, and the decoded
//! text must equal the parser's value, else the scalar is not located.

use std::ops::Range;

use crate::formats::Piece;

/// Where a scalar's text is, offsets into the text without BOM.
#[derive(Debug)]
pub(crate) struct Located {
    pub span: Range<usize>,
    pub content_start: usize,
    pub pieces: Vec<Piece>,
}

/// Builds the decoded value and its verbatim pieces.
#[derive(Default)]
struct Decoder {
    out: String,
    pieces: Vec<Piece>,
}

impl Decoder {
    /// Appends `c`, which stands verbatim at source byte `at`.
    fn verbatim(&mut self, c: char, at: usize) {
        let v = self.out.len();
        self.out.push(c);
        let (ve, se) = (self.out.len(), at + c.len_utf8());
        match self.pieces.last_mut() {
            Some(p) if p.value.end == v && p.source.end == at => {
                p.value.end = ve;
                p.source.end = se;
            }
            _ => self.pieces.push(Piece {
                value: v..ve,
                source: at..se,
            }),
        }
    }

    /// Appends decoded text that is not verbatim (an escape, a fold).
    fn decoded(&mut self, c: char) {
        self.out.push(c);
    }
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|s| s.chars().next())
}

/// Skips one line break (`\r\n`, `\n` or `\r`) at `at`; `None` if there is none.
fn skip_break(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    match b.get(at) {
        Some(b'\r') if b.get(at + 1) == Some(&b'\n') => Some(at + 2),
        Some(b'\r') | Some(b'\n') => Some(at + 1),
        _ => None,
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// After a line break inside a quoted scalar: skips leading blanks and empty
/// lines, returning the position of the next content and how many further
/// line breaks were skipped.
fn skip_fold(text: &str, mut at: usize) -> (usize, usize) {
    let mut breaks = 0;
    loop {
        while char_at(text, at).is_some_and(is_blank) {
            at += 1;
        }
        match skip_break(text, at) {
            Some(next) => {
                breaks += 1;
                at = next;
            }
            None => return (at, breaks),
        }
    }
}

/// A single- or double-quoted scalar starting at its opening quote.
pub(crate) fn quoted(text: &str, start: usize, double: bool, value: &str) -> Option<Located> {
    let quote = if double { '"' } else { '\'' };
    if char_at(text, start) != Some(quote) {
        return None;
    }
    let mut d = Decoder::default();
    let mut pending: Vec<(char, usize)> = Vec::new();
    let mut at = start + 1;
    loop {
        let c = char_at(text, at)?;
        if c == quote {
            if !double && char_at(text, at + 1) == Some('\'') {
                flush(&mut d, &mut pending);
                d.decoded('\'');
                at += 2;
                continue;
            }
            flush(&mut d, &mut pending);
            let end = at + 1;
            return (d.out == value).then(|| Located {
                span: start..end,
                content_start: start + 1,
                pieces: d.pieces,
            });
        }
        if double && c == '\\' {
            flush(&mut d, &mut pending);
            at = escape(text, at + 1, &mut d)?;
            continue;
        }
        if let Some(next) = skip_break(text, at) {
            pending.clear();
            let (after, more) = skip_fold(text, next);
            if more == 0 {
                d.decoded(' ');
            } else {
                (0..more).for_each(|_| d.decoded('\n'));
            }
            at = after;
            continue;
        }
        if is_blank(c) {
            pending.push((c, at));
        } else {
            flush(&mut d, &mut pending);
            d.verbatim(c, at);
        }
        at += c.len_utf8();
    }
}

fn flush(d: &mut Decoder, pending: &mut Vec<(char, usize)>) {
    for (c, at) in pending.drain(..) {
        d.verbatim(c, at);
    }
}

/// Decodes the escape whose letter is at `at` (after the `\`); returns the
/// position after it.
fn escape(text: &str, at: usize, d: &mut Decoder) -> Option<usize> {
    let c = char_at(text, at)?;
    let simple = match c {
        '0' => Some('\0'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{b}'),
        'f' => Some('\u{c}'),
        'r' => Some('\r'),
        'e' => Some('\u{1b}'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{a0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(s) = simple {
        d.decoded(s);
        return Some(at + c.len_utf8());
    }
    if let Some(next) = skip_break(text, at) {
        // An escaped line break: no fold, leading blanks of the next line
        // dropped; empty lines after it still give line feeds.
        let (after, more) = skip_fold(text, next);
        (0..more).for_each(|_| d.decoded('\n'));
        return Some(after);
    }
    let len = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return None,
    };
    let hex = text.get(at + 1..at + 1 + len)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    d.decoded(char::from_u32(code)?);
    Some(at + 1 + len)
}

/// End of the line holding `at` (before its line break).
fn line_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|s| s.find(['\n', '\r']))
        .map_or(text.len(), |i| at + i)
}

/// Start of the next line after the line holding `at`.
fn next_line(text: &str, at: usize) -> Option<usize> {
    skip_break(text, line_end(text, at))
}

/// A plain scalar starting at `start`: matched line by line against `value`
/// (a single line break folds to a space, more give line feeds).
pub(crate) fn plain(text: &str, start: usize, value: &str) -> Option<Located> {
    if value.is_empty() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut p = 0;
    let mut pos = start;
    loop {
        let rest = value.get(p..)?;
        // The rest of the value stands on this line verbatim: done, without
        // looking for the line's end (many scalars on one long line would
        // make that quadratic).
        if !rest.is_empty()
            && !rest.contains(['\n', '\r'])
            && text.get(pos..).is_some_and(|t| t.starts_with(rest))
        {
            pieces.push(Piece {
                value: p..value.len(),
                source: pos..pos + rest.len(),
            });
            return Some(Located {
                span: start..pos + rest.len(),
                content_start: start,
                pieces,
            });
        }
        let seg = text.get(pos..line_end(text, pos))?;
        let trimmed = seg.trim_end_matches(is_blank);
        if !trimmed.is_empty() && trimmed.len() < rest.len() && rest.starts_with(trimmed) {
            pieces.push(Piece {
                value: p..p + trimmed.len(),
                source: pos..pos + trimmed.len(),
            });
            p += trimmed.len();
            let skipped = value.get(p..)?.trim_start_matches([' ', '\n']);
            p = value.len() - skipped.len();
            pos = next_line(text, pos)?;
            pos = next_content(text, pos)?;
            continue;
        }
        return None;
    }
}

/// From the start of a line, skips blanks and empty lines to the next content.
fn next_content(text: &str, mut pos: usize) -> Option<usize> {
    loop {
        while char_at(text, pos).is_some_and(is_blank) {
            pos += 1;
        }
        match skip_break(text, pos) {
            Some(n) => pos = n,
            None => return char_at(text, pos).map(|_| pos),
        }
    }
}

/// A literal or folded block scalar whose first content character is at
/// `start`: each content line (indentation removed) is a verbatim piece.
pub(crate) fn block(text: &str, start: usize, value: &str) -> Option<Located> {
    let line_start = text.get(..start)?.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let indent = start - line_start;
    if !text.get(line_start..start)?.chars().all(|c| c == ' ') {
        return None;
    }
    let mut pieces = Vec::new();
    let mut p = 0;
    let mut end = start;
    let mut line = line_start;
    loop {
        let rest = value.get(p..)?;
        if rest.chars().all(|c| c == '\n') {
            return Some(Located {
                span: start..end.max(start),
                content_start: start,
                pieces,
            });
        }
        let le = line_end(text, line);
        let whole = text.get(line..le)?;
        let lead = whole.len() - whole.trim_start_matches(' ').len();
        let content = if whole.trim_start_matches([' ', '\t']).is_empty() && lead <= indent {
            ""
        } else if lead >= indent {
            whole.get(indent..)?
        } else {
            return None;
        };
        if !content.is_empty() {
            let i = rest.find(content)?;
            if !rest.get(..i)?.chars().all(|c| c == '\n' || c == ' ') {
                return None;
            }
            let vs = p + i;
            let ss = line + indent;
            pieces.push(Piece {
                value: vs..vs + content.len(),
                source: ss..ss + content.len(),
            });
            p = vs + content.len();
            end = ss + content.len();
        }
        line = match skip_break(text, le) {
            Some(next) => next,
            // The last line of a file without a final line break.
            None => {
                let done = value.get(p..)?.chars().all(|c| c == '\n');
                return done.then(|| Located {
                    span: start..end.max(start),
                    content_start: start,
                    pieces,
                });
            }
        };
    }
}

/// `*name` at `start`: the alias's whole text.
pub(crate) fn alias(text: &str, start: usize) -> Option<Range<usize>> {
    if char_at(text, start) != Some('*') {
        return None;
    }
    let rest = text.get(start + 1..)?;
    let len = rest
        .find(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}') || c == '\u{feff}'
        })
        .unwrap_or(rest.len());
    (len > 0).then(|| start..start + 1 + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, l: &Located, value: &str) {
        for p in &l.pieces {
            assert_eq!(&value[p.value.clone()], &text[p.source.clone()]);
        }
    }

    #[test]
    fn double_quoted_with_escapes_and_folds() {
        let t = "k: \"a\\tb \\\"c\\\"\n   next  \n\n  last\"\n";
        let v = "a\tb \"c\" next\nlast";
        let l = quoted(t, 3, true, v).unwrap();
        assert_eq!(&t[l.span.clone()], &t[3..t.len() - 1]);
        check(t, &l, v);
        assert!(l.pieces.iter().any(|p| &v[p.value.clone()] == "next"));
    }

    #[test]
    fn single_quoted() {
        let t = "- 'it''s x'  # c";
        let l = quoted(t, 2, false, "it's x").unwrap();
        assert_eq!(&t[l.span.clone()], "'it''s x'");
        check(t, &l, "it's x");
        assert!(quoted(t, 2, false, "nope").is_none());
    }

    #[test]
    fn plain_multi_line() {
        let t = "k: one two\r\n  three\r\n\r\n  four # c\r\nx: y";
        let v = "one two three\nfour";
        let l = plain(t, 3, v).unwrap();
        check(t, &l, v);
        assert_eq!(l.pieces.len(), 3);
        assert_eq!(&t[l.span.clone()], "one two\r\n  three\r\n\r\n  four");
        let l = plain("[a, b]", 1, "a").unwrap();
        assert_eq!(l.span, 1..2);
    }

    #[test]
    fn block_lines() {
        let t = "k: |\n  one\n\n    two\n  three\nx: y\n";
        let v = "one\n\n  two\nthree\n";
        let start = t.find("one").unwrap();
        let l = block(t, start, v).unwrap();
        check(t, &l, v);
        assert_eq!(l.pieces.len(), 3);
        let t = "k: >\n  one\n  two\n\n  three\n";
        let v = "one two\nthree\n";
        let l = block(t, t.find("one").unwrap(), v).unwrap();
        check(t, &l, v);
        assert_eq!(&t[l.span.clone()], "one\n  two\n\n  three");
    }

    #[test]
    fn alias_span() {
        assert_eq!(alias("[*a, b]", 1), Some(1..3));
        assert_eq!(alias("k: *abc\n", 3), Some(3..7));
    }
}
