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

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::events::{Ev, Events};
use super::parse::{drive_chars, eof_candidate, parse, parse_compact, split_bom};
use super::schema::plain_is_string_core;
use super::walk::{is_string, style_of};
use crate::formats::{Edited, Style, Substitution};
use crate::text::LineIndex;

/// The parse of an original text, kept from the scan for its verify.
pub(crate) struct Original {
    /// Length of the text it was parsed from: a guard against pairing it
    /// with another text.
    pub len: usize,
    bom: usize,
    events: Events,
}

impl Original {
    pub fn new(len: usize, bom: usize, events: Events) -> Original {
        Original { len, bom, events }
    }

    /// Parses `old`.
    fn parse(old: &str) -> Result<Original, String> {
        let (_, bom, events) =
            parse_compact(old).map_err(|e| format!("the original text does not parse: {e}"))?;
        Ok(Original::new(old.len(), bom, events))
    }
}

/// Checks `new` against `old`, parsing both.
pub(crate) fn verify(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    match Original::parse(old) {
        Ok(o) => compare(old, &o, new, subs),
        Err(_) => detailed(old, new, subs),
    }
}

/// Checks `new` against the kept parse `o` of `old`: as the new text's
/// events come, without keeping them (see [`Check`]). When they differ, the
/// comparison is done again in detail, from both texts, for its message.
pub(crate) fn compare(
    old: &str,
    o: &Original,
    new: &str,
    subs: &[Substitution],
) -> Result<(), String> {
    if Check::run(old, o, new, subs) {
        return Ok(());
    }
    detailed(old, new, subs)
}

/// [`compare`] of an edited text read from its original and edits: built
/// only when the check fails, for the message.
pub(crate) fn compare_edited(
    old: &str,
    o: &Original,
    new: &Edited,
    subs: &[Substitution],
) -> Result<(), String> {
    if Check::run_edited(old, o, new, subs) {
        return Ok(());
    }
    detailed(old, &new.text(), subs)
}

/// The comparison of [`detailed`], answering only yes or no, streaming: the
/// new text's events are compared as the parser makes them against the
/// kept original, and none is stored. It must accept exactly what
/// [`detailed`] accepts.
struct Check<'a> {
    bom: usize,
    by_pos: HashMap<usize, &'a Substitution<'a>>,
    changed_anchors: HashMap<usize, String>,
    alias_subs: Vec<(usize, &'a Substitution<'a>)>,
}

/// A new event whose comparison waits until it is known whether it is the
/// last node of the stream (the end-of-file rule of [`super::parse`]).
struct Pending<'a> {
    old: Ev<'a>,
    sub: Option<&'a Substitution<'a>>,
    new: Event,
}

impl<'a> Check<'a> {
    fn run(old: &'a str, o: &'a Original, new: &str, subs: &'a [Substitution<'a>]) -> bool {
        let (new_text, _) = split_bom(new);
        Check::run_on(
            old,
            o,
            new_text.chars(),
            new_text.len(),
            !new_text.ends_with(['\n', '\r']),
            &|| Cow::Borrowed(new_text),
            subs,
        )
    }

    /// [`Check::run`] on an edited text read from its original and edits.
    fn run_edited(
        old: &'a str,
        o: &'a Original,
        new: &Edited,
        subs: &'a [Substitution<'a>],
    ) -> bool {
        let mut chars = new.chars().peekable();
        let bom = chars.next_if_eq(&'\u{feff}').map_or(0, char::len_utf8);
        Check::run_on(
            old,
            o,
            chars,
            new.len() - bom,
            !new.ends_with(&['\n', '\r']),
            &|| {
                // The whole text when it has no line break: less its BOM,
                // as split_bom leaves it.
                let last = new.last_line();
                match last.strip_prefix('\u{feff}') {
                    Some(rest) if bom > 0 && new.len() - bom == rest.len() => {
                        Cow::Owned(rest.to_string())
                    }
                    _ => Cow::Owned(last),
                }
            },
            subs,
        )
    }

    /// The check on the characters of the new text less its BOM (`len`
    /// bytes), whether it ends without a line break (`eof_rule`), and
    /// `text`: the text, or at least its last line (for the end-of-file
    /// rule of [`super::parse`]).
    fn run_on<'n>(
        old: &'a str,
        o: &'a Original,
        chars: impl Iterator<Item = char>,
        len: usize,
        eof_rule: bool,
        text: &dyn Fn() -> Cow<'n, str>,
        subs: &'a [Substitution<'a>],
    ) -> bool {
        let Some(old_text) = old.get(o.bom..) else {
            return false;
        };
        let mut c = Check {
            bom: o.bom,
            by_pos: HashMap::with_capacity(subs.len()),
            changed_anchors: HashMap::new(),
            alias_subs: Vec::new(),
        };
        for s in subs {
            if c.by_pos.insert(s.scalar.span.start, s).is_some() {
                return false;
            }
        }
        // The end-of-file rule only applies to a text without a final line
        // break, and only to a block scalar.
        let mut olds = o.events.iter(old_text);
        let mut pending: Option<Pending<'a>> = None;
        let mut ok = true;
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            drive_chars(chars, len, |en, _| {
                let Some((eo, po)) = olds.next() else {
                    ok = false;
                    return ControlFlow::Break(());
                };
                let sub = c.take_sub(&eo, po);
                if matches!(en, Event::Scalar(..) | Event::Alias(_))
                    && let Some(p) = pending.take()
                    && !c.pair(p.old, p.sub, &p.new)
                {
                    ok = false;
                    return ControlFlow::Break(());
                }
                if eof_rule
                    && matches!(
                        en,
                        Event::Scalar(_, TScalarStyle::Literal | TScalarStyle::Folded, ..)
                    )
                {
                    pending = Some(Pending {
                        old: eo,
                        sub,
                        new: en,
                    });
                    return ControlFlow::Continue(());
                }
                if !c.pair(eo, sub, &en) {
                    ok = false;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            })
        }));
        if !matches!(parsed, Ok(Ok(()))) || !ok || olds.next().is_some() {
            return false;
        }
        if let Some(mut p) = pending {
            if let Event::Scalar(v, ..) = &mut p.new
                && eof_candidate(&text(), v).is_some()
            {
                v.pop();
            }
            if !c.pair(p.old, p.sub, &p.new) {
                return false;
            }
        }
        c.by_pos.is_empty()
            && c.alias_subs
                .iter()
                .all(|(id, s)| c.changed_anchors.get(id) == Some(&s.new_value))
    }

    /// The substitution for the old event `eo` at `po`, if any (removed).
    /// A substitution names its scalar by start offset, style and value: an
    /// empty scalar (null, empty block) starts where the next node does, so
    /// the offset alone is not enough.
    fn take_sub(&mut self, eo: &Ev, po: usize) -> Option<&'a Substitution<'a>> {
        let pos = po + self.bom;
        let s = self.by_pos.get(&pos)?;
        let fits = match eo {
            Ev::Scalar(v, st, ..) => s.scalar.style == style_of(*st) && s.scalar.value == *v,
            Ev::Alias(_) => s.scalar.style == Style::YamlAlias,
            _ => false,
        };
        if fits { self.by_pos.remove(&pos) } else { None }
    }

    /// Whether the new event `en` is the old `eo` with `sub` applied.
    fn pair(&mut self, eo: Ev, sub: Option<&'a Substitution<'a>>, en: &Event) -> bool {
        match (eo, en) {
            (Ev::Scalar(vo, so, ao, to), Event::Scalar(vn, sn, an, tn)) => {
                let expected = sub.map_or(vo, |s| s.new_value.as_str());
                if vn != expected || *an != ao || tn.as_ref() != to {
                    return false;
                }
                let requoted = sub.is_some()
                    && so == TScalarStyle::Plain
                    && matches!(sn, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted);
                if *sn != so && !requoted {
                    return false;
                }
                if sub.is_some() {
                    let still_string =
                        *sn != TScalarStyle::Plain || tn.is_some() || plain_is_string_core(vn);
                    if is_string(vo, so, to) && !still_string {
                        return false;
                    }
                    if ao != 0 && vo != vn {
                        self.changed_anchors.insert(ao, vn.clone());
                    }
                }
                true
            }
            (Ev::Alias(a), Event::Alias(b)) if a == *b => {
                if let Some(s) = sub {
                    self.alias_subs.push((a, s));
                }
                true
            }
            (a, b) => a.same(b),
        }
    }
}

/// Checks `new` against `old` event by event from full parses of both, and
/// explains the first difference.
fn detailed(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let o = parse(old).map_err(|e| format!("the original text does not parse: {e}"))?;
    compare_events(old, o.bom, &o.events, new, subs)
}

/// Checks `new` against the events of `old`.
fn compare_events(
    old: &str,
    bom: usize,
    events: &[(Event, usize)],
    new: &str,
    subs: &[Substitution],
) -> Result<(), String> {
    let n = parse(new).map_err(|e| format!("the edited text does not parse: {e}"))?;
    let lines = LineIndex::new(old);
    let at = |pos: usize| {
        let (l, c) = lines.line_col(pos + bom);
        format!("{l}:{c}")
    };
    let mut by_pos: HashMap<usize, &Substitution> = HashMap::new();
    for s in subs {
        if by_pos.insert(s.scalar.span.start, s).is_some() {
            return Err(format!(
                "two substitutions for the scalar at {}",
                at(s.scalar.span.start - bom.min(s.scalar.span.start))
            ));
        }
    }
    if events.len() != n.events.len() {
        return Err(format!(
            "the edited text has a different structure ({} parse events instead of {})",
            n.events.len(),
            events.len()
        ));
    }
    let mut changed_anchors: HashMap<usize, String> = HashMap::new();
    let mut alias_subs = Vec::new();
    for ((eo, po), (en, _)) in events.iter().zip(&n.events) {
        // A substitution names its scalar by start offset, style and value:
        // an empty scalar (null, empty block) starts where the next node
        // does, so the offset alone is not enough.
        let pos = po + bom;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Format;
    use crate::formats::yaml::Yaml;

    /// A substitution of the scalar (not an alias) reading `value` in
    /// `old`, or of the alias reading it with `alias` (the scalar is leaked:
    /// a few bytes per test, and the helper can hand out the borrow).
    fn sub(old: &str, value: &str, alias: bool, new_value: &str) -> Substitution<'static> {
        let scalar = Yaml
            .scalars(old)
            .unwrap()
            .into_iter()
            .find(|s| s.value == value && (s.style == Style::YamlAlias) == alias)
            .unwrap_or_else(|| panic!("{value} not in {old:?}"));
        Substitution {
            scalar: Box::leak(Box::new(scalar)),
            new_value: new_value.into(),
        }
    }

    /// The streaming check accepts exactly what the detailed comparison
    /// accepts.
    fn agree(old: &str, new: &str, subs: &[Substitution]) -> bool {
        let o = Original::parse(old).unwrap();
        let fast = Check::run(old, &o, new, subs);
        let slow = detailed(old, new, subs);
        assert_eq!(fast, slow.is_ok(), "{old:?} -> {new:?}: {slow:?}");
        assert_eq!(compare(old, &o, new, subs), slow, "the same message");
        fast
    }

    #[test]
    fn streaming_check_agrees_with_the_detailed_one() {
        let a = "a: pve-shop\nb: [x, 'y']\n";
        let s = || vec![sub(a, "pve-shop", false, "pve")];
        assert!(agree(a, a, &[]));
        assert!(agree(a, "a: pve\nb: [x, 'y']\n", &s()));
        assert!(!agree(a, "a: pve\nb: [x, 'y']\n", &[]), "no substitution");
        assert!(!agree(a, a, &s()), "substitution not made");
        assert!(!agree(a, "a: pve\nb: [x, y]\n", &s()), "style");
        assert!(!agree(a, "a: pve\nb: {x: y}\n", &s()), "structure");
        assert!(!agree(a, "a: pve\nb: [x, 'y']\nc: d\n", &s()), "more");
        assert!(!agree(a, "a: pve\nb: [x]\n", &s()), "fewer");
        assert!(!agree(a, "a: pve\nb: [x, 'y'\n", &s()), "no parse");
        assert!(!agree(
            a,
            "a: 12\nb: [x, 'y']\n",
            &[sub(a, "pve-shop", false, "12")]
        ));
        assert!(agree(
            a,
            "a: '12'\nb: [x, 'y']\n",
            &[sub(a, "pve-shop", false, "12")]
        ));
        let twice = [s(), s()].concat();
        assert!(!agree(a, "a: pve\nb: [x, 'y']\n", &twice), "two subs");
        assert!(!agree(a, "a: !!str pve\nb: [x, 'y']\n", &s()), "tag");

        let anchored = "a: &k pve-shop\nb: *k\n";
        let both = |to: &str| {
            vec![
                sub(anchored, "pve-shop", false, "pve"),
                sub(anchored, "pve-shop", true, to),
            ]
        };
        assert!(agree(anchored, "a: &k pve\nb: *k\n", &both("pve")));
        assert!(!agree(anchored, "a: &k pve\nb: *k\n", &both("other")));
        // Anchors are compared by id, not name.
        agree(anchored, "a: &j pve\nb: *j\n", &both("pve"));

        // The end-of-file rule: a last block scalar without a final line
        // break reads no line feed, in the old and the new text alike.
        for (old, new) in [
            ("a: |\n  foo", "a: |\n  bar"),
            ("a: >\n  foo\n", "a: >\n  bar\n"),
            ("- |\n  foo\n- x", "- |\n  bar\n- x"),
            ("- |\n  foo\n- |\n  x", "- |\n  bar\n- |\n  x"),
            ("\u{feff}a: [|\n  foo]", "\u{feff}a: [|\n  bar]"),
        ] {
            let value = Yaml.scalars(old).unwrap()[1].value.clone();
            let to = value.replace("foo", "bar");
            agree(old, new, &[sub(old, &value, false, &to)]);
            agree(old, new, &[]);
        }
        let no_eol = "a: |\n  foo";
        assert!(agree(
            no_eol,
            "a: |\n  bar",
            &[sub(no_eol, "foo", false, "bar")]
        ));
        assert!(!agree(
            no_eol,
            "a: |\n  bar\n",
            &[sub(no_eol, "foo", false, "bar")]
        ));
    }
}
