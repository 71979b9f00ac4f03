//! Evidence from one file outside the authority: which authority records
//! its records are tied to, and what that says about its unknown labels.
//!
//! For a record `R` holding a **candidate** `x` (a label that is neither a
//! canonical name nor a given alias) and a value `v` that identifies an
//! authority record `A` ([`Authority::ties`]):
//!
//! - the **targets** are the canonical names `A` holds that `R` does not
//!   (`R` may hold a name of `A` too: `{name: automation-stack, vmid: 202,
//!   location: pve-shop}` against `hosts.automation-stack: {proxmox_host:
//!   pve, vmid: 202}` leaves `pve`);
//! - it is a **record link** when `v` is a field of both records and both
//!   hold their labels themselves: they are the same thing, named
//!   differently; otherwise (`v` in a list, or labels inherited from an
//!   enclosing record, or — with text files — on one line) it is **shared
//!   context**;
//! - the item is *determinate* when `x` is the only candidate of `R` and
//!   there is one target: "`x` is `pve`".
//!
//! A link is **refuted** when the two records hold different values in a
//! key column of the same name (`tailscale_ip: 100.96.211.50` against the
//! authority's `tailscale_ip: 100.96.211.33`): one shared value is then a
//! coincidence, not an identity. Refuted links are counted, never used.

use std::collections::{HashMap, HashSet};

use super::authority::{Authority, Name};
use super::records::{Columns, FieldKey, FileRecords, Record};
use super::values::{Class, MAX_PLACES, Mention};

/// Strength of an evidence item, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Link,
    Context,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Link => "record_link",
            Kind::Context => "context",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Link => "record link",
            Kind::Context => "shared context",
        }
    }

    /// [`Kind::title`] for `n` items.
    pub fn counted(self, n: usize) -> String {
        match (self, n) {
            (Kind::Link, 1) => "1 record link".into(),
            (Kind::Link, n) => format!("{n} record links"),
            (Kind::Context, 1) => "1 shared context".into(),
            (Kind::Context, n) => format!("{n} shared contexts"),
        }
    }
}

/// A value at a place: what the evidence shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub path: String,
    pub line: usize,
    /// The key the value is under (`(key)` for a record's name).
    pub key: String,
    pub value: String,
}

/// One tie between a record holding a candidate and an authority record.
#[derive(Clone, Debug)]
pub struct Item {
    pub candidate: String,
    pub kind: Kind,
    /// Seen on a line of a text file (else in a record).
    pub line: bool,
    /// Canonical names the authority record holds and this one does not.
    pub targets: Vec<usize>,
    /// Other candidates of the same record: the item cannot tell which
    /// of them is which name.
    pub rivals: Vec<String>,
    /// The tying value where the candidate is.
    pub seen: Place,
    /// The same value in the authority.
    pub authority: Place,
    /// Index into [`Authority::records`].
    pub record: usize,
    /// How many values tie this pair of records (`vmid` and `name`).
    pub values: usize,
}

impl Item {
    /// "The candidate is this canonical name."
    pub fn determinate(&self) -> Option<usize> {
        match self.targets.as_slice() {
            [one] if self.rivals.is_empty() => Some(*one),
            _ => None,
        }
    }
}

/// A link that a differing key column refuted.
#[derive(Clone, Debug)]
pub struct Refuted {
    pub candidate: String,
    /// The shared value, where the candidate is.
    pub seen: Place,
    /// The authority record's key column that differs...
    pub authority: Place,
    /// ...and this record's value in that column.
    pub mine: String,
}

/// A label seen in a file: what it resolves to, how often, and where first.
#[derive(Clone, Debug)]
pub struct Seen {
    pub text: String,
    pub name: Option<Name>,
    pub count: usize,
    /// `(line, field)` of the first [`MAX_PLACES`] occurrences.
    pub places: Vec<(usize, String)>,
}

/// What one file contributes.
#[derive(Debug, Default)]
pub struct FileEvidence {
    /// Every label, in document order.
    pub labels: Vec<Seen>,
    pub items: Vec<Item>,
    /// Links that were refuted.
    pub refuted: Vec<Refuted>,
    pub mentions: Vec<Mention>,
}

/// The evidence of one file outside the authority.
pub fn file(auth: &Authority, path: &str, fr: FileRecords) -> FileEvidence {
    let mut out = FileEvidence {
        labels: seen(auth, &fr),
        ..FileEvidence::default()
    };
    // Only records holding an unknown label, or lines (whose unknown host
    // names are found in `record`), can give evidence.
    if out.labels.iter().any(|l| l.name.is_none()) || fr.records.iter().any(|r| r.text) {
        let repeated = fr.repeated_columns();
        for i in 0..fr.records.len() {
            record(auth, path, &fr, i, &repeated, &mut out);
        }
    }
    out.mentions = fr.mentions;
    out
}

/// The labels of a file, one entry per label (and case rule) in order of
/// first occurrence.
fn seen(auth: &Authority, fr: &FileRecords) -> Vec<Seen> {
    let mut out: Vec<Seen> = Vec::new();
    let mut index: [HashMap<&str, usize>; 2] = Default::default();
    for l in fr.all_labels() {
        let Some(index) = index.get_mut(usize::from(l.fold)) else {
            continue;
        };
        let at = *index.entry(l.text.as_str()).or_insert_with(|| {
            out.push(Seen {
                text: l.text.clone(),
                name: auth.resolve(&l.text, l.fold),
                count: 0,
                places: Vec::new(),
            });
            out.len() - 1
        });
        if let Some(s) = out.get_mut(at) {
            s.count += 1;
            if s.places.len() < MAX_PLACES {
                s.places.push((l.line, l.field.clone()));
            }
        }
    }
    // Places in line order (a record's labels come before its nested ones).
    for s in &mut out {
        s.places.sort();
    }
    out
}

/// The items of record `i`.
fn record(
    auth: &Authority,
    path: &str,
    fr: &FileRecords,
    i: usize,
    repeated: &Columns,
    out: &mut FileEvidence,
) {
    let Some(r) = fr.records.get(i) else { return };
    let (labels, own) = fr.labels_of(i);
    let mut candidates: Vec<&str> = Vec::new();
    let mut held: HashSet<usize> = HashSet::new();
    for l in labels {
        match auth.resolve(&l.text, l.fold) {
            Some(n) => {
                held.insert(n.canonical());
            }
            None if !candidates.contains(&l.text.as_str()) => candidates.push(&l.text),
            None => {}
        }
    }
    // A text line's labels: the names it says, and its host-like words
    // that tie to nothing themselves (those are values, like an IP).
    for w in r.words() {
        match auth.resolve(w, false) {
            Some(n) => {
                held.insert(n.canonical());
            }
            None if host_like(w) && auth.ties(w).is_empty() && !candidates.contains(&w) => {
                candidates.push(w)
            }
            None => {}
        }
    }
    if candidates.is_empty() {
        return;
    }
    let shape = r.shape();
    let repeated_here = repeated.of(&shape);
    // (candidate, authority record) → index into `out.items`.
    let mut pairs: HashMap<(usize, usize), usize> = HashMap::new();
    // The names the record holds in any field, looked up at the first tie.
    let mut held_fields = false;
    for f in &r.fields {
        if f.label || f.val.class == Class::Other || !f.val.distinctive() {
            continue;
        }
        if !f.nested && repeated_here.is_some_and(|keys| keys.contains(&f.key)) {
            continue;
        }
        let ties = auth.ties(&f.val.text);
        if !ties.is_empty() && !held_fields {
            held_fields = true;
            held.extend(
                r.fields
                    .iter()
                    .filter_map(|f| auth.resolve(&f.val.text, false))
                    .map(Name::canonical),
            );
        }
        for tie in ties {
            let Some(a) = auth.records.get(tie.record) else {
                continue;
            };
            let seen = Place {
                path: path.to_string(),
                line: f.val.line,
                key: f.key.shown().to_string(),
                value: f.val.text.clone(),
            };
            let there = Place {
                path: auth.files.get(a.file).cloned().unwrap_or_default(),
                line: tie.line,
                key: tie.key.clone(),
                value: f.val.text.clone(),
            };
            if let Some((key, value, mine)) = refutation(r, &a.columns, repeated_here) {
                let authority = Place {
                    line: a.line,
                    key,
                    value,
                    ..there
                };
                for c in &candidates {
                    out.refuted.push(Refuted {
                        candidate: c.to_string(),
                        seen: seen.clone(),
                        authority: authority.clone(),
                        mine: mine.clone(),
                    });
                }
                continue;
            }
            let targets: Vec<usize> = a
                .canonicals
                .iter()
                .copied()
                .filter(|c| !held.contains(c))
                .collect();
            let kind = if own && a.own && !f.nested && !tie.nested {
                Kind::Link
            } else {
                Kind::Context
            };
            for (ci, c) in candidates.iter().enumerate() {
                match pairs
                    .get(&(ci, tie.record))
                    .and_then(|&k| out.items.get_mut(k))
                {
                    Some(item) => {
                        item.values += 1;
                        if kind < item.kind {
                            item.kind = kind;
                            item.seen = seen.clone();
                            item.authority = there.clone();
                        }
                    }
                    None => {
                        pairs.insert((ci, tie.record), out.items.len());
                        out.items.push(Item {
                            candidate: c.to_string(),
                            kind,
                            line: r.text,
                            targets: targets.clone(),
                            rivals: candidates
                                .iter()
                                .filter(|o| *o != c)
                                .map(|o| o.to_string())
                                .collect(),
                            seen: seen.clone(),
                            authority: there.clone(),
                            record: tie.record,
                            values: 1,
                        });
                    }
                }
            }
        }
    }
}

/// Longest host name label (RFC 1123).
const MAX_HOST_CHARS: usize = 63;

/// Whether a word of a text line reads as a host name: lower-case letters,
/// digits and inner `-`, with a letter and a `-` or digit (`pve-shop`,
/// `nas01`; not `backups`, `02`, `Node`). Plain words are far more often
/// prose than hosts.
pub fn host_like(word: &str) -> bool {
    let chars = word.chars().count();
    (3..=MAX_HOST_CHARS).contains(&chars)
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !word.starts_with('-')
        && !word.ends_with('-')
        && word.chars().any(|c| c.is_ascii_lowercase())
        && word.chars().any(|c| c == '-' || c.is_ascii_digit())
}

/// The authority key column `(key, value)` that `r` contradicts, with
/// `r`'s own value there, if any: `r` has an identifier-shaped value under
/// a key of that name, in a column of its own file whose values are
/// distinct, and none of its values there is the authority's.
fn refutation(
    r: &Record,
    columns: &[(String, String)],
    repeated: Option<&HashSet<FieldKey>>,
) -> Option<(String, String, String)> {
    columns.iter().find_map(|(key, value)| {
        let key_of = FieldKey::Named(key.clone());
        if repeated.is_some_and(|keys| keys.contains(&key_of)) {
            return None;
        }
        let mine: Vec<&str> = r
            .fields
            .iter()
            .filter(|f| f.key == key_of && !f.label && !f.nested && f.val.distinctive())
            .map(|f| f.val.text.as_str())
            .collect();
        match mine.first() {
            Some(first) if !mine.contains(&value.as_str()) => {
                Some((key.clone(), value.clone(), first.to_string()))
            }
            _ => None,
        }
    })
}
