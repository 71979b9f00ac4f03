//! Driving yaml-rust2: events with byte offsets, hostile-input guards.
//!
//! yaml-rust2 gives only a start [`Marker`] per event, and its `index()` counts
//! characters (and drifts after some block scalars), so byte offsets are
//! computed from `line()`/`col()` with our own table of line starts. The
//! parser does not strip a UTF-8 BOM (it would become part of the first key),
//! so the BOM is cut off before parsing and added back to every offset.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::events::{Events, MAX_TEXT};
use crate::formats::ParseError;

/// A parsed stream: its events and where they start in the text without
/// BOM.
pub(crate) struct Stream {
    /// Bytes cut off the front of the original source (3 for a BOM, else 0).
    pub bom: usize,
    pub events: Vec<(Event, usize)>,
}

/// Upper bound of events per input character: a parser that produces more is
/// looping, and we stop it rather than hang.
const MAX_EVENTS_PER_CHAR: usize = 4;

/// Parses `src` (BOM allowed) into events with byte offsets into the text
/// without BOM. Never panics: a panic inside yaml-rust2 becomes a
/// [`ParseError`]. (The verify's detailed comparison; a scan keeps the
/// compact [`parse_compact`].)
pub(crate) fn parse(src: &str) -> Result<Stream, ParseError> {
    let (text, bom) = split_bom(src);
    let mut raw = Vec::new();
    guarded(text, |text| {
        drive(text, |ev, m| {
            raw.push((ev, m));
            ControlFlow::Continue(())
        })
    })?;
    let mut lines = Lines::new(text);
    let mut events: Vec<(Event, usize)> = raw
        .into_iter()
        .map(|(ev, m)| {
            let at = lines.offset(m.line(), m.col());
            (ev, at)
        })
        .collect();
    drop_line_feed_at_eof(text, &mut events);
    Ok(Stream { bom, events })
}

/// The source without a leading BOM, and the BOM's length.
pub(crate) fn split_bom(src: &str) -> (&str, usize) {
    match src.strip_prefix('\u{feff}') {
        Some(rest) => (rest, 3),
        None => (src, 0),
    }
}

/// [`parse`] into the compact [`Events`], converting offsets as events come:
/// the parser's own events are never all held at once. Returns the text
/// without BOM, the BOM's length and the events.
pub(crate) fn parse_compact(src: &str) -> Result<(&str, usize, Events), ParseError> {
    let (text, bom) = split_bom(src);
    if text.len() >= MAX_TEXT {
        return Err(ParseError {
            line: 1,
            column: 1,
            message: format!(
                "YAML files of {} MB or more are not supported",
                MAX_TEXT >> 20
            ),
        });
    }
    // About one event per 16 bytes in inventories; growing is cheap anyway.
    let mut events = Events::with_capacity(text.len() / 16 + 16);
    // The last node (scalar or alias) so far, for the end-of-file rule.
    let mut last_node: Option<(usize, bool)> = None;
    guarded(text, |text| {
        let mut lines = Lines::new(text);
        drive(text, |ev, m| {
            let at = lines.offset(m.line(), m.col());
            match &ev {
                Event::Scalar(v, TScalarStyle::Literal | TScalarStyle::Folded, ..) => {
                    last_node = Some((events.len(), eof_candidate(text, v).is_some()));
                }
                Event::Scalar(..) | Event::Alias(_) => last_node = Some((events.len(), false)),
                _ => {}
            }
            events.push(text, ev, at);
            ControlFlow::Continue(())
        })
    })?;
    if let Some((index, true)) = last_node {
        events.pop_line_feed(index);
    }
    events.shrink();
    Ok((text, bom, events))
}

/// Runs `run` on `text`, turning a panic inside yaml-rust2 into a
/// [`ParseError`] and keeping error positions inside the text.
pub(crate) fn guarded(
    text: &str,
    run: impl FnOnce(&str) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    match catch_unwind(AssertUnwindSafe(|| run(text))) {
        Ok(r) => r.map_err(|e| clamp(text, e)),
        Err(_) => Err(ParseError {
            line: 1,
            column: 1,
            message: "the YAML parser failed on this input (internal panic)".into(),
        }),
    }
}

/// With the end-of-file rule below: the value a block scalar `value` reads
/// when it is the last node of `text`, if that differs (`value` less its
/// final line feed).
pub(crate) fn eof_candidate<'v>(text: &str, value: &'v str) -> Option<&'v str> {
    if text.ends_with(['\n', '\r']) {
        return None;
    }
    let last_line = text.rsplit(['\n', '\r']).next().unwrap_or(text).trim();
    if last_line.is_empty()
        || last_line.starts_with('#')
        || last_line.starts_with("...")
        || last_line.starts_with("---")
    {
        return None;
    }
    value.strip_suffix('\n').filter(|v| v.ends_with(last_line))
}

/// yaml-rust2 ends a block scalar (`|`, `>`, `|+`) whose last line is the
/// end of a file without a final line break with a line feed anyway; YAML
/// (chomping at end of file), PyYAML and ruamel read none. The last scalar
/// of such a file loses that line feed, so `a: |\n  foo` reads `foo`.
fn drop_line_feed_at_eof(text: &str, events: &mut [(Event, usize)]) {
    // The last node of the stream (ends of collections and documents after
    // it do not count).
    let last_node = events
        .iter_mut()
        .rev()
        .map(|(ev, _)| ev)
        .find(|ev| matches!(ev, Event::Scalar(..) | Event::Alias(_)));
    if let Some(Event::Scalar(value, TScalarStyle::Literal | TScalarStyle::Folded, ..)) = last_node
        && eof_candidate(text, value).is_some()
    {
        value.pop();
    }
}

/// yaml-rust2 may place an error at end of input one line past the last
/// one; keep positions inside the text so they can be shown.
fn clamp(text: &str, mut e: ParseError) -> ParseError {
    let lines = text.split('\n').count().max(1);
    if e.line > lines {
        e.line = lines;
        let last = text.rsplit('\n').next().unwrap_or("");
        e.column = last.chars().count().saturating_add(1);
    }
    e
}

/// Feeds every event of `text` with its start marker to `each`, until the
/// end of the stream or until `each` breaks (then `Ok` too). Stops a parser
/// that loops (more than [`MAX_EVENTS_PER_CHAR`] events per byte).
pub(crate) fn drive(
    text: &str,
    each: impl FnMut(Event, Marker) -> ControlFlow<()>,
) -> Result<(), ParseError> {
    drive_chars(text.chars(), text.len(), each)
}

/// [`drive`] on the characters of a text of `len` bytes, however they are
/// read (an edited text read from its original and its edits).
pub(crate) fn drive_chars(
    chars: impl Iterator<Item = char>,
    len: usize,
    mut each: impl FnMut(Event, Marker) -> ControlFlow<()>,
) -> Result<(), ParseError> {
    let mut parser = Parser::new(chars);
    let mut count = 0usize;
    let limit = len.saturating_mul(MAX_EVENTS_PER_CHAR).saturating_add(16);
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            ParseError {
                line: m.line().max(1),
                column: m.col().saturating_add(1),
                message: e.info().to_string(),
            }
        })?;
        let end = matches!(ev, Event::StreamEnd);
        if each(ev, mark).is_break() || end {
            return Ok(());
        }
        count += 1;
        if count > limit {
            return Err(ParseError {
                line: mark.line().max(1),
                column: mark.col().saturating_add(1),
                message: "the YAML parser did not make progress on this input".into(),
            });
        }
    }
}

/// Line starts as yaml-rust2 counts lines: `\r\n`, `\n` and a lone `\r` each
/// end a line.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Last lookup (line, col, byte): events come mostly in order, so walking
    /// on from the previous position keeps long one-line files linear.
    cursor: (usize, usize, usize),
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
            i += 1;
        }
        Lines {
            text,
            starts,
            cursor: (0, 0, 0),
        }
    }

    /// Byte offset of 1-based `line`, 0-based character column `col`
    /// (clamped to the end of the text).
    pub fn offset(&mut self, line: usize, col: usize) -> usize {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return self.text.len();
        };
        let (mut c, mut at) = (0, start);
        let (cl, cc, cb) = self.cursor;
        if cl == line && cc <= col && cb >= start {
            (c, at) = (cc, cb);
        }
        let rest = self.text.get(at..).unwrap_or("");
        let mut chars = rest.char_indices();
        let byte = loop {
            if c == col {
                break chars.next().map_or(self.text.len(), |(i, _)| at + i);
            }
            match chars.next() {
                Some(_) => c += 1,
                None => break self.text.len(),
            }
        };
        self.cursor = (line, col, byte);
        byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_bytes_after_multibyte_text() {
        let t = "é: ü\r\nx: y\rz";
        let mut l = Lines::new(t);
        assert_eq!(l.offset(1, 3), t.find('ü').unwrap());
        assert_eq!(l.offset(2, 3), t.find('y').unwrap());
        assert_eq!(l.offset(3, 0), t.find('z').unwrap());
        assert_eq!(l.offset(1, 0), 0);
    }

    #[test]
    fn bom_is_cut_and_counted() {
        let s = parse("\u{feff}a: b").unwrap();
        assert_eq!(s.bom, 3);
        assert!(
            s.events
                .iter()
                .any(|(e, _)| matches!(e, Event::Scalar(v, ..) if v == "a"))
        );
    }
}
