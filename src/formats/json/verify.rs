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

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::formats::{ScalarKind, Substitution, path_to_string};

use super::reader;

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
