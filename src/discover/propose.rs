//! The proposal rule, and the result every output renders.
//!
//! Evidence of every file is merged per candidate, then each candidate is
//! decided (precision first: a missed alias is listed as unresolved, a wrong
//! one is a bug):
//!
//! - **proposed** as an alias of `c` when the determinate items (record
//!   links and shared context that say "this is `c`") all name `c`, and no
//!   other item of a record holding only this candidate rules `c` out (a
//!   linked record whose remaining names do not include `c`); when all of
//!   them are lines of text, at least [`MIN_LINES`] of them;
//! - otherwise **unresolved**, with the reason: conflicting evidence,
//!   ambiguous evidence (a linked record could mean several names, or holds
//!   several unknown labels), links refuted, name likeness only, or
//!   nothing at all.
//!
//! Name likeness ([`Likeness`]) never proposes and never vetoes: it ranks
//! the unresolved list and explains.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::authority::{Authority, Name};
use super::evidence::{FileEvidence, Item, Kind, Refuted};
use super::values::Mention;
use crate::rules::{Role, RuleSet};

/// Lines of text that must agree before text alone proposes: prose puts
/// unrelated hosts side by side more readily than a record does.
pub const MIN_LINES: usize = 2;

/// Evidence items and places kept per name (the counts are always
/// complete): enough to review, bounded on any tree.
pub const MAX_KEPT: usize = 25;

/// One place a name occurs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spot {
    pub path: String,
    pub line: usize,
    /// Selector path of the scalar.
    pub field: String,
    pub role: Role,
    /// A word of a `match = "token"` field (else a whole label).
    pub token: bool,
}

/// Where a name occurs: what `scan` reports once it is an alias.
#[derive(Clone, Debug, Default)]
pub struct Occurrences {
    pub total: usize,
    pub by_role: BTreeMap<Role, usize>,
    pub files: BTreeSet<String>,
    /// The first [`MAX_KEPT`] places, in walk order.
    pub spots: Vec<Spot>,
}

impl Occurrences {
    fn add(&mut self, spot: Spot) {
        self.total += 1;
        *self.by_role.entry(spot.role).or_default() += 1;
        if !self.files.contains(&spot.path) {
            self.files.insert(spot.path.clone());
        }
        if self.spots.len() < MAX_KEPT {
            self.spots.push(spot);
        }
    }

    /// `count` occurrences in one file, the first of them at `places`.
    fn add_file(
        &mut self,
        path: &str,
        role: Role,
        count: usize,
        places: Vec<(usize, String)>,
        token: bool,
    ) {
        self.total += count;
        *self.by_role.entry(role).or_default() += count;
        if !self.files.contains(path) {
            self.files.insert(path.to_string());
        }
        let room = MAX_KEPT.saturating_sub(self.spots.len());
        self.spots
            .extend(places.into_iter().take(room).map(|(line, field)| Spot {
                path: path.to_string(),
                line,
                field,
                role,
                token,
            }));
    }

    fn merge(&mut self, other: &Occurrences) {
        self.total += other.total;
        for (role, n) in &other.by_role {
            *self.by_role.entry(*role).or_default() += n;
        }
        self.files.extend(other.files.iter().cloned());
        for s in &other.spots {
            if self.spots.len() < MAX_KEPT {
                self.spots.push(s.clone());
            }
        }
        self.spots
            .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    }

    /// Occurrences in files of `role`.
    pub fn in_role(&self, role: Role) -> usize {
        self.by_role.get(&role).copied().unwrap_or(0)
    }
}

/// Everything seen that ties a candidate to the authority.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub links: usize,
    pub contexts: usize,
    /// Of the determinate items, those from lines of text files, per
    /// canonical name they name.
    pub pointing_lines: BTreeMap<usize, usize>,
    /// The first [`MAX_KEPT`] items, record links first.
    pub items: Vec<Item>,
    /// Determinate items per canonical they name.
    pub pointing: BTreeMap<usize, usize>,
    /// Items of records holding only this candidate, per set of canonical
    /// names they leave open (non-empty).
    pub open: BTreeMap<Vec<usize>, usize>,
    /// Items of records that hold other unknown labels too, and those.
    pub shared: usize,
    pub rivals: BTreeSet<String>,
    /// Items whose linked record's names the record holds already.
    pub covered: usize,
    pub refuted: usize,
    /// The first [`MAX_KEPT`] refuted links.
    pub refutations: Vec<Refuted>,
    /// Per canonical name, the authority files (indexes) its evidence
    /// goes through.
    pub cited: BTreeMap<usize, BTreeSet<usize>>,
}

impl Evidence {
    fn add(&mut self, item: Item, auth: &Authority) {
        match item.kind {
            Kind::Link => self.links += 1,
            Kind::Context => self.contexts += 1,
        }
        if let Some(c) = item.determinate() {
            *self.pointing.entry(c).or_default() += 1;
            if item.line {
                *self.pointing_lines.entry(c).or_default() += 1;
            }
        }
        if !item.rivals.is_empty() {
            self.shared += 1;
            self.rivals.extend(item.rivals.iter().cloned());
        } else if item.targets.is_empty() {
            self.covered += 1;
        } else {
            *self.open.entry(item.targets.clone()).or_default() += 1;
        }
        if let Some(file) = auth.records.get(item.record).map(|r| r.file) {
            for &c in &item.targets {
                self.cited.entry(c).or_default().insert(file);
            }
        }
        if self.items.len() < MAX_KEPT {
            self.items.push(item);
        } else if item.kind == Kind::Link
            && let Some(pos) = self.items.iter().rposition(|i| i.kind == Kind::Context)
        {
            self.items.remove(pos);
            self.items.push(item);
        }
        self.items.sort_by_key(|i| i.kind);
    }

    /// Whether anything at all ties the candidate to the authority.
    pub fn is_empty(&self) -> bool {
        self.links + self.contexts + self.refuted == 0
    }
}

/// How a candidate's name resembles a canonical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Likeness {
    /// Holds the canonical name as a run of whole words (`pve-shop`, `pve`).
    Contains(usize),
    /// Shares a word that no other canonical name has (`pve-home`,
    /// `proxmox-home`: `home`).
    Shares(usize, String),
}

impl Likeness {
    pub fn canonical(&self) -> usize {
        match self {
            Likeness::Contains(c) | Likeness::Shares(c, _) => *c,
        }
    }

    /// `contains \`pve\`` / `shares \`home\` with \`proxmox-home\``.
    pub fn describe(&self, auth: &Authority) -> String {
        let name = |c: usize| auth.canonicals.get(c).map_or("", |x| x.name.as_str());
        match self {
            Likeness::Contains(c) => format!("contains `{}`", name(*c)),
            Likeness::Shares(c, word) => format!("shares `{word}` with `{}`", name(*c)),
        }
    }
}

/// A name outside the canonical list, with what was seen of it.
#[derive(Clone, Debug, Default)]
pub struct NameReport {
    pub name: String,
    pub occurrences: Occurrences,
    pub evidence: Evidence,
    pub likeness: Vec<Likeness>,
}

/// Where an alias comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The rule file lists it (kept as it is).
    Given,
    /// Proposed by discover from its evidence.
    Proposed,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Given => "given",
            Source::Proposed => "proposed",
        }
    }
}

/// An alias of a canonical name.
#[derive(Clone, Debug)]
pub struct Alias {
    pub report: NameReport,
    pub source: Source,
}

/// A canonical name, its own occurrences outside the authority, and its
/// aliases.
#[derive(Clone, Debug)]
pub struct CanonicalReport {
    /// Index into [`Authority::canonicals`].
    pub index: usize,
    pub seen: Occurrences,
    pub aliases: Vec<Alias>,
}

/// A candidate left to a human.
#[derive(Clone, Debug)]
pub struct Unresolved {
    pub report: NameReport,
    pub reason: String,
}

/// How the equivalents of a canonical name compare with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// Only the canonical name itself is seen.
    Aligned,
    /// The canonical name and aliases.
    Partial,
    /// Only aliases.
    Drift,
    /// Nothing outside the authority.
    Unseen,
}

impl Match {
    pub fn name(self) -> &'static str {
        match self {
            Match::Aligned => "aligned",
            Match::Partial => "partial drift",
            Match::Drift => "drift",
            Match::Unseen => "not seen",
        }
    }
}

/// One row of the cross-reference: an authority file and a canonical name
/// it uses, with the names found for it per role.
#[derive(Clone, Debug)]
pub struct CrossRow {
    /// Index into [`Authority::files`].
    pub file: usize,
    pub canonical: usize,
    /// Read-only and editable files: the canonical name first, then its
    /// aliases whose evidence goes through this file (given aliases always).
    pub equivalents: BTreeMap<Role, Vec<String>>,
    pub verdict: Match,
}

/// Everything discover found: what every output renders.
#[derive(Debug, Default)]
pub struct Discovery {
    pub authority: Authority,
    /// The rule file's canonical names in its order, then the authority's,
    /// most used first.
    pub canonicals: Vec<CanonicalReport>,
    /// Candidates with evidence first, then by likeness and occurrences.
    pub unresolved: Vec<Unresolved>,
    pub cross: Vec<CrossRow>,
    /// Files parsed (authority included).
    pub files_read: usize,
}

impl Discovery {
    pub fn proposed(&self) -> impl Iterator<Item = (&CanonicalReport, &Alias)> {
        self.canonicals.iter().flat_map(|c| {
            c.aliases
                .iter()
                .filter(|a| a.source == Source::Proposed)
                .map(move |a| (c, a))
        })
    }

    pub fn name_of(&self, canonical: usize) -> &str {
        self.authority
            .canonicals
            .get(canonical)
            .map_or("", |c| c.name.as_str())
    }
}

/// Collects the files' contributions in walk order, then decides.
pub struct Merger {
    auth: Authority,
    candidates: HashMap<String, NameReport>,
    /// Candidates in order of first occurrence.
    order: Vec<String>,
    /// Outside occurrences of each canonical name.
    canonical_seen: Vec<Occurrences>,
    /// Occurrences of each given alias.
    alias_seen: HashMap<String, Occurrences>,
    mentions: HashMap<String, Occurrences>,
    /// Mentions in `ignore_case` fields, by their lower-cased word.
    folded_mentions: HashMap<String, Occurrences>,
    files_read: usize,
}

impl Merger {
    pub fn new(auth: Authority) -> Merger {
        let n = auth.canonicals.len();
        let mut alias_seen = HashMap::new();
        for h in &auth.held {
            alias_seen
                .entry(h.alias.clone())
                .or_insert_with(Occurrences::default)
                .add(Spot {
                    path: auth.files.get(h.file).cloned().unwrap_or_default(),
                    line: h.line,
                    field: h.field.clone(),
                    role: Role::Authority,
                    token: false,
                });
        }
        Merger {
            auth,
            candidates: HashMap::new(),
            order: Vec::new(),
            canonical_seen: vec![Occurrences::default(); n],
            alias_seen,
            mentions: HashMap::new(),
            folded_mentions: HashMap::new(),
            files_read: 0,
        }
    }

    /// The authority the evidence is computed against.
    pub fn authority(&self) -> &Authority {
        &self.auth
    }

    /// Counts a parsed file.
    pub fn count_file(&mut self) {
        self.files_read += 1;
    }

    /// The words of token fields of one file.
    pub fn add_mentions(&mut self, path: &str, role: Role, mentions: Vec<Mention>) {
        for m in mentions {
            let (map, key) = if m.fold {
                (&mut self.folded_mentions, m.token.to_ascii_lowercase())
            } else {
                (&mut self.mentions, m.token)
            };
            let o = match map.get_mut(&key) {
                Some(o) => o,
                None => map.entry(key).or_default(),
            };
            o.add_file(path, role, m.count, m.places, true);
        }
    }

    /// What one file outside the authority showed.
    pub fn add(&mut self, path: &str, role: Role, fe: FileEvidence) {
        for l in fe.labels {
            let o = match l.name {
                Some(Name::Canonical(c)) => self.canonical_seen.get_mut(c),
                Some(Name::Alias(_)) => Some(self.alias_seen.entry(l.text).or_default()),
                None => self.candidate(&l.text).map(|c| &mut c.occurrences),
            };
            if let Some(o) = o {
                o.add_file(path, role, l.count, l.places, false);
            }
        }
        for item in fe.items {
            // A host-like word of a text line is a candidate only when its
            // line ties it to the authority: it is first met here.
            if !self.candidates.contains_key(&item.candidate) {
                let _ = self.candidate(&item.candidate);
            }
            let auth = &self.auth;
            if let Some(r) = self.candidates.get_mut(&item.candidate) {
                r.evidence.add(item, auth);
            }
        }
        for refuted in fe.refuted {
            if let Some(r) = self.candidates.get_mut(&refuted.candidate) {
                r.evidence.refuted += 1;
                if r.evidence.refutations.len() < MAX_KEPT {
                    r.evidence.refutations.push(refuted);
                }
            }
        }
        self.add_mentions(path, role, fe.mentions);
    }

    fn candidate(&mut self, name: &str) -> Option<&mut NameReport> {
        if !self.candidates.contains_key(name) {
            self.order.push(name.to_string());
            self.candidates.insert(
                name.to_string(),
                NameReport {
                    name: name.to_string(),
                    ..NameReport::default()
                },
            );
        }
        self.candidates.get_mut(name)
    }

    /// Every mention of `name` in token fields.
    fn mentioned(&self, name: &str) -> Occurrences {
        let mut o = Occurrences::default();
        if let Some(m) = self.mentions.get(name) {
            o.merge(m);
        }
        if let Some(m) = self.folded_mentions.get(&name.to_ascii_lowercase()) {
            o.merge(m);
        }
        o
    }

    /// Decides every candidate and builds the result.
    pub fn finish(mut self, rules: &RuleSet) -> Discovery {
        let likeness = LikenessIndex::new(&self.auth);
        let mut proposed: Vec<Vec<Alias>> = vec![Vec::new(); self.auth.canonicals.len()];
        let mut unresolved = Vec::new();
        // Under `ignore_case`, an alias may not fold onto a name of another
        // canonical (the rule file would be rejected).
        let mut folded_owner: HashMap<String, (usize, String)> = HashMap::new();
        if rules.any_ignore_case() {
            for (i, c) in self.auth.canonicals.iter().enumerate() {
                for n in std::iter::once(&c.name).chain(&c.aliases) {
                    folded_owner
                        .entry(n.to_ascii_lowercase())
                        .or_insert((i, n.clone()));
                }
            }
        }
        for name in std::mem::take(&mut self.order) {
            let Some(mut report) = self.candidates.remove(&name) else {
                continue;
            };
            report.occurrences.merge(&self.mentioned(&name));
            report.likeness = likeness.of(&name);
            let mut decision = decide(&report, &self.auth);
            if let (Ok(c), true) = (&decision, rules.any_ignore_case()) {
                let folded = name.to_ascii_lowercase();
                match folded_owner.get(&folded) {
                    Some((owner, other)) if owner != c => {
                        decision = Err(format!(
                            "evidence points to `{}`, but it equals `{other}` of `{}` when case is ignored",
                            self.auth.canonicals.get(*c).map_or("", |x| x.name.as_str()),
                            self.auth
                                .canonicals
                                .get(*owner)
                                .map_or("", |x| x.name.as_str())
                        ));
                    }
                    _ => {
                        folded_owner.insert(folded, (*c, name.clone()));
                    }
                }
            }
            match decision {
                Ok(c) => {
                    if let Some(list) = proposed.get_mut(c) {
                        list.push(Alias {
                            report,
                            source: Source::Proposed,
                        });
                    }
                }
                Err(reason) => unresolved.push(Unresolved { report, reason }),
            }
        }
        let mut canonicals = Vec::with_capacity(self.auth.canonicals.len());
        for (i, mut list) in proposed.into_iter().enumerate() {
            let Some((name, given)) = self
                .auth
                .canonicals
                .get(i)
                .map(|c| (c.name.clone(), c.aliases.clone()))
            else {
                continue;
            };
            let mut aliases: Vec<Alias> = Vec::with_capacity(given.len() + list.len());
            for a in given {
                let mut occurrences = self.alias_seen.remove(&a).unwrap_or_default();
                occurrences.merge(&self.mentioned(&a));
                aliases.push(Alias {
                    report: NameReport {
                        likeness: likeness.of(&a),
                        name: a,
                        occurrences,
                        evidence: Evidence::default(),
                    },
                    source: Source::Given,
                });
            }
            // Most seen first: what a reviewer meets most often.
            list.sort_by(|a, b| {
                b.report
                    .occurrences
                    .total
                    .cmp(&a.report.occurrences.total)
                    .then_with(|| a.report.name.cmp(&b.report.name))
            });
            aliases.extend(list);
            let mut seen = self.canonical_seen.get(i).cloned().unwrap_or_default();
            seen.merge(&self.mentioned(&name));
            canonicals.push(CanonicalReport {
                index: i,
                seen,
                aliases,
            });
        }
        // The rule file's names first, in its order; then the authority's,
        // most used first (the clusters before the one-off names).
        canonicals.sort_by_key(|r| {
            let c = self.auth.canonicals.get(r.index);
            let given = c.is_some_and(|c| c.given);
            let uses = c.map_or(0, |c| c.uses.len());
            let name = c.map(|c| c.name.clone()).unwrap_or_default();
            (
                !given,
                if given { 0 } else { usize::MAX - uses },
                if given { r.index } else { 0 },
                name,
            )
        });
        unresolved.sort_by(|a, b| {
            let rank = |u: &Unresolved| {
                (
                    u.report.evidence.is_empty(),
                    u.report.likeness.is_empty(),
                    std::cmp::Reverse(u.report.occurrences.total),
                )
            };
            rank(a)
                .cmp(&rank(b))
                .then_with(|| a.report.name.cmp(&b.report.name))
        });
        let cross = cross_reference(&self.auth, &canonicals);
        Discovery {
            authority: self.auth,
            canonicals,
            unresolved,
            cross,
            files_read: self.files_read,
        }
    }
}

/// The proposal rule (module docs): `Ok(canonical)` or why not.
fn decide(r: &NameReport, auth: &Authority) -> Result<usize, String> {
    let e = &r.evidence;
    let name = |c: &usize| {
        format!(
            "`{}`",
            auth.canonicals.get(*c).map_or("", |x| x.name.as_str())
        )
    };
    let names = |cs: &[usize]| cs.iter().map(name).collect::<Vec<_>>().join(" or ");
    let counted = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let pointing: Vec<usize> = e.pointing.keys().copied().collect();
    match pointing.as_slice() {
        [c] => {
            let against: Vec<(&Vec<usize>, &usize)> =
                e.open.iter().filter(|(set, _)| !set.contains(c)).collect();
            let pointing = e.pointing.get(c).copied().unwrap_or(0);
            let lines = e.pointing_lines.get(c).copied().unwrap_or(0);
            if against.is_empty() && (pointing > lines || lines >= MIN_LINES) {
                return Ok(*c);
            }
            if against.is_empty() {
                return Err(format!(
                    "one line of text ties it to {}: a line is weaker than a record, and {MIN_LINES} lines or a record are needed",
                    name(c)
                ));
            }
            let other: Vec<String> = against
                .iter()
                .map(|(set, n)| format!("{} ({})", names(set), counted(**n, "record")))
                .collect();
            Err(format!(
                "conflicting evidence: {} point to {}, but other linked records can only mean {}",
                counted(e.pointing.get(c).copied().unwrap_or(0), "record"),
                name(c),
                other.join("; ")
            ))
        }
        [] => {
            if !e.open.is_empty() {
                let union: BTreeSet<usize> = e.open.keys().flatten().copied().collect();
                let union: Vec<usize> = union.into_iter().collect();
                Err(format!(
                    "ambiguous: its linked records could mean {}",
                    names(&union)
                ))
            } else if e.shared > 0 {
                let rivals: Vec<String> = e.rivals.iter().map(|r| format!("`{r}`")).collect();
                Err(format!(
                    "ambiguous: its linked records also hold {}, so they cannot tell which is which",
                    rivals.join(", ")
                ))
            } else if e.covered > 0 {
                Err("no usable evidence: the records tied to it hold their canonical names too (it is something else, or a second name in the same record)".into())
            } else if e.refuted > 0 {
                Err(format!(
                    "{} refuted: the records share a value but differ in a key column",
                    counted(e.refuted, "link")
                ))
            } else if !r.likeness.is_empty() {
                let all: Vec<String> = r.likeness.iter().map(|l| l.describe(auth)).collect();
                Err(format!("name likeness only ({})", all.join("; ")))
            } else {
                Err("no evidence: no record ties it to the authority".into())
            }
        }
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|c| {
                    format!(
                        "{} ({})",
                        name(c),
                        counted(e.pointing.get(c).copied().unwrap_or(0), "record")
                    )
                })
                .collect();
            Err(format!(
                "conflicting evidence: points to {}",
                parts.join(" and ")
            ))
        }
    }
}

/// The words of a name, lower-cased: `pve-shop` → `pve`, `shop`.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Canonical names by word, for [`Likeness`].
struct LikenessIndex {
    names: Vec<Vec<String>>,
    by_word: HashMap<String, Vec<usize>>,
}

/// Shortest word that makes two names alike.
const MIN_SHARED_WORD: usize = 3;

impl LikenessIndex {
    fn new(auth: &Authority) -> LikenessIndex {
        let names: Vec<Vec<String>> = auth.canonicals.iter().map(|c| words(&c.name)).collect();
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, ws) in names.iter().enumerate() {
            for w in ws {
                let owners = by_word.entry(w.clone()).or_default();
                if !owners.contains(&i) {
                    owners.push(i);
                }
            }
        }
        LikenessIndex { names, by_word }
    }

    fn of(&self, candidate: &str) -> Vec<Likeness> {
        let mine = words(candidate);
        let mut found: Vec<Likeness> = Vec::new();
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        for w in &mine {
            for &c in self.by_word.get(w).map_or(&[][..], Vec::as_slice) {
                if seen.contains(&c) {
                    continue;
                }
                let Some(theirs) = self.names.get(c).filter(|t| **t != mine) else {
                    continue;
                };
                if theirs.len() < mine.len()
                    && mine
                        .windows(theirs.len())
                        .any(|win| win == theirs.as_slice())
                {
                    seen.insert(c);
                    found.push(Likeness::Contains(c));
                } else if w.chars().count() >= MIN_SHARED_WORD
                    && !w.chars().all(|ch| ch.is_ascii_digit())
                    && self.by_word.get(w).is_some_and(|o| o.len() == 1)
                {
                    seen.insert(c);
                    found.push(Likeness::Shares(c, w.clone()));
                }
            }
        }
        found.sort_by_key(|l| match l {
            Likeness::Contains(c) => (0, *c),
            Likeness::Shares(c, _) => (1, *c),
        });
        found
    }
}

/// The cross-reference rows: every authority file × each canonical name
/// it uses.
fn cross_reference(auth: &Authority, canonicals: &[CanonicalReport]) -> Vec<CrossRow> {
    let mut rows = Vec::new();
    for file in 0..auth.files.len() {
        for c in auth.used_in(file) {
            let Some(report) = canonicals.iter().find(|r| r.index == c) else {
                continue;
            };
            let name = auth.canonicals.get(c).map_or("", |x| x.name.as_str());
            let mut equivalents = BTreeMap::new();
            let (mut canonical_seen, mut alias_seen) = (false, false);
            for role in [Role::Readonly, Role::Editable] {
                let mut found = Vec::new();
                if report.seen.in_role(role) > 0 {
                    found.push(name.to_string());
                    canonical_seen = true;
                }
                for a in &report.aliases {
                    let through_here = a.source == Source::Given
                        || a.report
                            .evidence
                            .cited
                            .get(&c)
                            .is_some_and(|files| files.contains(&file));
                    if through_here && a.report.occurrences.in_role(role) > 0 {
                        found.push(a.report.name.clone());
                        alias_seen = true;
                    }
                }
                equivalents.insert(role, found);
            }
            let verdict = match (canonical_seen, alias_seen) {
                (true, false) => Match::Aligned,
                (true, true) => Match::Partial,
                (false, true) => Match::Drift,
                (false, false) => Match::Unseen,
            };
            rows.push(CrossRow {
                file,
                canonical: c,
                equivalents,
                verdict,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(names: &[&str]) -> Authority {
        let text = names
            .iter()
            .map(|n| format!("[[canonical]]\nname = \"{n}\"\n"))
            .collect::<String>()
            + "[[field]]\nselect = [\"host\"]\n";
        let rules = RuleSet::from_toml_str(&text, std::path::Path::new("r.toml")).unwrap();
        Authority::from_rules(&rules)
    }

    #[test]
    fn likeness_is_whole_words_contained_or_a_distinctive_word_shared() {
        let a = auth(&["pve", "proxmox-home", "nas-home"]);
        let idx = LikenessIndex::new(&a);
        assert_eq!(idx.of("pve-shop"), [Likeness::Contains(0)]);
        assert_eq!(idx.of("pve-shop-backup"), [Likeness::Contains(0)]);
        // `home` belongs to two canonical names: not distinctive.
        assert_eq!(idx.of("pve-home"), [Likeness::Contains(0)]);
        assert_eq!(
            idx.of("proxmox-shop"),
            [Likeness::Shares(1, "proxmox".into())]
        );
        assert!(idx.of("pves").is_empty());
        assert!(idx.of("pve").is_empty());
    }
}
