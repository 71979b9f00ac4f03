//! The bytes that give a scanned scalar its new value, in its own style.

use std::ops::Range;

use super::schema::{
    escape_double, escape_single, may_not_be_string, needs_escape, plain_ok, render_double,
    render_single,
};
use crate::formats::{
    Edit, Replacement, Scalar, ScalarKind, Style, apply_replacements, source_range,
};

const CROSSES: &str =
    "the match crosses a line break or an escape in a multi-line YAML scalar; rewrite it by hand";

/// Longest implicit mapping key YAML allows, in characters.
const MAX_KEY_CHARS: usize = 1024;

pub(crate) fn edits(src: &str, scalar: &Scalar, reps: &[Replacement]) -> Result<Vec<Edit>, String> {
    let edits = style_edits(src, scalar, reps)?;
    if scalar.kind == ScalarKind::Key {
        let old = |r: &Range<usize>| src.get(r.clone()).map_or(0, |t| t.chars().count());
        let span = old(&scalar.span);
        let removed: usize = edits.iter().map(|e| old(&e.range)).sum();
        let added: usize = edits.iter().map(|e| e.text.chars().count()).sum();
        if (span + added).saturating_sub(removed) > MAX_KEY_CHARS {
            return Err(format!(
                "the renamed key would be longer than the {MAX_KEY_CHARS} characters YAML allows for a mapping key"
            ));
        }
    }
    Ok(edits)
}

fn style_edits(src: &str, scalar: &Scalar, reps: &[Replacement]) -> Result<Vec<Edit>, String> {
    if scalar.style == Style::YamlAlias {
        return Err("this is a YAML alias (*name) of an anchored value; the anchor's scalar is rewritten instead".into());
    }
    if let Some(reason) = scalar.blocked() {
        return Err(reason.to_string());
    }
    for r in reps {
        if scalar.value.get(r.range.clone()).is_none() {
            return Err("replacement range outside the scalar's value".into());
        }
    }
    let new = apply_replacements(&scalar.value, reps);
    if scalar.typed_by_text && may_not_be_string(&new) {
        return Err(format!(
            "the scalar is tagged `!`, which YAML 1.1 readers (PyYAML) type from its text even when quoted: {new:?} would not read as a string"
        ));
    }
    let span_text = src
        .get(scalar.span.clone())
        .ok_or("the scalar's span is outside the text")?;
    let multi_line = span_text.contains(['\n', '\r']);
    let mapped: Option<Vec<Range<usize>>> = reps
        .iter()
        .map(|r| source_range(scalar, &r.range))
        .collect();
    let whole = |text: String| {
        Ok(vec![Edit {
            range: scalar.span.clone(),
            text,
        }])
    };
    let splice = |ranges: Vec<Range<usize>>, esc: &dyn Fn(&str) -> String| {
        Ok(ranges
            .into_iter()
            .zip(reps)
            .map(|(range, r)| Edit {
                range,
                text: esc(&r.text),
            })
            .collect())
    };
    let is_key = scalar.kind == ScalarKind::Key;
    match scalar.style {
        Style::YamlPlain if !multi_line => {
            if plain_ok(&new, scalar.in_flow, is_key) {
                match mapped {
                    Some(m) => splice(m, &|t| t.to_string()),
                    None => whole(new),
                }
            } else {
                match render_single(&new) {
                    Some(q) => whole(q),
                    None => whole(render_double(&new)),
                }
            }
        }
        Style::YamlPlain => {
            let m = mapped.ok_or(CROSSES)?;
            check_plain_lines(scalar, reps)?;
            splice(m, &|t| t.to_string())
        }
        Style::YamlSingle => {
            if new.chars().any(needs_escape) {
                return Err(
                    "the new value holds characters a single-quoted YAML scalar cannot show".into(),
                );
            }
            match mapped {
                Some(m)
                    if !multi_line
                        || reps.iter().all(|r| !r.text.contains(char::is_whitespace)) =>
                {
                    splice(m, &|t| escape_single(t))
                }
                _ if !multi_line => {
                    whole(render_single(&new).ok_or("cannot single-quote the new value")?)
                }
                _ => Err(CROSSES.into()),
            }
        }
        Style::YamlDouble => match mapped {
            Some(m)
                if !multi_line || reps.iter().all(|r| !r.text.contains(char::is_whitespace)) =>
            {
                splice(m, &|t| escape_double(t))
            }
            _ if !multi_line => whole(render_double(&new)),
            _ => Err(CROSSES.into()),
        },
        Style::YamlLiteral | Style::YamlFolded => {
            let m = mapped.ok_or(CROSSES)?;
            check_block_lines(scalar, reps)?;
            splice(m, &|t| t.to_string())
        }
        _ => Err("not a YAML scalar".into()),
    }
}

/// The piece (line) of `scalar` holding `range` of its value.
fn piece_of<'s>(scalar: &'s Scalar, range: &Range<usize>) -> Option<&'s crate::formats::Piece> {
    scalar
        .pieces
        .iter()
        .find(|p| p.value.start <= range.start && range.end <= p.value.end)
}

/// The piece's new text after the replacements that fall in it.
fn new_piece_text(
    scalar: &Scalar,
    piece: &crate::formats::Piece,
    reps: &[Replacement],
) -> Option<String> {
    let inner: Vec<Replacement> = reps
        .iter()
        .filter(|r| piece.value.start <= r.range.start && r.range.end <= piece.value.end)
        .map(|r| Replacement {
            range: r.range.start - piece.value.start..r.range.end - piece.value.start,
            text: r.text.clone(),
        })
        .collect();
    let old = scalar.value.get(piece.value.clone())?;
    Some(apply_replacements(old, &inner))
}

/// In a multi-line plain scalar each rewritten line must still be a valid
/// plain line holding the same kind of text.
fn check_plain_lines(scalar: &Scalar, reps: &[Replacement]) -> Result<(), String> {
    for r in reps {
        let piece = piece_of(scalar, &r.range).ok_or(CROSSES)?;
        let line = new_piece_text(scalar, piece, reps).ok_or(CROSSES)?;
        let first = piece.value.start == 0;
        let bad = line.is_empty()
            || r.text.contains('\t')
            || line.starts_with(char::is_whitespace)
            || line.ends_with(char::is_whitespace)
            || line.chars().any(needs_escape)
            || line.contains(" #")
            || line.contains(": ")
            || line.ends_with(':')
            || (!first && line.starts_with('#'))
            || (first && !plain_ok_start(&line, scalar.in_flow))
            || line.starts_with("---")
            || line.starts_with("...")
            || (scalar.in_flow && line.contains([',', '[', ']', '{', '}']));
        if bad {
            return Err(
                "the new text cannot stand in this line of a multi-line plain YAML scalar".into(),
            );
        }
    }
    Ok(())
}

/// Whether a plain scalar may start like this (the rest is checked apart).
fn plain_ok_start(line: &str, in_flow: bool) -> bool {
    let head: String = line.chars().take(2).collect();
    plain_ok(&format!("{head}x"), in_flow, false) || plain_ok(&head, in_flow, false)
}

/// In a block scalar a rewritten line must stay one line, keep its
/// indentation and not become empty.
fn check_block_lines(scalar: &Scalar, reps: &[Replacement]) -> Result<(), String> {
    for r in reps {
        let piece = piece_of(scalar, &r.range).ok_or(CROSSES)?;
        if r.text.contains(['\n', '\r']) || r.text.chars().any(|c| c != '\t' && needs_escape(c)) {
            return Err("the new text would add a line break to a block scalar".into());
        }
        let line = new_piece_text(scalar, piece, reps).ok_or(CROSSES)?;
        if line.trim_matches([' ', '\t']).is_empty() {
            return Err("the rewrite would leave an empty line in a block scalar".into());
        }
        // A leading space would count as indentation (or start a
        // more-indented line); a leading tab is content.
        let old_line = scalar.value.get(piece.value.clone()).unwrap_or("");
        if line.starts_with(' ') != old_line.starts_with(' ') {
            return Err("the rewrite would change a block scalar line's indentation".into());
        }
    }
    Ok(())
}
