//! TOML: spans from the `toml_parser` event stream (validated by the `toml` crate),
//! edits that splice the alias bytes into the string token, and verification
//! with the `toml` crate.
//!
//! **TOML version.** The parsers we build on implement TOML 1.1. driftfix
//! accepts TOML 1.0 only, so that a file it accepts is readable by every
//! TOML 1.0 consumer and so the 1.0 conformance suite passes: the scanner
//! rejects, with a position, the syntax that TOML 1.1 added — line breaks,
//! comments and a trailing comma inside inline tables, the `\e` and `\xHH`
//! escapes, and times without seconds. Rewrites never introduce any of it.

use super::{
    Edit, Format, FormatSpec, ParseError, Parsed, Replacement, Scalar, Scan, Substitution,
};

/// The TOML entry of the format registry.
pub static SPEC: FormatSpec = FormatSpec {
    name: "toml",
    globs: &["**/*.toml"],
    comments: "`#` to the end of the line",
    root_is_table: true,
    governed_as: None,
    default_field: true,
    lines_only: false,
    engine: &Toml,
};

mod scan;
mod strings;
mod verify;

/// The TOML format engine.
pub struct Toml;

impl Format for Toml {
    fn scan(&self, src: &str) -> Result<Scan, ParseError> {
        let (scalars, comments) = scan::scan(src, false)?;
        Ok(Scan {
            scalars,
            comments,
            parsed: None,
        })
    }

    /// Leaves out the values whose decoded text fails `may_hold` and the
    /// keys of tables where no key passes it, as YAML does (see
    /// [`scan::scan_for`]).
    fn scan_for(&self, src: &str, may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        let (scalars, comments) = scan::scan_for(src, may_hold)?;
        Ok(Scan {
            scalars,
            comments,
            parsed: None,
        })
    }

    fn scan_values(&self, src: &str) -> Result<Scan, ParseError> {
        let (scalars, comments) = scan::scan(src, true)?;
        Ok(Scan {
            scalars,
            comments,
            parsed: None,
        })
    }

    fn edits(
        &self,
        src: &str,
        scalar: &Scalar,
        replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String> {
        if let Some(reason) = scalar.blocked() {
            return Err(reason.to_string());
        }
        let decoded = strings::decode(src, scalar.span.clone(), scalar.style)
            .map_err(|e| format!("cannot re-read the string: {}", e.message))?;
        if decoded.value != scalar.value {
            return Err("the string no longer matches the scanned text".into());
        }
        strings::string_edits(src, &scalar.span, scalar.style, &decoded, replacements)
    }

    fn verify(
        &self,
        old: &str,
        _old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        // The rewritten text must still be TOML 1.0 as we read it...
        scan::check(new)
            .map_err(|e| format!("the rewritten text does not parse: {e}"))
            // ...and hold the expected data as an independent parser reads it.
            .and_then(|()| verify::verify(old, new, subs))
            // A failure is rare: the full scan of the new text, as before,
            // then gives its exact message.
            .or_else(|e| {
                scan::scan(new, false)
                    .map_err(|e| format!("the rewritten text does not parse: {e}"))?;
                verify::verify(old, new, subs).and(Err(e))
            })
    }
}

#[cfg(test)]
mod tests;
