//! JSON: a strict span-aware reader, minimal string splicing, and a
//! serde_json cross-check.
//!
//! - [`reader`] finds every string (values and keys) with its byte span, path
//!   and layout (verbatim runs and escapes). A leading UTF-8 BOM is accepted
//!   and skipped; offsets still count its bytes.
//! - [`Json::edits`] replaces just the source bytes that spell each replaced
//!   part of a value, so other escapes in the same string (`\u00e9`, `\/`)
//!   and everything around the string stay byte-identical.
//! - [`verify`] re-parses with serde_json, an independent parser.

pub(crate) mod reader;
mod verify;

use super::{
    Edit, Format, FormatSpec, ParseError, Parsed, Replacement, Scalar, Scan, Substitution,
};

/// The JSON entry of the format registry.
pub static SPEC: FormatSpec = FormatSpec {
    name: "json",
    globs: &["**/*.json"],
    comments: "none",
    root_is_table: false,
    governed_as: None,
    default_field: true,
    lines_only: false,
    engine: &Json,
};

pub use reader::MAX_DEPTH;

/// The JSON format engine.
pub struct Json;

impl Format for Json {
    /// Keeps the reader's [`reader::Tape`] of the original, so that
    /// [`Json::verify`] parses only the new text.
    fn scan(&self, src: &str) -> Result<Scan, ParseError> {
        let (scalars, tape) = reader::read(src)?;
        Ok(Scan {
            scalars,
            comments: Vec::new(),
            parsed: tape.map(Parsed::new),
        })
    }

    /// Leaves out the values whose decoded text fails `may_hold` and the
    /// keys of objects where no key passes it, as YAML does (see
    /// [`reader::read_for`]); the tape is the whole text's.
    fn scan_for(&self, src: &str, may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        let (scalars, tape) = reader::read_for(src, may_hold)?;
        Ok(Scan {
            scalars,
            comments: Vec::new(),
            parsed: tape.map(Parsed::new),
        })
    }

    fn scan_values(&self, src: &str) -> Result<Scan, ParseError> {
        Ok(Scan {
            scalars: reader::read_values(src, false)?.0,
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
        string_edits(src, scalar, replacements)
    }

    fn verify(
        &self,
        old: &str,
        old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        match old_parsed.and_then(Parsed::get::<reader::Tape>) {
            // A failure is rare: the full check then gives its exact message
            // (and keeps the tape's when the full check, unexpectedly, passes).
            Some(tape) => verify::verify_tape(old, &tape.0, new, subs)
                .or_else(|e| verify::verify(old, new, subs).and(Err(e))),
            None => verify::verify(old, new, subs),
        }
    }
}

/// Maps each replacement (a byte range of the decoded value) to the source
/// bytes that spell it and replaces them with the new text, escaped.
///
/// Every character of a JSON string is spelled by exactly one verbatim byte
/// run or one escape, and the string's source is just those spellings in
/// order. Replacing the spellings of a run of characters with the escaped new
/// text therefore decodes to the value with that run replaced, whatever the
/// neighbours are: no re-rendering of the whole string is ever needed, even
/// when an alias is partly spelled with escapes (`pve\u002dshop`).
pub(crate) fn string_edits(
    src: &str,
    scalar: &Scalar,
    replacements: &[Replacement],
) -> Result<Vec<Edit>, String> {
    let lexed = reader::lex_string_at(src, scalar.span.start)
        .map_err(|e| format!("the string is not where it was scanned: {e}"))?;
    if lexed.span != scalar.span || lexed.value != scalar.value {
        return Err("the string is not where it was scanned".to_string());
    }
    // Checked only when needed: canonical names are nearly always ASCII.
    let needs_ascii_check = replacements.iter().any(|r| !r.text.is_ascii());
    let ascii_only = needs_ascii_check && src.is_ascii();
    let mut edits = Vec::with_capacity(replacements.len());
    let mut prev_end = 0;
    for r in replacements {
        if r.range.start < prev_end || r.range.start > r.range.end {
            return Err("replacements overlap or are out of order".to_string());
        }
        prev_end = r.range.end;
        let (Some(start), Some(end)) = (
            lexed.source_offset(r.range.start),
            lexed.source_offset(r.range.end),
        ) else {
            return Err("a replacement does not start and end on a character".to_string());
        };
        edits.push(Edit {
            range: start..end,
            text: escape(&r.text, ascii_only),
        });
    }
    Ok(edits)
}

/// Escapes `text` for the inside of a JSON string (RFC 8259): `"` and `\`,
/// and control characters. When the file is pure ASCII (written with
/// `ensure_ascii`-style escapes), non-ASCII characters become `\uXXXX`
/// (surrogate pairs beyond the BMP) so it stays pure ASCII.
pub fn escape(text: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || (ascii_only && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
