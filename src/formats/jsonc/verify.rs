//! Independent verification with `jsonc-parser` (dprint).
//!
//! Both texts are parsed by `jsonc-parser` into an ordered event stream
//! (keys in order, duplicates kept, numbers as written), with comments
//! collected. The old stream's strings must line up one to one with what
//! our reader found (a cross-check of the reader); the expected stream is
//! the old one with exactly the planned substitutions; the new text must
//! give exactly that, and the same comments, byte for byte, in order.
//! `jsonc-parser` stops at 512 levels of nesting: a deeper text fails
//! verification with its message.

use std::collections::BTreeMap;

use jsonc_parser::ast::{Comment, ObjectPropName, Value};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use crate::formats::{ScalarKind, Substitution, json, path_to_string};

#[derive(Clone, Debug, PartialEq)]
enum Event {
    Str(String),
    Key(String),
    /// As written (never edited).
    Num(String),
    Bool(bool),
    Null,
    ArrayStart,
    ArrayEnd,
    ObjectStart,
    ObjectEnd,
}

/// Comments and trailing commas; nothing else beyond JSON.
fn options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// The events and the comment texts (in order) of `text`, parsed by
/// `jsonc-parser` (a leading BOM skipped).
fn parse(text: &str) -> Result<(Vec<Event>, Vec<String>), String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Separate,
        tokens: false,
    };
    let result = parse_to_ast(body, &collect, &options()).map_err(|e| e.to_string())?;
    let mut events = Vec::new();
    if let Some(v) = &result.value {
        walk(v, &mut events);
    }
    // Each comment is filed under the tokens before and after it: dedupe by
    // position, then order by it.
    let mut comments = BTreeMap::new();
    for list in result.comments.iter().flat_map(|m| m.values()) {
        for c in list.iter() {
            let (range, text) = match c {
                Comment::Line(l) => (l.range, l.text),
                Comment::Block(b) => (b.range, b.text),
            };
            comments.insert(range.start, text.to_string());
        }
    }
    Ok((events, comments.into_values().collect()))
}

fn walk(v: &Value, out: &mut Vec<Event>) {
    match v {
        Value::StringLit(s) => out.push(Event::Str(s.value.to_string())),
        Value::NumberLit(n) => out.push(Event::Num(n.value.to_string())),
        Value::BooleanLit(b) => out.push(Event::Bool(b.value)),
        Value::NullKeyword(_) => out.push(Event::Null),
        Value::Array(a) => {
            out.push(Event::ArrayStart);
            for e in &a.elements {
                walk(e, out);
            }
            out.push(Event::ArrayEnd);
        }
        Value::Object(o) => {
            out.push(Event::ObjectStart);
            for p in &o.properties {
                let name = match &p.name {
                    ObjectPropName::String(s) => s.value.to_string(),
                    ObjectPropName::Word(w) => w.value.to_string(),
                };
                out.push(Event::Key(name));
                walk(&p.value, out);
            }
            out.push(Event::ObjectEnd);
        }
    }
}

pub fn verify(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let (scalars, _) = json::reader::read_jsonc(old, false)
        .map_err(|e| format!("the original text does not parse: {e}"))?;
    let (mut expected, old_comments) =
        parse(old).map_err(|e| format!("jsonc-parser rejects the original text: {e}"))?;
    let slots: Vec<usize> = expected
        .iter()
        .enumerate()
        .filter_map(|(i, e)| matches!(e, Event::Str(_) | Event::Key(_)).then_some(i))
        .collect();
    if slots.len() != scalars.len() {
        return Err(format!(
            "the reader found {} strings but jsonc-parser found {}",
            scalars.len(),
            slots.len()
        ));
    }
    for (slot, s) in slots.iter().zip(&scalars) {
        let agree = match (expected.get(*slot), s.kind) {
            (Some(Event::Str(v)), ScalarKind::Value) | (Some(Event::Key(v)), ScalarKind::Key) => {
                *v == s.value
            }
            _ => false,
        };
        if !agree {
            return Err(format!(
                "the reader and jsonc-parser disagree on the string at byte {}",
                s.span.start
            ));
        }
    }
    for sub in subs {
        let i = scalars
            .binary_search_by_key(&sub.scalar.span.start, |s| s.span.start)
            .ok()
            .filter(|&i| scalars.get(i).is_some_and(|s| s.span == sub.scalar.span))
            .ok_or_else(|| {
                format!(
                    "no string at bytes {}..{} of the original text",
                    sub.scalar.span.start, sub.scalar.span.end
                )
            })?;
        let (Some(s), Some(&slot)) = (scalars.get(i), slots.get(i)) else {
            return Err("internal error: string index out of range".to_string());
        };
        if s.kind != sub.scalar.kind || s.value != sub.scalar.value {
            return Err(format!(
                "the substitution for {} does not match the original text",
                path_to_string(&sub.scalar.path)
            ));
        }
        if let Some(e) = expected.get_mut(slot) {
            *e = match s.kind {
                ScalarKind::Key => Event::Key(sub.new_value.clone()),
                _ => Event::Str(sub.new_value.clone()),
            };
        }
    }
    if old.starts_with('\u{feff}') != new.starts_with('\u{feff}') {
        return Err("the byte order mark was added or removed".to_string());
    }
    let (got, new_comments) =
        parse(new).map_err(|e| format!("the edited text is not valid JSONC: {e}"))?;
    if let Some(n) = expected.iter().zip(&got).position(|(e, g)| e != g) {
        return Err(format!(
            "the edited data differs at event {}: expected {:?}, found {:?}",
            n + 1,
            expected.get(n),
            got.get(n)
        ));
    }
    if expected.len() != got.len() {
        return Err(format!(
            "the edited data has {} events, expected {}",
            got.len(),
            expected.len()
        ));
    }
    if old_comments != new_comments {
        return Err("a comment changed".to_string());
    }
    Ok(())
}
