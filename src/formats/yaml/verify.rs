//! Re-parse and compare event streams (never expanded trees: an alias stays
//! one event, so a "billion laughs" file verifies in linear time).
//!
//! Data is compared as YAML's node graph: an alias (`*a`) is the anchored
//! node itself, so rewriting an anchored scalar changes what its aliases read
//! without a substitution of their own. Substitutions for aliases
//! ([`Style::YamlAlias`]) are accepted and must then carry the anchored
//! scalar's new value.

use std::collections::HashMap;

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

use super::parse::{Stream, parse};
use super::schema::plain_is_string_core;
use super::walk::{is_string, style_of};
use crate::formats::{Style, Substitution};
use crate::text::LineIndex;

/// The parse of an original text, kept from the scan for its verify.
pub(crate) struct Original {
    /// Length of the text it was parsed from: a guard against pairing it
    /// with another text.
    pub len: usize,
    bom: usize,
    events: Vec<(Event, usize)>,
}

impl Original {
    pub fn new(stream: Stream<'_>) -> Original {
        Original {
            len: stream.bom + stream.text.len(),
            bom: stream.bom,
            events: stream.events,
        }
    }
}

pub(crate) fn verify(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let o = parse(old).map_err(|e| format!("the original text does not parse: {e}"))?;
    compare(old, &Original::new(o), new, subs)
}

/// Checks `new` against the kept parse `o` of `old`.
pub(crate) fn compare(
    old: &str,
    o: &Original,
    new: &str,
    subs: &[Substitution],
) -> Result<(), String> {
    let n = parse(new).map_err(|e| format!("the edited text does not parse: {e}"))?;
    let lines = LineIndex::new(old);
    let at = |pos: usize| {
        let (l, c) = lines.line_col(pos + o.bom);
        format!("{l}:{c}")
    };
    let mut by_pos: HashMap<usize, &Substitution> = HashMap::new();
    for s in subs {
        if by_pos.insert(s.scalar.span.start, s).is_some() {
            return Err(format!(
                "two substitutions for the scalar at {}",
                at(s.scalar.span.start - o.bom.min(s.scalar.span.start))
            ));
        }
    }
    if o.events.len() != n.events.len() {
        return Err(format!(
            "the edited text has a different structure ({} parse events instead of {})",
            n.events.len(),
            o.events.len()
        ));
    }
    let mut changed_anchors: HashMap<usize, String> = HashMap::new();
    let mut alias_subs = Vec::new();
    for ((eo, po), (en, _)) in o.events.iter().zip(&n.events) {
        // A substitution names its scalar by start offset, style and value:
        // an empty scalar (null, empty block) starts where the next node
        // does, so the offset alone is not enough.
        let pos = po + o.bom;
        let fits = |s: &&Substitution| match eo {
            Event::Scalar(v, st, ..) => s.scalar.style == style_of(*st) && s.scalar.value == *v,
            Event::Alias(_) => s.scalar.style == Style::YamlAlias,
            _ => false,
        };
        let sub = match by_pos.get(&pos) {
            Some(s) if fits(s) => by_pos.remove(&pos),
            _ => None,
        };
        match (eo, en) {
            (Event::Scalar(vo, so, ao, to), Event::Scalar(vn, sn, an, tn)) => {
                let expected = sub.map_or(vo.as_str(), |s| s.new_value.as_str());
                if vn != expected {
                    return Err(format!(
                        "the scalar at {} reads {vn:?}, expected {expected:?}",
                        at(*po)
                    ));
                }
                if an != ao || tn != to {
                    return Err(format!(
                        "the scalar at {} changed its anchor or tag",
                        at(*po)
                    ));
                }
                let requoted = sub.is_some()
                    && *so == TScalarStyle::Plain
                    && matches!(sn, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted);
                if sn != so && !requoted {
                    return Err(format!(
                        "the scalar at {} changed style ({so:?} → {sn:?})",
                        at(*po)
                    ));
                }
                if sub.is_some() {
                    let still_string =
                        *sn != TScalarStyle::Plain || tn.is_some() || plain_is_string_core(vn);
                    if is_string(vo, *so, to.as_ref()) && !still_string {
                        return Err(format!(
                            "the scalar at {} is no longer a string: {vn:?}",
                            at(*po)
                        ));
                    }
                    if *ao != 0 && vo != vn {
                        changed_anchors.insert(*ao, vn.clone());
                    }
                }
            }
            (Event::Alias(a), Event::Alias(b)) if a == b => {
                if let Some(s) = sub {
                    alias_subs.push((*a, s, *po));
                }
            }
            (a, b) => {
                if a != b {
                    return Err(format!(
                        "the edited text differs in structure at {}",
                        at(*po)
                    ));
                }
            }
        }
    }
    if let Some(s) = by_pos.values().next() {
        return Err(format!(
            "the substitution at byte {} matches no scalar of the original text",
            s.scalar.span.start
        ));
    }
    for (id, s, po) in &alias_subs {
        if changed_anchors.get(id) != Some(&s.new_value) {
            return Err(format!(
                "the alias at {} would not read {:?}",
                at(*po),
                s.new_value
            ));
        }
    }
    Ok(())
}
