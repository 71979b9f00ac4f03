//! Plain text (SPEC §10): any UTF-8 file that a `[types]` line maps to
//! `text` (Markdown notes, shell scripts, `.env`, ssh configs). Every line
//! is one governed unit: a [`Scalar`] of kind [`ScalarKind::Text`] with an
//! empty path (reported as `"field": null`), matched by token only.
//!
//! - **Lines**: a line ends at `\n`; a `\r` before it belongs to the line
//!   break (CRLF), never to the value; a leading UTF-8 BOM belongs to no line.
//!   A missing final newline is just a last line without a break.
//! - **Edits** replace the alias bytes and nothing else; a new text holding a
//!   line break is refused (it would split the line).
//! - **Verification** re-derives the expected file independently of
//!   [`Format::edits`]: the old text, split into lines again, with each
//!   planned line's content replaced by its planned new value, must equal
//!   the new text byte for byte.
//! - **Memory**: a 30 MB text is not turned into a million heap strings:
//!   [`Text::scan_lines`] materialises only the lines whose bytes a filter
//!   (the planner's alias prefilter) lets through; [`Format::scan`] keeps
//!   every line, for callers that need them all.

use std::ops::Range;

use super::{
    Edit, Format, FormatSpec, ParseError, Parsed, Piece, Replacement, Scalar, ScalarKind, Scan,
    Share, Style, Substitution, source_range,
};

/// The text entry of the format registry: no globs, no extensions — text
/// is only ever assigned by a `[types]` line (SPEC §8).
pub static SPEC: FormatSpec = FormatSpec {
    name: "text",
    globs: &[],
    comments: "none of its own: every line is governed, and a `driftfix:` marker counts anywhere on its line",
    root_is_table: false,
    governed_as: None,
    default_field: false,
    lines_only: true,
    engine: &Text,
};

/// The text format engine.
pub struct Text;

const BOM: &str = "\u{feff}";

/// The content range of every line of `src` (line breaks and a leading
/// BOM excluded), in order.
pub fn line_ranges(src: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let body_start = if src.starts_with(BOM) { BOM.len() } else { 0 };
    let bytes = src.as_bytes();
    let mut start = body_start;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = bytes.get(start..).unwrap_or(&[]);
        let (end, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (start + i, Some(start + i + 1)),
            None => (bytes.len(), None),
        };
        let content_end = if next.is_some() && end > start && bytes.get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        };
        let range = start..content_end;
        match next {
            // A final line break ends the text: no empty line after it.
            Some(n) if n < bytes.len() => start = n,
            _ => done = true,
        }
        Some(range)
    })
}

fn line_scalar(src: &str, range: Range<usize>) -> Option<Scalar> {
    let value = src.get(range.clone())?.to_string();
    Some(Scalar {
        document: 0,
        path: Vec::new(),
        kind: ScalarKind::Text,
        pieces: vec![Piece {
            value: 0..value.len(),
            source: range.clone(),
        }],
        value,
        content: range.clone(),
        span: range,
        style: Style::Verbatim,
        in_flow: false,
        share: Share::None,
        rare: None,
        not_string: false,
        typed_by_text: false,
    })
}

impl Text {
    /// The lines whose bytes pass `keep`, as scalars (see the module docs:
    /// the planner passes its alias prefilter, so lines that cannot hold an
    /// alias are never copied).
    pub fn scan_lines(&self, src: &str, keep: &dyn Fn(&[u8]) -> bool) -> Vec<Scalar> {
        line_ranges(src)
            .filter(|r| src.as_bytes().get(r.clone()).is_some_and(keep))
            .filter_map(|r| line_scalar(src, r))
            .collect()
    }
}

impl Format for Text {
    fn scan(&self, src: &str) -> Result<Scan, ParseError> {
        Ok(Scan {
            scalars: self.scan_lines(src, &|_| true),
            comments: Vec::new(),
            parsed: None,
        })
    }

    fn scan_for(&self, src: &str, may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        Ok(Scan {
            scalars: self.scan_lines(src, may_hold),
            comments: Vec::new(),
            parsed: None,
        })
    }

    fn edits(
        &self,
        src: &str,
        scalar: &Scalar,
        replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String> {
        if src.get(scalar.span.clone()) != Some(scalar.value.as_str()) {
            return Err("the line is not where it was scanned".to_string());
        }
        let mut out = Vec::with_capacity(replacements.len());
        let mut prev_end = 0;
        for r in replacements {
            if r.range.start < prev_end || r.range.start > r.range.end {
                return Err("replacements overlap or are out of order".to_string());
            }
            prev_end = r.range.end;
            if r.text.contains(['\n', '\r']) {
                return Err("the new text holds a line break".to_string());
            }
            let range =
                source_range(scalar, &r.range).ok_or("the replacement does not lie on the line")?;
            out.push(Edit {
                range,
                text: r.text.to_string(),
            });
        }
        Ok(out)
    }

    fn verify(
        &self,
        old: &str,
        _old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        verify(old, new, subs)
    }
}

/// See the module docs: the expected text is rebuilt from `old`'s lines
/// and the substitutions alone, and must equal `new`.
fn verify(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let mut planned: Vec<(&Range<usize>, &str)> = subs
        .iter()
        .map(|s| (&s.scalar.span, s.new_value.as_str()))
        .collect();
    planned.sort_by_key(|(r, _)| r.start);
    let mut expected = String::with_capacity(new.len());
    let mut at = 0;
    let mut lines = line_ranges(old);
    for (range, value) in planned {
        if value.contains(['\n', '\r']) {
            return Err(format!(
                "the new value for the line at byte {} holds a line break",
                range.start
            ));
        }
        // The substitution must name exactly one whole line of the old text.
        let line = lines
            .by_ref()
            .find(|l| l.start >= range.start)
            .filter(|l| l == range)
            .ok_or_else(|| {
                format!(
                    "bytes {}..{} are not a line of the original text",
                    range.start, range.end
                )
            })?;
        if range.start < at {
            return Err("two substitutions for one line".to_string());
        }
        expected.push_str(old.get(at..line.start).unwrap_or(""));
        expected.push_str(value);
        at = line.end;
    }
    expected.push_str(old.get(at..).unwrap_or(""));
    if expected == new {
        Ok(())
    } else {
        let first = expected
            .bytes()
            .zip(new.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(new.len()));
        Err(format!(
            "the edited text differs from the planned one at byte {first}"
        ))
    }
}

#[cfg(test)]
mod tests;
