//! Reading rule files: TOML → raw (spanned) structs → validated [`RuleSet`].
//!
//! Validation goes on past the first problem: every invalid entry of every
//! rule file is reported (`FILE:LINE:COLUMN: message` each), so a user fixes
//! them in one round.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::globs::{GlobOptions, PathGlobs};
use super::ignore::IgnoreRule;
use super::selector::Selector;
use super::types::{TypeEntry, TypeMap};
use super::{
    Canonical, FieldRule, MatchMode, PathRules, RuleError, RuleErrors, RuleSet, Severity,
    SeverityRule,
};
use crate::formats::FileType;
use crate::text::{LineIndex, SourceLine};
use crate::warning::Warning;

type SpannedList = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Option<Spanned<i64>>,
    paths: Option<RawPaths>,
    types: Option<RawTypes>,
    #[serde(default)]
    canonical: Vec<RawCanonical>,
    #[serde(default)]
    field: Vec<Spanned<RawField>>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    include: Option<SpannedList>,
    #[serde(default)]
    exclude: SpannedList,
    #[serde(default)]
    authority: SpannedList,
    #[serde(default)]
    readonly: SpannedList,
}

/// The `[types]` table in file order (`glob = "type"`): serde hands tables
/// over sorted, so the entries are put back in the order of their spans.
struct RawTypes(Vec<(Spanned<String>, Spanned<String>)>);

impl<'de> Deserialize<'de> for RawTypes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawTypes, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = RawTypes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of glob = \"type\"")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawTypes, A::Error> {
                let mut out: Vec<(Spanned<String>, Spanned<String>)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                out.sort_by_key(|(k, _)| k.span().start);
                Ok(RawTypes(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCanonical {
    name: Spanned<String>,
    #[serde(default)]
    aliases: SpannedList,
    description: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    types: Option<SpannedList>,
    files: Option<SpannedList>,
    #[serde(default)]
    select: SpannedList,
    #[serde(default)]
    keys_of: SpannedList,
    #[serde(rename = "match")]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    ignore_case: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeverity {
    files: SpannedList,
    level: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    files: Option<SpannedList>,
    #[serde(default)]
    select: SpannedList,
    #[serde(default)]
    aliases: SpannedList,
    reason: Option<Spanned<String>>,
}

/// One rule file, parsed and with its text kept for error positions.
pub struct ParsedFile {
    name: String,
    path: std::path::PathBuf,
    text: String,
    raw: RawFile,
}

impl ParsedFile {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> RuleError {
        let (line, column) = LineIndex::new(&self.text).line_col(span.start);
        RuleError {
            file: self.name.clone(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
            source: SourceLine::of(&self.text, line, column).map(Box::new),
        }
    }

    /// `file:line` of a span, for messages that point back at a rule.
    fn place(&self, span: Range<usize>) -> String {
        let (line, _) = LineIndex::new(&self.text).line_col(span.start);
        format!("{}:{line}", self.name)
    }

    /// Whether this file has any `[[canonical]]` / `[[field]]`.
    pub fn has_canonicals(&self) -> bool {
        !self.raw.canonical.is_empty()
    }

    pub fn has_fields(&self) -> bool {
        !self.raw.field.is_empty()
    }
}

/// Parses one rule file's text (syntax, unknown keys, wrong types).
pub fn parse_rule_text(text: &str, origin: &Path) -> Result<ParsedFile, RuleError> {
    let name = origin.display().to_string();
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let (line, column) = match e.span() {
            Some(span) => {
                let (l, c) = LineIndex::new(text).line_col(span.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        RuleError {
            file: name.clone(),
            line,
            column,
            message: e.message().trim().to_string(),
            source: line
                .zip(column)
                .and_then(|(l, c)| SourceLine::of(text, l, c))
                .map(Box::new),
        }
    })?;
    let file = ParsedFile {
        name,
        path: origin.to_path_buf(),
        text: text.to_string(),
        raw,
    };
    if let Some(v) = &file.raw.version
        && *v.get_ref() != 1
    {
        return Err(file.error(
            v.span(),
            format!(
                "unsupported version {} (this driftfix reads version 1)",
                v.get_ref()
            ),
        ));
    }
    Ok(file)
}

/// Where errors of a merge are gathered; validation goes on after each.
#[derive(Default)]
struct Errors(Vec<RuleError>);

impl Errors {
    /// The value of `r`, or `None` with its error kept.
    fn keep<T>(&mut self, r: Result<T, RuleError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

/// Validates and merges parsed files into one rule set. Lists are joined in
/// file order; an alias defined twice anywhere is an error naming the second.
pub fn merge(files: Vec<ParsedFile>) -> Result<RuleSet, RuleErrors> {
    let mut errors = Errors::default();
    let mut canonicals: Vec<Canonical> = Vec::new();
    let mut canonical_index: HashMap<String, usize> = HashMap::new();
    let mut alias_index: HashMap<String, usize> = HashMap::new();
    let mut fields = Vec::new();
    let mut severities = Vec::new();
    let mut ignores = Vec::new();
    let mut warnings = Vec::new();

    for file in &files {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for c in &file.raw.canonical {
            // Joining a canonical across merged files is intended; twice in
            // one file is a copy-paste slip that would hide one of them.
            let name = c.name.get_ref().as_str();
            if let Some(first) = seen.insert(name, c.name.span().start) {
                let (line, _) = LineIndex::new(&file.text).line_col(first);
                errors.0.push(file.error(
                    c.name.span(),
                    format!(
                        "canonical `{name}` is defined twice in this file (first at line {line})"
                    ),
                ));
                continue;
            }
            errors.keep(add_canonical(
                file,
                c,
                &mut canonicals,
                &mut canonical_index,
            ));
        }
        for f in &file.raw.field {
            if let Some(rule) = errors.keep(build_field(file, f, &mut warnings)) {
                fields.push(rule);
            }
        }
        for s in &file.raw.severity {
            if let Some(rule) = errors.keep(build_severity(file, s)) {
                severities.push(rule);
            }
        }
    }
    index_aliases(
        &files,
        &canonicals,
        &canonical_index,
        &mut alias_index,
        &mut errors,
    );
    if fields.iter().any(|f| f.ignore_case) {
        check_folded(&files, &canonical_index, &mut errors);
    }
    for file in &files {
        for i in &file.raw.ignore {
            if let Some(rule) = build_ignore(file, i, &alias_index, &mut errors) {
                ignores.push(rule);
            }
        }
    }
    let paths = build_paths(&files, &mut errors);
    let types = build_types(&files, &mut errors);
    if !errors.0.is_empty() {
        // In file order, then by position: the order a user reads them in.
        let order = |name: &str| files.iter().position(|f| f.name == name);
        errors.0.sort_by_key(|e| (order(&e.file), e.line, e.column));
        return Err(RuleErrors(errors.0));
    }
    Ok(RuleSet {
        sources: files.iter().map(|f| f.path.clone()).collect(),
        source_ids: Vec::new(),
        paths,
        types,
        canonicals,
        fields,
        severities,
        ignores,
        alias_index,
        warnings,
        without_canonicals: files
            .iter()
            .filter(|f| !f.has_canonicals())
            .map(|f| f.name.clone())
            .collect(),
        without_fields: files
            .iter()
            .filter(|f| !f.has_fields())
            .map(|f| f.name.clone())
            .collect(),
    })
}

/// `[paths]` of every file, joined in file order; the built-in include
/// globs when no file gives `include`.
fn build_paths(files: &[ParsedFile], errors: &mut Errors) -> PathRules {
    type Entries<'f> = Vec<(&'f ParsedFile, &'f Spanned<String>)>;
    let mut lists: [Entries; 4] = Default::default();
    for file in files {
        let Some(p) = &file.raw.paths else { continue };
        if let Some(inc) = &p.include {
            lists[0].extend(inc.iter().map(|g| (file, g)));
        }
        lists[1].extend(p.exclude.iter().map(|g| (file, g)));
        lists[2].extend(p.authority.iter().map(|g| (file, g)));
        lists[3].extend(p.readonly.iter().map(|g| (file, g)));
    }
    let mut patterns = Vec::new();
    let mut sets = Vec::new();
    for (place, list) in ["include", "exclude", "authority", "readonly"]
        .into_iter()
        .zip(&lists)
    {
        patterns.extend(
            list.iter()
                .map(|(_, g)| (place.to_string(), g.get_ref().clone())),
        );
        sets.push(globs_of(list, errors).unwrap_or_default());
    }
    let mut sets = sets.into_iter();
    let mut next = || sets.next().unwrap_or_default();
    let mut include = next();
    if lists[0].is_empty() {
        include = PathGlobs::new(&FileType::default_include(), GlobOptions::default())
            .unwrap_or_default();
    }
    for file in files {
        for f in &file.raw.field {
            let globs = f.get_ref().files.iter().flatten();
            patterns.extend(globs.map(|g| ("field files".to_string(), g.get_ref().clone())));
        }
        for s in &file.raw.severity {
            patterns.extend(
                s.files
                    .iter()
                    .map(|g| ("severity files".to_string(), g.get_ref().clone())),
            );
        }
        for i in &file.raw.ignore {
            let globs = i.get_ref().files.iter().flatten();
            patterns.extend(globs.map(|g| ("ignore files".to_string(), g.get_ref().clone())));
        }
    }
    PathRules {
        include,
        exclude: next(),
        authority: next(),
        readonly: next(),
        patterns,
    }
}

/// Compiles globs written in rule files; a bad one is an error at its place.
fn globs_of(list: &[(&ParsedFile, &Spanned<String>)], errors: &mut Errors) -> Option<PathGlobs> {
    let texts: Vec<&str> = list.iter().map(|(_, g)| g.get_ref().as_str()).collect();
    match PathGlobs::new(&texts, GlobOptions::default()) {
        Ok(g) => Some(g),
        Err((i, msg)) => {
            if let Some((file, g)) = list.get(i) {
                errors.0.push(file.error(g.span(), msg));
            }
            None
        }
    }
}

/// The `[types]` tables of every file, in file order, then the built-in map.
fn build_types(files: &[ParsedFile], errors: &mut Errors) -> TypeMap {
    let mut entries = Vec::new();
    for file in files {
        let Some(types) = &file.raw.types else {
            continue;
        };
        for (glob, name) in &types.0 {
            let Some(file_type) = FileType::from_name(name.get_ref()) else {
                errors.0.push(file.error(
                    name.span(),
                    format!(
                        "unknown type `{}` (expected {})",
                        name.get_ref(),
                        FileType::names_list()
                    ),
                ));
                continue;
            };
            let Some(globs) = globs_of(&[(file, glob)], errors) else {
                continue;
            };
            entries.push(TypeEntry {
                globs,
                file_type,
                origin: file.place(glob.span()),
                text: glob.get_ref().clone(),
            });
        }
    }
    TypeMap::new(entries)
}

fn add_canonical(
    file: &ParsedFile,
    c: &RawCanonical,
    canonicals: &mut Vec<Canonical>,
    index: &mut HashMap<String, usize>,
) -> Result<(), RuleError> {
    let name = c.name.get_ref();
    if name.trim().is_empty() {
        return Err(file.error(c.name.span(), "canonical name is empty"));
    }
    let aliases: Vec<String> = c.aliases.iter().map(|a| a.get_ref().clone()).collect();
    match index
        .get(name.as_str())
        .and_then(|&i| canonicals.get_mut(i))
    {
        // The same canonical in two merged files: its aliases are joined;
        // two different descriptions are a conflict (which would be shown?).
        Some(existing) => {
            if let (Some(had), Some(d)) = (&existing.description, &c.description)
                && had != d.get_ref()
            {
                return Err(file.error(
                    d.span(),
                    format!(
                        "canonical `{name}` has another description in an earlier rule file ({had:?}); merged rule files must agree"
                    ),
                ));
            }
            existing.aliases.extend(aliases);
            if existing.description.is_none() {
                existing.description = c.description.as_ref().map(|d| d.get_ref().clone());
            }
        }
        None => {
            index.insert(name.clone(), canonicals.len());
            canonicals.push(Canonical {
                name: name.clone(),
                aliases,
                description: c.description.as_ref().map(|d| d.get_ref().clone()),
            });
        }
    }
    Ok(())
}

/// Checks every alias (empty, equal to a canonical, listed twice, under two
/// canonicals) and builds the alias → canonical index.
fn index_aliases(
    files: &[ParsedFile],
    canonicals: &[Canonical],
    canonical_index: &HashMap<String, usize>,
    alias_index: &mut HashMap<String, usize>,
    errors: &mut Errors,
) {
    for (file, c, owner, a) in alias_entries(files, canonical_index) {
        let alias = a.get_ref();
        if alias.trim().is_empty() {
            errors.0.push(file.error(a.span(), "alias is empty"));
            continue;
        }
        if canonical_index.contains_key(alias.as_str()) {
            errors.0.push(file.error(
                a.span(),
                format!("alias `{alias}` is also a canonical name"),
            ));
            continue;
        }
        if let Some(&prev) = alias_index.get(alias.as_str()) {
            let prev_name = canonicals.get(prev).map(|c| c.name.as_str()).unwrap_or("");
            let msg = if prev == owner {
                format!("alias `{alias}` is listed twice for `{prev_name}`")
            } else {
                format!(
                    "alias `{alias}` is listed under two canonicals: `{prev_name}` and `{}`",
                    c.name.get_ref()
                )
            };
            errors.0.push(file.error(a.span(), msg));
            continue;
        }
        alias_index.insert(alias.clone(), owner);
    }
}

/// Every alias of every rule file, with its file, its canonical entry and
/// the index of the merged canonical it belongs to.
fn alias_entries<'f>(
    files: &'f [ParsedFile],
    canonical_index: &'f HashMap<String, usize>,
) -> impl Iterator<Item = (&'f ParsedFile, &'f RawCanonical, usize, &'f Spanned<String>)> {
    files.iter().flat_map(move |file| {
        file.raw.canonical.iter().flat_map(move |c| {
            let owner = canonical_index
                .get(c.name.get_ref().as_str())
                .copied()
                .unwrap_or(0);
            c.aliases.iter().map(move |a| (file, c, owner, a))
        })
    })
}

/// With `ignore_case` somewhere, names that differ only in ASCII case must
/// not belong to two canonicals: an alias folding onto another canonical's
/// name (or another canonical's alias) would be rewritten back and forth
/// on every run.
fn check_folded(
    files: &[ParsedFile],
    canonical_index: &HashMap<String, usize>,
    errors: &mut Errors,
) {
    let mut owner_of: HashMap<String, (usize, String)> = canonical_index
        .iter()
        .map(|(name, &i)| (name.to_ascii_lowercase(), (i, name.clone())))
        .collect();
    for (file, _, owner, a) in alias_entries(files, canonical_index) {
        let folded = a.get_ref().to_ascii_lowercase();
        match owner_of.get(&folded) {
            Some((other, name)) if *other != owner => {
                errors.0.push(file.error(
                    a.span(),
                    format!(
                        "alias `{}` equals `{name}` of another canonical when case is ignored (a field has ignore_case = true)",
                        a.get_ref()
                    ),
                ));
            }
            Some(_) => {}
            None => {
                owner_of.insert(folded, (owner, a.get_ref().clone()));
            }
        }
    }
}

fn build_field(
    file: &ParsedFile,
    f: &Spanned<RawField>,
    warnings: &mut Vec<Warning>,
) -> Result<FieldRule, RuleError> {
    let raw = f.get_ref();
    let types = match &raw.types {
        None => FileType::default_field_types(),
        Some(list) if list.is_empty() => {
            return Err(file.error(
                f.span(),
                "`types = []` governs no file (leave `types` out for every type but text)",
            ));
        }
        Some(list) => list
            .iter()
            .map(|t| {
                FileType::from_name(t.get_ref())
                    .filter(|ft| ft.spec().governed_as.is_none())
                    .ok_or_else(|| {
                        file.error(
                            t.span(),
                            format!(
                                "unknown type `{}` (expected {})",
                                t.get_ref(),
                                FileType::field_names_list()
                            ),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    let files = match &raw.files {
        None => None,
        Some(list) => {
            let texts: Vec<&str> = list.iter().map(|g| g.get_ref().as_str()).collect();
            Some(
                PathGlobs::new(&texts, GlobOptions::default()).map_err(|(i, msg)| {
                    let span = list.get(i).map_or(f.span(), |g| g.span());
                    file.error(span, msg)
                })?,
            )
        }
    };
    let selectors = |list: &SpannedList| -> Result<Vec<Selector>, RuleError> {
        list.iter().map(|s| parse_selector(file, s)).collect()
    };
    let select = selectors(&raw.select)?;
    let keys_of = selectors(&raw.keys_of)?;
    let only_text = types.iter().all(|t| t.spec().lines_only);
    if only_text && (!select.is_empty() || !keys_of.is_empty()) {
        return Err(file.error(
            f.span(),
            "a [[field]] for text files only takes no `select` or `keys_of` (every line is governed)",
        ));
    }
    // What is detectable without the documents: a selector that starts at a
    // root index under a TOML-only rule (a TOML root is always a table).
    // Anything else depends on the documents' shapes.
    if types.iter().all(|t| t.spec().root_is_table) {
        for (place, raw_list, parsed) in [
            ("select", &raw.select, &select),
            ("keys_of", &raw.keys_of, &keys_of),
        ] {
            for (text, sel) in raw_list.iter().zip(parsed) {
                if sel.starts_at_root_index() {
                    warnings.push(Warning::new(
                        file.error(
                            text.span(),
                            format!(
                                "{place} `{}` can never match: a TOML document's root is a table, not an array",
                                text.get_ref()
                            ),
                        )
                        .to_string(),
                    ));
                }
            }
        }
    }
    if select.is_empty() && keys_of.is_empty() && !types.iter().any(|t| t.spec().lines_only) {
        return Err(file.error(f.span(), "a [[field]] needs `select` or `keys_of`"));
    }
    let mode = match &raw.mode {
        None => MatchMode::Exact,
        Some(m) => match m.get_ref().as_str() {
            "exact" => MatchMode::Exact,
            "token" => MatchMode::Token,
            other => {
                return Err(file.error(
                    m.span(),
                    format!("unknown match `{other}` (expected exact or token)"),
                ));
            }
        },
    };
    Ok(FieldRule {
        types,
        files,
        select,
        keys_of,
        mode,
        ignore_case: raw.ignore_case,
        origin: file.place(f.span()),
    })
}

fn build_severity(file: &ParsedFile, s: &RawSeverity) -> Result<SeverityRule, RuleError> {
    let level = Severity::from_name(s.level.get_ref()).ok_or_else(|| {
        file.error(
            s.level.span(),
            format!(
                "unknown level `{}` (expected critical, high, medium or low)",
                s.level.get_ref()
            ),
        )
    })?;
    let texts: Vec<&str> = s.files.iter().map(|g| g.get_ref().as_str()).collect();
    let files = PathGlobs::new(&texts, GlobOptions::default()).map_err(|(i, msg)| {
        let span = s.files.get(i).map_or(s.level.span(), |g| g.span());
        file.error(span, msg)
    })?;
    Ok(SeverityRule { files, level })
}

/// A selector written in a rule file; a bad one is an error at the
/// character where it goes wrong.
fn parse_selector(file: &ParsedFile, s: &Spanned<String>) -> Result<Selector, RuleError> {
    Selector::parse(s.get_ref()).map_err(|(at, msg)| {
        let text = s.get_ref();
        let byte = text.char_indices().nth(at).map_or(text.len(), |(b, _)| b);
        let start = s.span().start + 1 + byte;
        file.error(
            start..start,
            format!("bad selector `{}`: {msg}", s.get_ref()),
        )
    })
}

/// One `[[ignore]]` (SPEC §11). Every problem of it is kept, not only the
/// first: `files` (required, valid globs), `select` (valid selectors),
/// `aliases` (each one the rules define), `reason` (required, not blank).
fn build_ignore(
    file: &ParsedFile,
    raw: &Spanned<RawIgnore>,
    alias_index: &HashMap<String, usize>,
    errors: &mut Errors,
) -> Option<IgnoreRule> {
    let before = errors.0.len();
    let r = raw.get_ref();
    let files = match &r.files {
        None => {
            errors.0.push(file.error(
                raw.span(),
                "an [[ignore]] needs `files` (globs of the files it covers)",
            ));
            None
        }
        Some(list) if list.is_empty() => {
            errors.0.push(file.error(
                raw.span(),
                "`files = []` covers no file (use [\"**\"] for every file)",
            ));
            None
        }
        Some(list) => globs_of(&list.iter().map(|g| (file, g)).collect::<Vec<_>>(), errors),
    };
    let select: Vec<Selector> = r
        .select
        .iter()
        .filter_map(|s| errors.keep(parse_selector(file, s)))
        .collect();
    for a in &r.aliases {
        if !alias_index.contains_key(a.get_ref().as_str()) {
            errors.0.push(file.error(
                a.span(),
                format!(
                    "[[ignore]] alias `{}` is not an alias of any [[canonical]]",
                    a.get_ref()
                ),
            ));
        }
    }
    let reason = match &r.reason {
        Some(text) if !text.get_ref().trim().is_empty() => Some(text.get_ref().clone()),
        Some(text) => {
            errors
                .0
                .push(file.error(text.span(), "[[ignore]] `reason` is empty"));
            None
        }
        None => {
            errors.0.push(file.error(
                raw.span(),
                "an [[ignore]] needs a `reason` (why these findings are accepted)",
            ));
            None
        }
    };
    if errors.0.len() > before {
        return None;
    }
    Some(IgnoreRule {
        files: files?,
        select,
        aliases: r.aliases.iter().map(|a| a.get_ref().clone()).collect(),
        reason: reason?,
        origin: file.place(raw.span()),
    })
}
