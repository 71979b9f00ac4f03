//! YAML: yaml-rust2 events located in the source text.
//!
//! * [`parse`] drives yaml-rust2 and turns its character markers into byte
//!   offsets (cutting a BOM off first, guarding against panics and loops).
//! * [`locate`] finds each scalar's whole text and verbatim pieces from its
//!   start and decoded value.
//! * [`walk`] assigns documents, paths, kinds and anchors.
//! * [`edit`] renders replacements in the scalar's style; [`verify`] compares
//!   event streams of the old and the new text.
//!
//! Returned: string scalars (values and keys), keys of any type (non-strings
//! marked `not_string`), aliases of string-anchored scalars as
//! [`Style::YamlAlias`].
//! Not returned: empty plain scalars (nulls), non-string values (core schema
//! or any tag other than `!!str` / `!`; [`Format::scan_values`] returns
//! these too, marked `not_string`), aliases of collections.

mod comments;
mod edit;
mod events;
mod locate;
mod parse;
mod reuse;
mod schema;
mod verify;
mod walk;

#[cfg(test)]
mod tests;

#[cfg(doc)]
use super::Style;
use super::{
    Edit, Edited, Format, FormatSpec, ParseError, Parsed, Replacement, Scalar, Scan, Substitution,
};

/// The YAML entry of the format registry.
pub static SPEC: FormatSpec = FormatSpec {
    name: "yaml",
    globs: &["**/*.yaml", "**/*.yml"],
    comments: "`#` to the end of the line",
    root_is_table: false,
    governed_as: None,
    default_field: true,
    lines_only: false,
    engine: &Yaml,
};

pub use schema_api::{plain_safe, resolves_to_string};

/// Public views of the quoting rules, for property tests and callers that
/// render YAML text.
mod schema_api {
    /// Whether `s` may be written as a plain YAML scalar (in flow context or
    /// not) and read back as that same string by YAML 1.1 and 1.2 readers.
    pub fn plain_safe(s: &str, in_flow: bool) -> bool {
        super::schema::plain_ok(s, in_flow, false)
    }

    /// Whether an untagged plain scalar with this text is a string under the
    /// YAML 1.2 core schema.
    pub fn resolves_to_string(s: &str) -> bool {
        super::schema::plain_is_string_core(s)
    }
}

/// The YAML format engine.
pub struct Yaml;

impl Format for Yaml {
    fn scan(&self, src: &str) -> Result<Scan, ParseError> {
        scan(src, false, None)
    }

    /// Leaves out the values whose decoded text fails `may_hold`, and the
    /// keys of mappings where no key passes it (see [`walk::Keep`]): on a
    /// dense file most scalars are neither findings nor collision targets.
    fn scan_for(&self, src: &str, may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        scan(src, false, Some(walk::Keep { may_hold }))
    }

    fn scan_values(&self, src: &str) -> Result<Scan, ParseError> {
        scan(src, true, None)
    }

    fn edits(
        &self,
        src: &str,
        scalar: &Scalar,
        replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String> {
        edit::edits(src, scalar, replacements)
    }

    fn verify(
        &self,
        old: &str,
        old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        match old_parsed.and_then(Parsed::get::<verify::Original>) {
            Some(o) if o.len == old.len() => verify::compare(old, o, new, subs),
            _ => verify::verify(old, new, subs),
        }
    }

    /// Neither the edits nor the verification read a scalar's paths.
    fn strip_for_verify(&self, scalar: &mut Scalar) {
        scalar.path = Vec::new();
        scalar.set_reused_at(Vec::new());
    }

    fn verifies_edited_lazily(&self) -> bool {
        true
    }

    /// With the scan's parse, the edited text is read as the parser asks
    /// for it and built only when it fails (for the message).
    fn verify_edited(
        &self,
        old: &str,
        old_parsed: Option<&Parsed>,
        new: &Edited,
        subs: &[Substitution],
    ) -> Result<(), String> {
        match old_parsed.and_then(Parsed::get::<verify::Original>) {
            Some(o) if o.len == old.len() => verify::compare_edited(old, o, new, subs),
            _ => verify::verify(old, &new.text(), subs),
        }
    }
}

/// [`Format::scan`], and with `values` also [`Format::scan_values`]; with
/// `keep`, [`Format::scan_for`].
fn scan(src: &str, values: bool, keep: Option<walk::Keep<'_>>) -> Result<Scan, ParseError> {
    let (text, bom, events) = parse::parse_compact(src)?;
    let (scalars, others) = walk::scalars(text, bom, &events, values, keep);
    let covered = scalars
        .iter()
        .map(|s| s.span.clone())
        .chain(others)
        .collect();
    let comments = comments::comments(src, covered);
    Ok(Scan {
        scalars,
        comments,
        parsed: Some(Parsed::new(verify::Original::new(src.len(), bom, events))),
    })
}
