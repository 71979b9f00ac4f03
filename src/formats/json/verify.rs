//! Independent verification with serde_json.
//!
//! serde_json parses the old and the new text into an ordered *event stream*
//! (not a map), so key order and duplicate keys take part in the comparison
//! and cannot crash or be silently merged. The string events of the old text
//! must line up one to one with what our own reader found (a cross-check of
//! the reader); the expected new stream is the old one with exactly the
//! planned substitutions applied, and the new text must give exactly that.
//!
//! serde_json recurses, bounded by its default limit of 128 levels: a deeper
//! text fails verification with a clear message instead of risking the stack.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::formats::{ScalarKind, Substitution, path_to_string};

use super::reader::{self, Tok, TokKind};

/// One step of a JSON document as serde_json reports it.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    /// Compared by bit pattern: the number text is never edited, so the same
    /// text gives the same bits.
    F64(u64),
    Str(String),
    Key(String),
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
}

impl Event {
    fn string(&self) -> Option<(ScalarKind, &str)> {
        match self {
            Event::Str(s) => Some((ScalarKind::Value, s)),
            Event::Key(s) => Some((ScalarKind::Key, s)),
            _ => None,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Null => write!(f, "null"),
            Event::Bool(b) => write!(f, "{b}"),
            Event::U64(n) => write!(f, "{n}"),
            Event::I64(n) => write!(f, "{n}"),
            Event::F64(bits) => write!(f, "{}", f64::from_bits(*bits)),
            Event::Str(s) => write!(f, "string {s:?}"),
            Event::Key(s) => write!(f, "key {s:?}"),
            Event::SeqStart => write!(f, "'['"),
            Event::SeqEnd => write!(f, "']'"),
            Event::MapStart => write!(f, "'{{'"),
            Event::MapEnd => write!(f, "'}}'"),
        }
    }
}

/// Parses `text` (a leading BOM is skipped) with serde_json into events.
pub fn events(text: &str) -> Result<Vec<Event>, String> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(body);
    Record(&mut out)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| {
            if e.to_string().contains("recursion limit") {
                "nesting deeper than 128 levels cannot be verified (serde_json's limit)".to_string()
            } else {
                e.to_string()
            }
        })?;
    Ok(out)
}

/// Checks that `new` holds exactly the data of `old` with `subs` applied.
pub fn verify(old: &str, new: &str, subs: &[Substitution]) -> Result<(), String> {
    let scalars =
        reader::read_light(old).map_err(|e| format!("the original text does not parse: {e}"))?;
    let old_events =
        events(old).map_err(|e| format!("serde_json rejects the original text: {e}"))?;
    let mut expected = old_events;
    // Index of each string event, in document order: the reader's scalars
    // follow the same order.
    let string_slots: Vec<usize> = expected
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.string().map(|_| i))
        .collect();
    if string_slots.len() != scalars.len() {
        return Err(format!(
            "the reader found {} strings but serde_json found {}",
            scalars.len(),
            string_slots.len()
        ));
    }
    for (slot, scalar) in string_slots.iter().zip(&scalars) {
        let seen = expected.get(*slot).and_then(Event::string);
        if seen != Some((scalar.kind, scalar.value.as_str())) {
            return Err(format!(
                "the reader and serde_json disagree on the string at byte {}",
                scalar.span.start
            ));
        }
    }
    for sub in subs {
        // The reader's strings are in document order: a binary search keeps
        // 200,000 substitutions in one file linear-logarithmic, not quadratic.
        let found = scalars.binary_search_by_key(&sub.scalar.span.start, |s| s.span.start);
        let Some(i) = found
            .ok()
            .filter(|&i| scalars.get(i).is_some_and(|s| s.span == sub.scalar.span))
        else {
            return Err(format!(
                "no string at bytes {}..{} of the original text",
                sub.scalar.span.start, sub.scalar.span.end
            ));
        };
        let (Some(scalar), Some(&slot)) = (scalars.get(i), string_slots.get(i)) else {
            return Err("internal error: string index out of range".to_string());
        };
        if scalar.kind != sub.scalar.kind || scalar.value != sub.scalar.value {
            return Err(format!(
                "the substitution for {} does not match the original text",
                path_to_string(&sub.scalar.path)
            ));
        }
        let replacement = match scalar.kind {
            ScalarKind::Key => Event::Key(sub.new_value.clone()),
            // The reader returns values and keys only.
            ScalarKind::Value | ScalarKind::Comment | ScalarKind::Text => {
                Event::Str(sub.new_value.clone())
            }
        };
        if let Some(e) = expected.get_mut(slot) {
            *e = replacement;
        }
    }
    if old.starts_with('\u{feff}') != new.starts_with('\u{feff}') {
        return Err("the byte order mark was added or removed".to_string());
    }
    let got = events(new).map_err(|e| format!("the edited text is not valid JSON: {e}"))?;
    compare(&expected, &got)
}

fn compare(expected: &[Event], got: &[Event]) -> Result<(), String> {
    for (n, (e, g)) in expected.iter().zip(got).enumerate() {
        if e != g {
            return Err(format!(
                "the edited data differs at event {}: expected {e}, found {g}",
                n + 1
            ));
        }
    }
    if expected.len() != got.len() {
        return Err(format!(
            "the edited data has {} events, expected {}",
            got.len(),
            expected.len()
        ));
    }
    Ok(())
}

/// Appends the events of one JSON value to the vector.
struct Record<'a>(&'a mut Vec<Event>);

impl<'de> DeserializeSeed<'de> for Record<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.push(Event::Null);
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.push(Event::Bool(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0.push(Event::U64(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.push(Event::I64(v));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.0.push(Event::F64(v.to_bits()));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push(Event::Str(v.to_string()));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push(Event::SeqStart);
        while seq.next_element_seed(Record(&mut *self.0))?.is_some() {}
        self.0.push(Event::SeqEnd);
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.push(Event::MapStart);
        while let Some(key) = map.next_key::<String>()? {
            self.0.push(Event::Key(key));
            map.next_value_seed(Record(&mut *self.0))?;
        }
        self.0.push(Event::MapEnd);
        Ok(())
    }
}

/// [`verify`] against the original's [`reader::Tape`] from the scan: the
/// original is not read again (it was read once, by the scan), only the new
/// text is parsed, by serde_json, and its events are compared one by one,
/// as they come, with the tape's with exactly `subs` applied. Every
/// unedited part of the new text is thus read by serde_json and must agree
/// with what our reader found in the original, which is the cross-check
/// [`verify`] makes on the original itself. On a failure the caller runs
/// [`verify`] for its exact message.
pub fn verify_tape(
    old: &str,
    tape: &[Tok],
    new: &str,
    subs: &[Substitution],
) -> Result<(), String> {
    // The planned new value of each substituted string, by token index.
    let mut planned: Vec<(usize, &str)> = Vec::with_capacity(subs.len());
    for sub in subs {
        let span = &sub.scalar.span;
        let i = tape
            .binary_search_by_key(&span.start, |t| t.start as usize)
            .ok()
            .filter(|&i| {
                tape.get(i).is_some_and(|t| {
                    matches!(t.kind, TokKind::Str | TokKind::Key) && t.end as usize == span.end
                })
            })
            .ok_or_else(|| {
                format!(
                    "no string at bytes {}..{} of the original text",
                    span.start, span.end
                )
            })?;
        let kind_ok = match tape.get(i).map(|t| t.kind) {
            Some(TokKind::Key) => sub.scalar.kind == ScalarKind::Key,
            _ => sub.scalar.kind == ScalarKind::Value,
        };
        let same = tape
            .get(i)
            .and_then(|t| old_string(old, t))
            .is_some_and(|v| v == sub.scalar.value);
        if !kind_ok || !same {
            return Err(format!(
                "the substitution for {} does not match the original text",
                path_to_string(&sub.scalar.path)
            ));
        }
        planned.push((i, &sub.new_value));
    }
    // As in `verify`, a later substitution of the same string wins.
    planned.sort_by_key(|&(i, _)| i);
    planned.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            earlier.1 = later.1;
        }
        same
    });
    if old.starts_with('\u{feff}') != new.starts_with('\u{feff}') {
        return Err("the byte order mark was added or removed".to_string());
    }
    let body = new.strip_prefix('\u{feff}').unwrap_or(new);
    let mut cmp = Compare {
        old,
        tape,
        planned: &planned,
        next_plan: 0,
        seen: 0,
        failure: None,
    };
    let mut de = serde_json::Deserializer::from_str(body);
    let parsed = Check(&mut cmp).deserialize(&mut de).and_then(|()| de.end());
    if let Some(failure) = cmp.failure.take() {
        return Err(failure);
    }
    parsed.map_err(|e| format!("the edited text is not valid JSON: {e}"))?;
    if cmp.seen != tape.len() {
        return Err(format!(
            "the edited data has {} events, expected {}",
            cmp.seen,
            tape.len()
        ));
    }
    Ok(())
}

/// The decoded value of the string token `t` of the original: its bytes
/// between the quotes when they hold no escape (the reader admits no raw
/// control character), else lexed again.
fn old_string<'a>(old: &'a str, t: &Tok) -> Option<Cow<'a, str>> {
    let (start, end) = (t.start as usize, t.end as usize);
    let inner = old.get(start + 1..end.checked_sub(1)?)?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    reader::lex_string_at(old, start)
        .ok()
        .map(|l| Cow::Owned(l.value))
}

/// One event of the new text, as serde_json reports it (borrowed).
enum Got<'x> {
    Null,
    Bool(bool),
    Num(Event),
    Str(&'x str),
    Key(&'x str),
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
}

/// The comparison state: the tape, the planned values, how far it got.
struct Compare<'a> {
    old: &'a str,
    tape: &'a [Tok],
    planned: &'a [(usize, &'a str)],
    next_plan: usize,
    /// Events of the new text seen so far.
    seen: usize,
    failure: Option<String>,
}

impl Compare<'_> {
    /// Compares the next event of the new text with the expected one;
    /// `false` (and the reason kept) when they differ.
    fn check(&mut self, got: Got<'_>) -> bool {
        let n = self.seen;
        self.seen += 1;
        // Past the tape's end: only counted, for the message.
        let Some(tok) = self.tape.get(n) else {
            return true;
        };
        let same = match (tok.kind, &got) {
            (TokKind::Null, Got::Null) => true,
            (TokKind::True, Got::Bool(b)) => *b,
            (TokKind::False, Got::Bool(b)) => !*b,
            (TokKind::SeqStart, Got::SeqStart)
            | (TokKind::SeqEnd, Got::SeqEnd)
            | (TokKind::MapStart, Got::MapStart)
            | (TokKind::MapEnd, Got::MapEnd) => true,
            (TokKind::Num, Got::Num(g)) => self.old_number(tok).as_ref() == Some(g),
            (TokKind::Str, Got::Str(g)) | (TokKind::Key, Got::Key(g)) => {
                self.expected_string(n, tok).is_some_and(|e| e == *g)
            }
            _ => false,
        };
        if !same {
            self.failure = Some(format!("the edited data differs at event {}", n + 1));
        }
        same
    }

    /// The string expected at token `n`: its planned new value, or the
    /// original's.
    fn expected_string(&mut self, n: usize, tok: &Tok) -> Option<Cow<'_, str>> {
        while self
            .planned
            .get(self.next_plan)
            .is_some_and(|&(i, _)| i < n)
        {
            self.next_plan += 1;
        }
        match self.planned.get(self.next_plan) {
            Some(&(i, new)) if i == n => Some(Cow::Borrowed(new)),
            _ => old_string(self.old, tok),
        }
    }

    /// The original's number at `tok`, read by serde_json as the new
    /// text's numbers are.
    fn old_number(&self, tok: &Tok) -> Option<Event> {
        let text = self.old.get(tok.start as usize..tok.end as usize)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let event = de.deserialize_any(Number).ok()?;
        de.end().ok()?;
        Some(event)
    }
}

/// Reads one number as an [`Event`], as [`Record`] does.
struct Number;

impl Visitor<'_> for Number {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_u64<E>(self, v: u64) -> Result<Event, E> {
        Ok(Event::U64(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Event, E> {
        Ok(Event::I64(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Event, E> {
        Ok(Event::F64(v.to_bits()))
    }
}

/// Compares the events of one JSON value of the new text as they come.
struct Check<'c, 'a>(&'c mut Compare<'a>);

impl Check<'_, '_> {
    fn check<E: serde::de::Error>(&mut self, got: Got<'_>) -> Result<(), E> {
        if self.0.check(got) {
            Ok(())
        } else {
            Err(E::custom("the edited data differs"))
        }
    }
}

impl<'de> DeserializeSeed<'de> for Check<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.check(Got::Null)
    }

    fn visit_bool<E: serde::de::Error>(mut self, v: bool) -> Result<(), E> {
        self.check(Got::Bool(v))
    }

    fn visit_u64<E: serde::de::Error>(mut self, v: u64) -> Result<(), E> {
        self.check(Got::Num(Event::U64(v)))
    }

    fn visit_i64<E: serde::de::Error>(mut self, v: i64) -> Result<(), E> {
        self.check(Got::Num(Event::I64(v)))
    }

    fn visit_f64<E: serde::de::Error>(mut self, v: f64) -> Result<(), E> {
        self.check(Got::Num(Event::F64(v.to_bits())))
    }

    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> Result<(), E> {
        self.check(Got::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.check(Got::SeqStart)?;
        while seq.next_element_seed(Check(&mut *self.0))?.is_some() {}
        self.check(Got::SeqEnd)
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.check(Got::MapStart)?;
        while map.next_key_seed(KeyCheck(&mut *self.0))?.is_some() {
            map.next_value_seed(Check(&mut *self.0))?;
        }
        self.check(Got::MapEnd)
    }
}

/// Compares one key of the new text.
struct KeyCheck<'c, 'a>(&'c mut Compare<'a>);

impl<'de> DeserializeSeed<'de> for KeyCheck<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyCheck<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if self.0.check(Got::Key(v)) {
            Ok(())
        } else {
            Err(E::custom("the edited data differs"))
        }
    }
}
