//! Records: the mappings of a file (YAML mappings, JSON objects, TOML
//! tables), each with its fields and labels — the unit the example report's
//! author compared ("VM 200 runs on `pve` in the spine and on `pve-shop` in
//! the workbench").
//!
//! A record is rebuilt from scalar paths alone, so every format engine
//! serves as it is:
//!
//! - a value at `P.k` is the **field** `k` of the record at `P`;
//! - a value at `P.k[i]…` (a list of scalars) is a **nested** value of the
//!   record at `P` under `k`: it shares the record's context but is not one
//!   of its own identifying fields;
//! - a key at `P.k` governed by `keys_of` is a **label** of the record at
//!   `P.k` that it names (`hosts: {pve-home: {address: …}}`); when it names a
//!   scalar (`hosts: {pve-home: 100.103.99.62}`) that scalar is the record's
//!   only field;
//! - any other key at `P.k` below the top level is the record's **name**
//!   field (`vms: {docker-host: {vmid: 200}}`); top-level keys are section
//!   names, not identities.
//!
//! A record with no label of its own takes the labels of its nearest
//! ancestor that has some (`{host: pve-home, jobs: [{vmid: 100}]}`: the job
//! runs on `pve-home`): it *inherits* them.
//!
//! A line of a text file (SPEC §10) is a record too: it has no keys, its
//! words (runs of letters, digits and `._:-`, so that IPs, MACs and host
//! names stay whole) are nested values, so it only ever gives shared
//! context, and its labels are the words that turn out to be names.

use std::collections::{HashMap, HashSet};

use super::values::{Item, Label, Mention, Read, Val};
use crate::formats::{DocPath, ScalarKind, Seg, path_to_string};

/// Which field of a record a value is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldKey {
    /// Under this key of the mapping.
    Named(String),
    /// The key naming the record in its parent mapping.
    Name,
    /// The scalar a governed key names (`hosts: {pve: 100.96.211.33}`).
    Value,
    /// A word of a line of a text file.
    Word,
}

impl FieldKey {
    /// How the field is shown: its key, `(key)` or `(value)`.
    pub fn shown(&self) -> &str {
        match self {
            FieldKey::Named(k) => k,
            FieldKey::Name => "(key)",
            FieldKey::Value => "(value)",
            FieldKey::Word => "(text)",
        }
    }
}

/// One value of a record.
#[derive(Clone, Debug)]
pub struct Field {
    pub key: FieldKey,
    pub val: Val,
    /// In a list under the key rather than the key's own value.
    pub nested: bool,
    /// The value is a label (governed): never an identifying value.
    pub label: bool,
}

/// A mapping and what it holds.
#[derive(Clone, Debug)]
pub struct Record {
    pub document: usize,
    pub path: DocPath,
    /// Line of the first scalar seen in it.
    pub line: usize,
    pub fields: Vec<Field>,
    /// Its own labels, in document order (a TOML key written in several
    /// headers is one label per place, as `scan` reports it).
    pub labels: Vec<Label>,
    /// Index of the nearest ancestor record with labels, when this record
    /// has none of its own.
    pub inherits: Option<usize>,
    /// A line of a text file: no keys, its words are its (nested) fields,
    /// and its labels are found among them once names are known
    /// ([`Record::words`]).
    pub text: bool,
}

impl Record {
    /// The record's place with every index made `[*]` and its own key made
    /// `*`: records of one shape are one collection (`vms[*]`, `hosts.*`),
    /// whose keys are the collection's columns.
    pub fn shape(&self) -> String {
        let last = self.path.len().saturating_sub(1);
        let mut out = String::new();
        for (i, seg) in self.path.iter().enumerate() {
            match seg {
                Seg::Index(_) => out.push_str("[*]"),
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    if i == last {
                        out.push('*');
                    } else {
                        out.push_str(&path_to_string(&[Seg::Key(k.clone())]));
                    }
                }
            }
        }
        out
    }

    /// For a text line: the words that may be host labels: runs of
    /// `[A-Za-z0-9_-]` (the characters a token match may not touch) of the
    /// line's words, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter(|f| self.text && f.key == FieldKey::Word)
            .flat_map(|f| {
                f.val
                    .text
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .filter(|w| !w.is_empty())
            })
    }

    /// The record's path in selector syntax (`.` for a document root).
    pub fn shown_path(&self) -> String {
        match path_to_string(&self.path) {
            p if p.is_empty() => ".".to_string(),
            p => p,
        }
    }
}

/// The records of one file, its labels that belong to no record (a label
/// at the document root or in a top-level list), and its token mentions.
#[derive(Debug, Default)]
pub struct FileRecords {
    pub records: Vec<Record>,
    pub loose: Vec<Label>,
    pub mentions: Vec<Mention>,
}

impl FileRecords {
    /// The labels that apply to record `i` and whether they are its own.
    pub fn labels_of(&self, i: usize) -> (&[Label], bool) {
        let Some(r) = self.records.get(i) else {
            return (&[], true);
        };
        match r.inherits.and_then(|a| self.records.get(a)) {
            Some(a) if r.labels.is_empty() => (&a.labels, false),
            _ => (&r.labels, true),
        }
    }

    /// Every label of the file once: records' own labels and loose ones.
    pub fn all_labels(&self) -> impl Iterator<Item = &Label> {
        self.records
            .iter()
            .flat_map(|r| r.labels.iter())
            .chain(&self.loose)
    }

    /// The columns of this file whose values are not all distinct: a
    /// value that two records of one shape share under one key (`status:
    /// active`, `port: 8006`) tells those records apart from nothing.
    pub fn repeated_columns(&self) -> Columns {
        let mut shape_ids: HashMap<String, usize> = HashMap::new();
        let shapes: Vec<usize> = self
            .records
            .iter()
            .map(|r| {
                let next = shape_ids.len();
                *shape_ids.entry(r.shape()).or_insert(next)
            })
            .collect();
        let mut owner: HashMap<(usize, &FieldKey, &str), usize> = HashMap::new();
        let mut repeated: HashSet<(usize, &FieldKey)> = HashSet::new();
        for (i, (r, &shape)) in self.records.iter().zip(&shapes).enumerate() {
            for f in r.fields.iter().filter(|f| !f.label) {
                let j = *owner
                    .entry((shape, &f.key, f.val.text.as_str()))
                    .or_insert(i);
                if j != i {
                    repeated.insert((shape, &f.key));
                }
            }
        }
        let mut by_shape: HashMap<String, HashSet<FieldKey>> = HashMap::new();
        for (shape, id) in shape_ids {
            let keys: HashSet<FieldKey> = repeated
                .iter()
                .filter(|(s, _)| *s == id)
                .map(|(_, k)| (*k).clone())
                .collect();
            if !keys.is_empty() {
                by_shape.insert(shape, keys);
            }
        }
        Columns { repeated: by_shape }
    }
}

/// The repeated columns of one file ([`FileRecords::repeated_columns`]).
#[derive(Debug, Default)]
pub struct Columns {
    repeated: HashMap<String, HashSet<FieldKey>>,
}

impl Columns {
    /// The repeated keys of records of `shape` (see [`Record::shape`]).
    pub fn of(&self, shape: &str) -> Option<&HashSet<FieldKey>> {
        self.repeated.get(shape)
    }

    /// Whether the column `shape` × `key` holds a value twice.
    pub fn is_repeated(&self, shape: &str, key: &FieldKey) -> bool {
        self.of(shape).is_some_and(|keys| keys.contains(key))
    }

    pub fn is_empty(&self) -> bool {
        self.repeated.is_empty()
    }
}

/// Groups the scalars of a file into records.
pub fn build(read: Read) -> FileRecords {
    let mut b = Builder::default();
    for item in read.items {
        b.item(item);
    }
    b.finish(read.mentions)
}

#[derive(Default)]
struct Builder {
    records: Vec<Record>,
    /// The document being read; the maps below are about it alone.
    document: usize,
    by_path: HashMap<DocPath, usize>,
    /// The record the last value went to: consecutive values nearly always
    /// share it, and comparing a path is cheaper than hashing it.
    last: Option<usize>,
    /// Ungoverned keys, by the path of what they name, until that turns
    /// out to be a scalar (dropped) or a record (its name field). Only the
    /// keys of the containers being read are pending: a handful.
    names: Vec<(DocPath, Val)>,
    /// The record a governed key just created: when the next scalar is
    /// that key's value, it is the record's `(value)` field.
    keyed: Option<usize>,
    loose: Vec<Label>,
}

impl Builder {
    fn record(&mut self, path: &[Seg], line: usize) -> usize {
        if let Some(i) = self.last
            && self.records.get(i).is_some_and(|r| r.path == path)
        {
            return i;
        }
        if let Some(&i) = self.by_path.get(path) {
            self.last = Some(i);
            return i;
        }
        let mut fields = Vec::new();
        if let Some(name) = self.take_name(path) {
            fields.push(Field {
                key: FieldKey::Name,
                val: name,
                nested: false,
                label: false,
            });
        }
        let i = self.records.len();
        self.records.push(Record {
            document: self.document,
            path: path.to_vec(),
            line,
            fields,
            labels: Vec::new(),
            inherits: None,
            text: false,
        });
        self.by_path.insert(path.to_vec(), i);
        self.last = Some(i);
        i
    }

    /// The pending name key of what is at `path`, if any.
    fn take_name(&mut self, path: &[Seg]) -> Option<Val> {
        let at = self.names.iter().rposition(|(p, _)| p == path)?;
        Some(self.names.swap_remove(at).1)
    }

    fn add_label(&mut self, i: usize, label: Label) {
        if let Some(r) = self.records.get_mut(i)
            && !r
                .labels
                .iter()
                .any(|l| l.text == label.text && l.line == label.line)
        {
            r.labels.push(label);
        }
    }

    fn item(&mut self, item: Item) {
        let keyed = self.keyed.take();
        if item.document != self.document {
            self.document = item.document;
            self.by_path.clear();
            self.names.clear();
            self.last = None;
        }
        match item.kind {
            ScalarKind::Key => {
                let Some((Seg::Key(_), parent)) = item.path.split_last() else {
                    return;
                };
                if let Some(label) = item.label {
                    let i = self.record(&item.path, item.val.line);
                    self.keyed = Some(i);
                    self.add_label(i, label);
                } else if !parent.is_empty() && !self.by_path.contains_key(&item.path) {
                    // Keys of finished containers are no longer pending.
                    self.names.retain(|(p, _)| item.path.starts_with(p));
                    self.names.push((item.path, item.val));
                }
            }
            ScalarKind::Value => self.value(item, keyed),
            ScalarKind::Text => self.line(item),
            // Comments are never governed.
            ScalarKind::Comment => {}
        }
    }

    /// A text line: a record of its own, at index `[line]`.
    fn line(&mut self, item: Item) {
        let line = item.val.line;
        let fields = item
            .val
            .text
            .split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
            .map(|w| w.trim_matches(|c: char| matches!(c, '.' | ':' | '-' | '_')))
            .filter(|w| !w.is_empty())
            .map(|w| Field {
                key: FieldKey::Word,
                val: Val {
                    text: w.to_string(),
                    class: super::values::Class::Str,
                    line,
                },
                nested: true,
                label: false,
            })
            .collect();
        self.records.push(Record {
            document: item.document,
            path: vec![Seg::Index(line)],
            line,
            fields,
            labels: Vec::new(),
            inherits: None,
            text: true,
        });
    }

    fn value(&mut self, item: Item, keyed: Option<usize>) {
        let depth = item
            .path
            .iter()
            .rposition(|s| matches!(s, Seg::Key(_)))
            .map_or(0, |p| p + 1);
        let nested = depth < item.path.len();
        let own_path = item.path.get(..depth).unwrap_or_default();
        let Some((Seg::Key(k), owner)) = own_path.split_last() else {
            // A scalar at the root or in a top-level list.
            self.loose.extend(item.label);
            return;
        };
        // A key naming a scalar or a list names no record.
        if !self.names.is_empty() {
            let _ = self.take_name(own_path);
        }
        let owner_i = self.record(owner, item.val.line);
        let is_label = item.label.is_some();
        // `hosts: {pve: 100.96.211.33}`: the value of a governed key is the
        // field of the record that key names.
        if !nested
            && let Some(r) = keyed.and_then(|k| self.records.get_mut(k))
            && r.path == own_path
        {
            r.fields.push(Field {
                key: FieldKey::Value,
                val: item.val.clone(),
                nested: false,
                label: is_label,
            });
        }
        let key = FieldKey::Named(k.clone());
        if let Some(label) = item.label {
            self.add_label(owner_i, label);
        }
        if let Some(r) = self.records.get_mut(owner_i) {
            r.fields.push(Field {
                key,
                val: item.val,
                nested,
                label: is_label,
            });
        }
    }

    fn finish(mut self, mentions: Vec<Mention>) -> FileRecords {
        let labelled: HashMap<(usize, DocPath), usize> = self
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.labels.is_empty())
            .map(|(i, r)| ((r.document, r.path.clone()), i))
            .collect();
        if !labelled.is_empty() {
            for r in self.records.iter_mut().filter(|r| r.labels.is_empty()) {
                r.inherits = (0..r.path.len()).rev().find_map(|n| {
                    labelled
                        .get(&(r.document, r.path.get(..n)?.to_vec()))
                        .copied()
                });
            }
        }
        FileRecords {
            records: self.records,
            loose: self.loose,
            mentions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::FileType;
    use crate::rules::RuleSet;

    fn records(rules: &str, path: &str, file_type: FileType, text: &str) -> FileRecords {
        let rules = RuleSet::from_toml_str(rules, std::path::Path::new("r.toml")).unwrap();
        build(
            super::super::values::read(&rules, path, file_type, text)
                .unwrap()
                .unwrap(),
        )
    }

    fn fields(r: &Record) -> Vec<String> {
        r.fields
            .iter()
            .map(|f| {
                format!(
                    "{}{}={}",
                    f.key.shown(),
                    if f.nested { "[]" } else { "" },
                    f.val.text
                )
            })
            .collect()
    }

    #[test]
    fn mappings_become_records_with_fields_and_labels() {
        let fr = records(
            "[[field]]\nselect = [\"location\"]\n",
            "c.yaml",
            FileType::Yaml,
            "containers:\n  - name: docker-host\n    vmid: 200\n    location: pve-shop\n    tags: [a, b]\n",
        );
        let r = fr
            .records
            .iter()
            .find(|r| r.shape() == "containers[*]")
            .unwrap();
        assert_eq!(
            fields(r),
            [
                "name=docker-host",
                "vmid=200",
                "location=pve-shop",
                "tags[]=a",
                "tags[]=b"
            ]
        );
        assert_eq!(r.labels.len(), 1);
        assert_eq!(r.labels[0].field, "containers[0].location");
    }

    #[test]
    fn governed_keys_label_the_record_they_name() {
        let fr = records(
            "[[field]]\nselect = [\"x\"]\nkeys_of = [\"hosts\"]\n",
            "c.toml",
            FileType::Toml,
            "[hosts.pve-home]\naddress = \"100.103.99.62\"\n\n[hosts.pve]\naddress = \"100.96.211.33\"\n",
        );
        let r = fr.records.iter().find(|r| r.labels.len() == 1).unwrap();
        assert_eq!(r.labels[0].text, "pve-home");
        assert_eq!(r.shape(), "hosts.*");
        assert_eq!(fields(r), ["address=100.103.99.62"]);
        assert!(fr.repeated_columns().is_empty());
        // A governed key naming a scalar: that scalar is its record's field.
        let fr = records(
            "[[field]]\nselect = [\"x\"]\nkeys_of = [\"hosts\"]\n",
            "c.yaml",
            FileType::Yaml,
            "hosts:\n  pve: 100.96.211.33\n",
        );
        let r = fr.records.iter().find(|r| !r.labels.is_empty()).unwrap();
        assert_eq!(fields(r), ["(value)=100.96.211.33"]);
    }

    #[test]
    fn unlabelled_records_inherit_and_names_are_fields() {
        let fr = records(
            "[[field]]\nselect = [\"host\"]\n",
            "b.json",
            FileType::Json,
            r#"{"backups": [{"host": "pve-home", "jobs": {"nightly-100": {"vmid": 100}}}]}"#,
        );
        let job = fr
            .records
            .iter()
            .position(|r| r.shape() == "backups[*].jobs.*")
            .unwrap();
        let (labels, own) = fr.labels_of(job);
        assert!(!own);
        assert_eq!(labels[0].text, "pve-home");
        assert_eq!(fields(&fr.records[job]), ["(key)=nightly-100", "vmid=100"]);
    }

    #[test]
    fn shared_values_make_a_column_repeated() {
        let fr = records(
            "[[field]]\nselect = [\"host\"]\n",
            "m.json",
            FileType::Json,
            r#"{"s": [{"host": "a", "port": 8006, "ip": "10.0.0.1"}, {"host": "b", "port": 8006, "ip": "10.0.0.2"}]}"#,
        );
        let repeated = fr.repeated_columns();
        assert!(repeated.is_repeated("s[*]", &FieldKey::Named("port".into())));
        assert!(!repeated.is_repeated("s[*]", &FieldKey::Named("ip".into())));
    }
}
