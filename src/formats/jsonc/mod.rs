//! JSONC (SPEC §10): JSON with `//` and `/* */` comments and trailing
//! commas, as VS Code settings, devcontainer and tsconfig files are written.
//!
//! - **Reading**: the JSON engine's strict span-aware reader in its JSONC
//!   mode ([`crate::formats::json::reader::read_jsonc`]): comments wherever
//!   whitespace may stand, one trailing comma before `]` or `}`; nothing
//!   else JSON5 allows (no single quotes, bare keys, hex or `+1`). Comment
//!   ranges are returned (markers included, a line comment without its
//!   line break).
//! - **Editing**: exactly the JSON engine's string splicing — only the bytes
//!   that spell the alias change, escaped per RFC 8259 — so comments, commas,
//!   whitespace, a BOM and line endings are never touched.
//! - **Verification** ([`verify`]) with dprint's `jsonc-parser`, a maintained
//!   parser independent of ours, in the same dialect: the ordered value tree
//!   of the new text must equal the old one with exactly the planned
//!   substitutions, and every comment must be there byte for byte.

mod verify;

use super::{
    Edit, Format, FormatSpec, ParseError, Parsed, Replacement, Scalar, Scan, Substitution, json,
};

/// The JSONC entry of the format registry (SPEC §8's built-in map).
pub static SPEC: FormatSpec = FormatSpec {
    name: "jsonc",
    globs: &[
        "**/*.jsonc",
        "**/.vscode/*.json",
        "**/tsconfig*.json",
        "**/devcontainer.json",
        "**/.devcontainer/*.json",
    ],
    comments: "`//` to the end of the line, and `/* … */`",
    root_is_table: false,
    governed_as: Some(super::FileType::Json),
    default_field: true,
    lines_only: false,
    engine: &Jsonc,
};

/// The JSONC format engine.
pub struct Jsonc;

impl Format for Jsonc {
    fn scan(&self, src: &str) -> Result<Scan, ParseError> {
        let (scalars, comments) = json::reader::read_jsonc(src, true)?;
        Ok(Scan {
            scalars,
            comments,
            parsed: None,
        })
    }

    /// As JSON's (see [`json::reader::read_jsonc_for`]): every comment,
    /// the strings planning needs.
    fn scan_for(&self, src: &str, may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        let (scalars, comments) = json::reader::read_jsonc_for(src, may_hold)?;
        Ok(Scan {
            scalars,
            comments,
            parsed: None,
        })
    }

    fn scan_values(&self, src: &str) -> Result<Scan, ParseError> {
        let (scalars, comments) = json::reader::read_values(src, true)?;
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
        json::string_edits(src, scalar, replacements)
    }

    fn verify(
        &self,
        old: &str,
        _old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        verify::verify(old, new, subs)
    }
}

#[cfg(test)]
mod tests;
