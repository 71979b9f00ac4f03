//! The source of truth: its canonical names, and the values that single out
//! one of its records.
//!
//! **Canonical names** are the labels of the authority files (SPEC §12),
//! after the rule file's own `[[canonical]]` entries, which are kept. A
//! label there that the rules call an alias stays an alias (the rules win)
//! and is noted: the authority is then not aligned. A line of an authority
//! text file defines no name: it holds the names it mentions, which ties
//! the identifiers on it to them (shared context).
//!
//! **Identifying values.** A value ties a record elsewhere to an authority
//! record only when it names that record and nothing else. A value `v` is
//! identifying when all of these hold:
//!
//! 1. it is shaped like an identifier ([`Val::distinctive`]: `200`,
//!    `100.96.211.33`, `docker-host`; not `active`, `12`, `true`), and it is
//!    neither a label nor a canonical name or alias (those are what is being
//!    compared, not what compares);
//! 2. within each authority file it occurs in one record at most;
//! 3. every column it occurs in is a **key column**: a column is a key of
//!    records of one shape (`vms[*]` × `id`), and it is one when within each
//!    file no two records share a value in it, when a value repeated across
//!    files belongs to records with the same canonical names (the same VM
//!    in `vm.lifecycle.yaml` and `vm.lifecycle.derived.yaml`), and when it
//!    holds at least two distinct values (a single record proves nothing:
//!    its `status: active` would look unique) — three for numbers (two
//!    ports that differ are no key). A column of network addresses (IP,
//!    MAC) needs one value, and a column of numbers under a key that names
//!    an identifier (`vmid`, `id`) two: SPEC §12's "the same vmid,
//!    hostname or IP" holds for a small authority (one machine, two VMs).
//!    The words of text lines form no columns (prose repeats its words):
//!    rules 1 and 2 alone decide.
//!
//! Each authority record keeps its key-column fields ([`ARecord::columns`]):
//! they are shown in the report and they refute links (a record elsewhere
//! with another value in the same column is another thing).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::records::{FieldKey, FileRecords};
use super::values::{Class, Label};
use crate::rules::RuleSet;

/// Distinct values a column needs to count as a key column: one record
/// proves nothing (its `status: active` looks unique).
const MIN_VALUES: usize = 2;
/// The same for a column of numbers: two numbers that differ say little
/// (ports `22` and `8006`); VM ids come in larger collections.
const MIN_NUMERIC_VALUES: usize = 3;

/// Last words of keys that name an identifier (`vmid`, `node_id`,
/// `CTID` → `ctid`): a column of numbers under such a key is a key column
/// with two distinct values (ports need three).
const IDENTIFIER_WORDS: &[&str] = &["id", "vmid", "ctid", "uuid", "guid"];

/// Whether a column's key names an identifier: its last word (split at
/// non-alphanumerics, ASCII case folded) is one of [`IDENTIFIER_WORDS`].
fn identifier_key(key: &FieldKey) -> bool {
    let FieldKey::Named(k) = key else {
        return false;
    };
    let lower = k.to_ascii_lowercase();
    lower
        .rsplit(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .is_some_and(|w| IDENTIFIER_WORDS.contains(&w))
}

/// Whether a value is a network address: an IPv4 or IPv6 address or a MAC
/// address. Such a value names one machine even in a column of one record.
fn is_address(v: &str) -> bool {
    if v.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let parts: Vec<&str> = v.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// What a label resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    Canonical(usize),
    /// An alias the rules already give, of this canonical.
    Alias(usize),
}

impl Name {
    /// The canonical this name stands for.
    pub fn canonical(self) -> usize {
        match self {
            Name::Canonical(c) | Name::Alias(c) => c,
        }
    }
}

/// A canonical name.
#[derive(Clone, Debug)]
pub struct Canonical {
    pub name: String,
    pub description: Option<String>,
    /// Listed in the rule file (else found in the authority only).
    pub given: bool,
    /// The aliases the rule file gives it, in order.
    pub aliases: Vec<String>,
    /// Where the authority uses it.
    pub uses: Vec<Use>,
}

/// One place an authority file uses a canonical name.
#[derive(Clone, Debug)]
pub struct Use {
    /// Index into [`Authority::files`].
    pub file: usize,
    pub line: usize,
    pub field: String,
    /// Index into [`Authority::records`], when in a record.
    pub record: Option<usize>,
}

/// A given alias found in a governed field of an authority file.
#[derive(Clone, Debug)]
pub struct Held {
    pub file: usize,
    pub line: usize,
    pub field: String,
    pub alias: String,
    pub canonical: usize,
}

/// An authority record that holds canonical names (its own or inherited).
#[derive(Clone, Debug)]
pub struct ARecord {
    pub file: usize,
    /// Selector path of the mapping.
    pub path: String,
    pub line: usize,
    /// Indexes into [`Authority::canonicals`], without repeats.
    pub canonicals: Vec<usize>,
    /// The labels are the record's own (not an enclosing record's).
    pub own: bool,
    /// Key-column fields: `(key, value)`, in record order.
    pub columns: Vec<(String, String)>,
}

/// Where an identifying value is in the authority.
#[derive(Clone, Debug)]
pub struct Tie {
    /// Index into [`Authority::records`].
    pub record: usize,
    /// The key it is under, as shown.
    pub key: String,
    pub line: usize,
    /// In a list under the key (context, not the record's own field).
    pub nested: bool,
}

/// A column: records of one shape × one key.
type Column = (String, FieldKey);

/// One place of a value in the authority, while the index is built.
struct At {
    file: usize,
    /// The record's number among all authority records.
    gid: usize,
    column: Column,
    /// Set when the record holds canonical names.
    tie: Option<Tie>,
}

/// The source of truth, as discover uses it.
#[derive(Debug, Default)]
pub struct Authority {
    pub canonicals: Vec<Canonical>,
    /// Paths of the authority files, in walk order.
    pub files: Vec<String>,
    pub records: Vec<ARecord>,
    pub held: Vec<Held>,
    exact: HashMap<String, Name>,
    folded: HashMap<String, Name>,
    index: HashMap<String, Vec<Tie>>,
}

impl Authority {
    /// The canonical names and aliases of the rule file, before any
    /// authority file is read.
    pub fn from_rules(rules: &RuleSet) -> Authority {
        let mut a = Authority::default();
        for (i, c) in rules.canonicals.iter().enumerate() {
            a.canonicals.push(Canonical {
                name: c.name.clone(),
                description: c.description.clone(),
                given: true,
                aliases: c.aliases.clone(),
                uses: Vec::new(),
            });
            a.remember(&c.name, Name::Canonical(i));
            for alias in &c.aliases {
                a.remember(alias, Name::Alias(i));
            }
        }
        a
    }

    fn remember(&mut self, text: &str, name: Name) {
        self.exact.entry(text.to_string()).or_insert(name);
        self.folded.entry(text.to_ascii_lowercase()).or_insert(name);
    }

    /// What a label means: a canonical name, a given alias, or nothing
    /// known (a candidate). `fold`: compared with ASCII case folded.
    pub fn resolve(&self, text: &str, fold: bool) -> Option<Name> {
        self.exact.get(text).copied().or_else(|| {
            fold.then(|| self.folded.get(&text.to_ascii_lowercase()).copied())
                .flatten()
        })
    }

    /// Whether `text` is a canonical name or alias in any case: never a
    /// value that links records.
    fn is_name(&self, text: &str) -> bool {
        self.exact.contains_key(text) || self.folded.contains_key(&text.to_ascii_lowercase())
    }

    /// Where an identifying value is; empty for any other value.
    pub fn ties(&self, value: &str) -> &[Tie] {
        self.index.get(value).map_or(&[], Vec::as_slice)
    }

    /// Adds the authority files (in walk order) and builds the index.
    pub fn add_files(&mut self, files: Vec<(String, FileRecords)>) {
        let base = self.files.len();
        // Names first: every label of every authority file is canonical.
        for (path, fr) in &files {
            self.files.push(path.clone());
            for label in fr.all_labels() {
                self.name_of(label);
            }
        }
        // Records holding canonical names, and every record's global id.
        let mut ids: Vec<Vec<Option<usize>>> = Vec::with_capacity(files.len());
        let mut canon_of: Vec<Vec<usize>> = Vec::new();
        for (fi, (_, fr)) in files.iter().enumerate() {
            let mut local = Vec::with_capacity(fr.records.len());
            for (ri, r) in fr.records.iter().enumerate() {
                let (labels, own) = fr.labels_of(ri);
                let mut canon: Vec<usize> = Vec::new();
                // A text line defines no name; it holds the names it says.
                let names = labels
                    .iter()
                    .map(|l| (l.text.as_str(), l.fold))
                    .chain(r.words().map(|w| (w, false)));
                for (text, fold) in names {
                    if let Some(n) = self.resolve(text, fold) {
                        let c = n.canonical();
                        if !canon.contains(&c) {
                            canon.push(c);
                        }
                    }
                }
                canon_of.push(canon.clone());
                if canon.is_empty() {
                    local.push(None);
                    continue;
                }
                let id = self.records.len();
                self.records.push(ARecord {
                    file: base + fi,
                    path: r.shown_path(),
                    line: r.line,
                    canonicals: canon,
                    own,
                    columns: Vec::new(),
                });
                local.push(Some(id));
                if own {
                    for l in &r.labels {
                        self.add_use(base + fi, l, Some(id));
                    }
                }
                if r.text {
                    for c in canon_of.last().cloned().unwrap_or_default() {
                        if let Some(canonical) = self.canonicals.get_mut(c) {
                            canonical.uses.push(Use {
                                file: base + fi,
                                line: r.line,
                                field: "(text)".into(),
                                record: Some(id),
                            });
                        }
                    }
                }
            }
            for l in &fr.loose {
                self.add_use(base + fi, l, None);
            }
            ids.push(local);
        }
        self.index_values(&files, &ids, &canon_of);
    }

    /// Registers a label's name (a new canonical when unknown).
    fn name_of(&mut self, label: &Label) -> Name {
        if let Some(n) = self.resolve(&label.text, label.fold) {
            return n;
        }
        let i = self.canonicals.len();
        self.canonicals.push(Canonical {
            name: label.text.clone(),
            description: None,
            given: false,
            aliases: Vec::new(),
            uses: Vec::new(),
        });
        self.remember(&label.text, Name::Canonical(i));
        Name::Canonical(i)
    }

    fn add_use(&mut self, file: usize, label: &Label, record: Option<usize>) {
        match self.resolve(&label.text, label.fold) {
            Some(Name::Canonical(c)) => {
                if let Some(canon) = self.canonicals.get_mut(c) {
                    canon.uses.push(Use {
                        file,
                        line: label.line,
                        field: label.field.clone(),
                        record,
                    });
                }
            }
            Some(Name::Alias(c)) => self.held.push(Held {
                file,
                line: label.line,
                field: label.field.clone(),
                alias: label.text.clone(),
                canonical: c,
            }),
            None => {}
        }
    }

    /// Steps 1–3 of the module docs: key columns, then identifying values.
    fn index_values(
        &mut self,
        files: &[(String, FileRecords)],
        ids: &[Vec<Option<usize>>],
        canon_of: &[Vec<usize>],
    ) {
        // Every record of every authority file gets a number (`gid`), also
        // those without names: they count for the columns' distinctness.
        let mut columns: HashMap<Column, HashMap<String, Vec<(usize, usize)>>> = HashMap::new();
        // Every place of each identifier-shaped value.
        let mut places: HashMap<String, Vec<At>> = HashMap::new();
        let mut gid = 0;
        for (fi, (_, fr)) in files.iter().enumerate() {
            for (ri, r) in fr.records.iter().enumerate() {
                let shape = r.shape();
                let arecord = ids.get(fi).and_then(|l| l.get(ri)).copied().flatten();
                for f in r
                    .fields
                    .iter()
                    .filter(|f| !f.label && f.val.class != Class::Other)
                {
                    let column = (shape.clone(), f.key.clone());
                    let holders = columns
                        .entry(column.clone())
                        .or_default()
                        .entry(f.val.text.clone())
                        .or_default();
                    if !holders.contains(&(fi, gid)) {
                        holders.push((fi, gid));
                    }
                    if f.val.distinctive() && !self.is_name(&f.val.text) {
                        let tie = arecord.map(|record| Tie {
                            record,
                            key: f.key.shown().to_string(),
                            line: f.val.line,
                            nested: f.nested,
                        });
                        places.entry(f.val.text.clone()).or_default().push(At {
                            file: fi,
                            gid,
                            column,
                            tie,
                        });
                    }
                }
                gid += 1;
            }
        }
        let empty = Vec::new();
        let key_columns: HashSet<Column> = columns
            .into_iter()
            .filter(|((_, key), values)| {
                // Prose repeats its words from line to line: a word of a
                // text line is judged by itself (one line per file, below).
                if *key == FieldKey::Word {
                    return true;
                }
                let numeric = values
                    .keys()
                    .all(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '-'));
                // SPEC §12: "the same vmid, hostname or IP". A network
                // address names one machine by itself, and a column of
                // VM ids is a key with two: a small authority (one
                // machine, two VMs) still identifies its records.
                let needed = if values.keys().all(|v| is_address(v)) {
                    1
                } else if numeric && identifier_key(key) {
                    MIN_VALUES
                } else if numeric {
                    MIN_NUMERIC_VALUES
                } else {
                    MIN_VALUES
                };
                values.len() >= needed
                    && values.values().all(|holders| {
                        let mut per_file: HashMap<usize, usize> = HashMap::new();
                        let mut sets: BTreeSet<&Vec<usize>> = BTreeSet::new();
                        holders.iter().all(|&(fi, g)| {
                            let names = canon_of.get(g).unwrap_or(&empty);
                            if !names.is_empty() {
                                sets.insert(names);
                            }
                            *per_file.entry(fi).or_insert(g) == g
                        }) && sets.len() <= 1
                    })
            })
            .map(|(c, _)| c)
            .collect();
        for (value, at) in places {
            let mut per_file: HashMap<usize, usize> = HashMap::new();
            let identifying = at.iter().all(|a| {
                key_columns.contains(&a.column) && *per_file.entry(a.file).or_insert(a.gid) == a.gid
            });
            if !identifying {
                continue;
            }
            let ties: Vec<Tie> = at.into_iter().filter_map(|a| a.tie).collect();
            if !ties.is_empty() {
                self.index.insert(value, ties);
            }
        }
        // Each named record's key-column fields, for the report and for
        // refuting links.
        for (fi, (_, fr)) in files.iter().enumerate() {
            for (ri, r) in fr.records.iter().enumerate() {
                let Some(id) = ids.get(fi).and_then(|l| l.get(ri)).copied().flatten() else {
                    continue;
                };
                let shape = r.shape();
                let cols: Vec<(String, String)> = r
                    .fields
                    .iter()
                    .filter(|f| !f.label && !f.nested && f.val.distinctive())
                    .filter(|f| key_columns.contains(&(shape.clone(), f.key.clone())))
                    .map(|f| (f.key.shown().to_string(), f.val.text.clone()))
                    .collect();
                if let Some(a) = self.records.get_mut(id) {
                    a.columns = cols;
                }
            }
        }
    }

    /// The canonical names used in authority file `file`, in order of first
    /// use.
    pub fn used_in(&self, file: usize) -> Vec<usize> {
        let mut firsts: Vec<(usize, usize)> = self
            .canonicals
            .iter()
            .enumerate()
            .filter_map(|(c, canon)| {
                canon
                    .uses
                    .iter()
                    .filter(|u| u.file == file)
                    .map(|u| u.line)
                    .min()
                    .map(|line| (line, c))
            })
            .collect();
        firsts.sort_unstable();
        firsts.into_iter().map(|(_, c)| c).collect()
    }
}
