//! A compact, exact copy of a parsed event stream.
//!
//! yaml-rust2's [`Event`] is about 80 bytes plus an owned `String` per scalar:
//! a dense 27 MB file made 1.6 million of them, 470 MB kept from the scan for
//! its verify (issue 19). Here an event is a 12-byte record. A scalar's
//! value is not copied when the source holds it verbatim where the scalar
//! starts (plain scalars, quoted ones without escapes or folds, checked byte
//! for byte when stored): the record then keeps only its length. Other
//! values go to one shared arena; anchors and tags (rare) to a side list
//! read in event order. Reading it back gives every event as yaml-rust2
//! produced it, so the walk and the verify see the same data as before.

use yaml_rust2::parser::{Event, Tag};
use yaml_rust2::scanner::TScalarStyle;

/// The largest text kept in this form: positions, value lengths and arena
/// offsets are `u32`, and anchor ids stay below the text's length.
/// (A text this large would need several times its size in memory
/// anyway; larger YAML files are refused with a parse error.)
pub(crate) const MAX_TEXT: usize = 1 << 30;

/// An event of a [`Events`], borrowing its value, tag and the source text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Ev<'a> {
    Nothing,
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(usize),
    Scalar(&'a str, TScalarStyle, usize, Option<&'a Tag>),
    SequenceStart(usize, Option<&'a Tag>),
    SequenceEnd,
    MappingStart(usize, Option<&'a Tag>),
    MappingEnd,
}

impl Ev<'_> {
    /// Whether this is the same event as yaml-rust2's `e`.
    pub fn same(&self, e: &Event) -> bool {
        match (self, e) {
            (Ev::Nothing, Event::Nothing)
            | (Ev::StreamStart, Event::StreamStart)
            | (Ev::StreamEnd, Event::StreamEnd)
            | (Ev::DocumentStart, Event::DocumentStart)
            | (Ev::DocumentEnd, Event::DocumentEnd)
            | (Ev::SequenceEnd, Event::SequenceEnd)
            | (Ev::MappingEnd, Event::MappingEnd) => true,
            (Ev::Alias(a), Event::Alias(b)) => a == b,
            (Ev::Scalar(v, s, a, t), Event::Scalar(v2, s2, a2, t2)) => {
                v == v2 && s == s2 && a == a2 && *t == t2.as_ref()
            }
            (Ev::SequenceStart(a, t), Event::SequenceStart(a2, t2))
            | (Ev::MappingStart(a, t), Event::MappingStart(a2, t2)) => a == a2 && *t == t2.as_ref(),
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Nothing,
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias,
    Scalar,
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
}

/// The value is `text[at + offset .. at + offset + data]` (else: arena entry
/// `data`); the offset is this flag's low bit (1: after an opening quote).
const VERBATIM: u8 = 2;
/// The event has an entry in [`Events::extras`].
const EXTRA: u8 = 4;

/// One event: where it starts and its payload.
#[derive(Clone, Copy)]
struct Rec {
    /// Byte offset into the text without BOM.
    at: u32,
    /// Scalar: value length (verbatim) or arena index; alias: anchor id.
    data: u32,
    kind: Kind,
    style: u8,
    flags: u8,
}

/// The anchor and tag of an event that has either (in event order).
struct Extra {
    anchor: usize,
    tag: Option<Tag>,
}

/// A parsed stream, compactly (see the module docs).
#[derive(Default)]
pub(crate) struct Events {
    recs: Vec<Rec>,
    /// Values not found verbatim in the source, back to back.
    arena: String,
    /// End offset in `arena` of each arena value.
    ends: Vec<u32>,
    extras: Vec<Extra>,
}

fn style_code(s: TScalarStyle) -> u8 {
    match s {
        TScalarStyle::Plain => 0,
        TScalarStyle::SingleQuoted => 1,
        TScalarStyle::DoubleQuoted => 2,
        TScalarStyle::Literal => 3,
        TScalarStyle::Folded => 4,
    }
}

fn style_from(c: u8) -> TScalarStyle {
    match c {
        0 => TScalarStyle::Plain,
        1 => TScalarStyle::SingleQuoted,
        2 => TScalarStyle::DoubleQuoted,
        3 => TScalarStyle::Literal,
        _ => TScalarStyle::Folded,
    }
}

/// A number that [`MAX_TEXT`] keeps below `u32::MAX`.
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Events {
    /// Room for about `n` events.
    pub fn with_capacity(n: usize) -> Events {
        Events {
            recs: Vec::with_capacity(n),
            ..Events::default()
        }
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// Appends `ev`, which starts at byte `at` of `text` (the text without
    /// BOM, at most [`MAX_TEXT`] bytes).
    pub fn push(&mut self, text: &str, ev: Event, at: usize) {
        let mut rec = Rec {
            at: small(at),
            data: 0,
            kind: Kind::Nothing,
            style: 0,
            flags: 0,
        };
        let mut extra = |anchor: usize, tag: Option<Tag>, rec: &mut Rec| {
            if anchor != 0 || tag.is_some() {
                rec.flags |= EXTRA;
                self.extras.push(Extra { anchor, tag });
            }
        };
        rec.kind = match ev {
            Event::Nothing => Kind::Nothing,
            Event::StreamStart => Kind::StreamStart,
            Event::StreamEnd => Kind::StreamEnd,
            Event::DocumentStart => Kind::DocumentStart,
            Event::DocumentEnd => Kind::DocumentEnd,
            Event::SequenceEnd => Kind::SequenceEnd,
            Event::MappingEnd => Kind::MappingEnd,
            Event::Alias(id) => {
                rec.data = small(id);
                Kind::Alias
            }
            Event::SequenceStart(anchor, tag) => {
                extra(anchor, tag, &mut rec);
                Kind::SequenceStart
            }
            Event::MappingStart(anchor, tag) => {
                extra(anchor, tag, &mut rec);
                Kind::MappingStart
            }
            Event::Scalar(value, style, anchor, tag) => {
                extra(anchor, tag, &mut rec);
                rec.style = style_code(style);
                let verbatim = (0..2)
                    .find(|&q| text.get(at + q..at + q + value.len()) == Some(value.as_str()));
                match verbatim {
                    Some(q) => {
                        rec.flags |= VERBATIM | q as u8;
                        rec.data = small(value.len());
                    }
                    None => {
                        rec.data = small(self.ends.len());
                        self.arena.push_str(&value);
                        self.ends.push(small(self.arena.len()));
                    }
                }
                Kind::Scalar
            }
        };
        self.recs.push(rec);
    }

    /// Gives back spare capacity once the stream is complete.
    pub fn shrink(&mut self) {
        self.recs.shrink_to_fit();
        self.arena.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.extras.shrink_to_fit();
    }

    /// The events in order, with their offsets; `text` is the text they were
    /// pushed with.
    pub fn iter<'a>(&'a self, text: &'a str) -> Iter<'a> {
        Iter {
            events: self,
            text,
            next: 0,
            extra: 0,
        }
    }

    /// Drops the last byte (a line feed) of the value of the scalar at
    /// `index` (see [`super::parse`]'s end-of-file rule).
    pub fn pop_line_feed(&mut self, index: usize) {
        let Some(rec) = self.recs.get_mut(index) else {
            return;
        };
        if rec.flags & VERBATIM != 0 {
            rec.data = rec.data.saturating_sub(1);
        } else if (rec.data as usize) + 1 == self.ends.len() {
            // Arena values are stored in event order: a later node's value
            // would come after it, and this is the last node.
            self.arena.pop();
            if let Some(end) = self.ends.last_mut() {
                *end = small(self.arena.len());
            }
        }
    }
}

/// Reads an [`Events`] back in order.
pub(crate) struct Iter<'a> {
    events: &'a Events,
    text: &'a str,
    next: usize,
    extra: usize,
}

impl<'a> Iter<'a> {
    fn extra(&mut self, rec: &Rec) -> (usize, Option<&'a Tag>) {
        if rec.flags & EXTRA == 0 {
            return (0, None);
        }
        let e = self.events.extras.get(self.extra);
        self.extra += 1;
        e.map_or((0, None), |e| (e.anchor, e.tag.as_ref()))
    }

    fn value(&self, rec: &Rec) -> &'a str {
        if rec.flags & VERBATIM != 0 {
            let start = rec.at as usize + usize::from(rec.flags & 1);
            return self
                .text
                .get(start..start + rec.data as usize)
                .unwrap_or_default();
        }
        let i = rec.data as usize;
        let end = self.events.ends.get(i).map_or(0, |&e| e as usize);
        let start = i
            .checked_sub(1)
            .and_then(|p| self.events.ends.get(p))
            .map_or(0, |&e| e as usize);
        self.events.arena.get(start..end).unwrap_or_default()
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Ev<'a>, usize);

    fn next(&mut self) -> Option<(Ev<'a>, usize)> {
        let rec = *self.events.recs.get(self.next)?;
        self.next += 1;
        let ev = match rec.kind {
            Kind::Nothing => Ev::Nothing,
            Kind::StreamStart => Ev::StreamStart,
            Kind::StreamEnd => Ev::StreamEnd,
            Kind::DocumentStart => Ev::DocumentStart,
            Kind::DocumentEnd => Ev::DocumentEnd,
            Kind::SequenceEnd => Ev::SequenceEnd,
            Kind::MappingEnd => Ev::MappingEnd,
            Kind::Alias => Ev::Alias(rec.data as usize),
            Kind::SequenceStart => {
                let (a, t) = self.extra(&rec);
                Ev::SequenceStart(a, t)
            }
            Kind::MappingStart => {
                let (a, t) = self.extra(&rec);
                Ev::MappingStart(a, t)
            }
            Kind::Scalar => {
                let (a, t) = self.extra(&rec);
                Ev::Scalar(self.value(&rec), style_from(rec.style), a, t)
            }
        };
        Some((ev, rec.at as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::parser::Parser;

    /// Every event reads back as yaml-rust2 produced it.
    #[test]
    fn round_trip() {
        let text = "%TAG !e! tag:e.com,2000:\n---\na: &x plain\n'b': \"q\\tx\"\nc: |\n  block\nd: *x\ne: !e!t [1, !!str 2, {f: ''}]\n? [g]\n: h\n...\n--- 'é'\n";
        let mut p = Parser::new_from_str(text);
        let mut all = Vec::new();
        let mut ev = Events::default();
        loop {
            let (e, m) = p.next_token().unwrap();
            // Offsets only matter for verbatim values: the index is close.
            let at = text
                .char_indices()
                .nth(m.index())
                .map_or(text.len(), |(i, _)| i);
            let end = matches!(e, Event::StreamEnd);
            all.push((e.clone(), at));
            ev.push(text, e, at);
            if end {
                break;
            }
        }
        let back: Vec<_> = ev.iter(text).collect();
        assert_eq!(back.len(), all.len());
        for ((b, bat), (a, aat)) in back.iter().zip(&all) {
            assert!(b.same(a), "{b:?} != {a:?}");
            assert_eq!(bat, aat);
        }
        assert_eq!(ev.extras.len(), 3, "one anchor and two tags kept aside");
        assert!(!ev.arena.is_empty(), "escaped and block values kept");
    }
}
