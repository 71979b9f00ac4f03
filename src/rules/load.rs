//! Reading rule files: TOML → raw (spanned) structs → validated [`RuleSet`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::selector::Selector;
use super::{
    Canonical, FieldRule, MatchMode, PathRules, RuleError, RuleSet, Severity, SeverityRule,
};
use crate::formats::FileType;
use crate::text::LineIndex;
use crate::warning::Warning;

type SpannedList = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Option<Spanned<i64>>,
    paths: Option<RawPaths>,
    #[serde(default)]
    canonical: Vec<RawCanonical>,
    #[serde(default)]
    field: Vec<Spanned<RawField>>,
    #[serde(default)]
    severity: Vec<RawSeverity>,
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
        }
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

/// Validates and merges parsed files into one rule set. Lists are joined in
/// file order; an alias defined twice anywhere is an error naming the second.
pub fn merge(files: Vec<ParsedFile>) -> Result<RuleSet, RuleError> {
    let mut canonicals: Vec<Canonical> = Vec::new();
    let mut canonical_index: HashMap<String, usize> = HashMap::new();
    let mut alias_index: HashMap<String, usize> = HashMap::new();
    let mut fields = Vec::new();
    let mut severities = Vec::new();
    let mut include: Vec<(String, Option<&ParsedFile>, Range<usize>)> = Vec::new();
    let mut lists: [Vec<(&ParsedFile, &Spanned<String>)>; 3] = Default::default();
    let mut warnings = Vec::new();

    for file in &files {
        let raw = &file.raw;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for c in &raw.canonical {
            // Joining a canonical across merged files is intended; twice in
            // one file is a copy-paste slip that would hide one of them.
            let name = c.name.get_ref().as_str();
            if let Some(first) = seen.insert(name, c.name.span().start) {
                let (line, _) = LineIndex::new(&file.text).line_col(first);
                return Err(file.error(
                    c.name.span(),
                    format!(
                        "canonical `{name}` is defined twice in this file (first at line {line})"
                    ),
                ));
            }
            add_canonical(file, c, &mut canonicals, &mut canonical_index)?;
        }
        for f in &raw.field {
            fields.push(build_field(file, f, &mut warnings)?);
        }
        for s in &raw.severity {
            severities.push(build_severity(file, s)?);
        }
        let paths = raw.paths.as_ref();
        if let Some(inc) = paths.and_then(|p| p.include.as_ref()) {
            include.extend(
                inc.iter()
                    .map(|g| (g.get_ref().clone(), Some(file), g.span())),
            );
        }
        if let Some(p) = paths {
            lists[0].extend(p.exclude.iter().map(|g| (file, g)));
            lists[1].extend(p.authority.iter().map(|g| (file, g)));
            lists[2].extend(p.readonly.iter().map(|g| (file, g)));
        }
    }
    index_aliases(&files, &canonicals, &canonical_index, &mut alias_index)?;
    if fields.iter().any(|f| f.ignore_case) {
        check_folded(&files, &canonical_index)?;
    }
    if include.is_empty() {
        include = FileType::default_include()
            .iter()
            .map(|g| (g.to_string(), None, 0..0))
            .collect();
    }
    let mut patterns = Vec::new();
    let include_set = build_globset(include.iter().map(|(g, f, s)| (g.as_str(), *f, s.clone())))?;
    patterns.extend(
        include
            .iter()
            .filter(|(_, f, _)| f.is_some())
            .map(|(g, _, _)| ("include".to_string(), g.clone())),
    );
    for file in &files {
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
    }
    let [exclude, authority, readonly] = lists;
    let mut sets = Vec::new();
    for (name, list) in [
        ("exclude", exclude),
        ("authority", authority),
        ("readonly", readonly),
    ] {
        patterns.extend(
            list.iter()
                .map(|(_, g)| (name.to_string(), g.get_ref().clone())),
        );
        sets.push(build_globset(
            list.iter()
                .map(|(f, g)| (g.get_ref().as_str(), Some(*f), g.span())),
        )?);
    }
    let mut sets = sets.into_iter();
    let mut next = || sets.next().unwrap_or_else(GlobSet::empty);
    let paths = PathRules {
        include: include_set,
        exclude: next(),
        authority: next(),
        readonly: next(),
        patterns,
    };
    Ok(RuleSet {
        sources: files.iter().map(|f| f.path.clone()).collect(),
        paths,
        canonicals,
        fields,
        severities,
        alias_index,
        warnings,
    })
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
) -> Result<(), RuleError> {
    for (file, c, owner, a) in alias_entries(files, canonical_index) {
        let alias = a.get_ref();
        if alias.trim().is_empty() {
            return Err(file.error(a.span(), "alias is empty"));
        }
        if canonical_index.contains_key(alias.as_str()) {
            return Err(file.error(
                a.span(),
                format!("alias `{alias}` is also a canonical name"),
            ));
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
            return Err(file.error(a.span(), msg));
        }
        alias_index.insert(alias.clone(), owner);
    }
    Ok(())
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
) -> Result<(), RuleError> {
    let mut owner_of: HashMap<String, (usize, String)> = canonical_index
        .iter()
        .map(|(name, &i)| (name.to_ascii_lowercase(), (i, name.clone())))
        .collect();
    for (file, _, owner, a) in alias_entries(files, canonical_index) {
        let folded = a.get_ref().to_ascii_lowercase();
        match owner_of.get(&folded) {
            Some((other, name)) if *other != owner => {
                return Err(file.error(
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
    Ok(())
}

fn build_field(
    file: &ParsedFile,
    f: &Spanned<RawField>,
    warnings: &mut Vec<Warning>,
) -> Result<FieldRule, RuleError> {
    let raw = f.get_ref();
    let types = match &raw.types {
        None => FileType::ALL.to_vec(),
        Some(list) if list.is_empty() => {
            return Err(file.error(
                f.span(),
                "`types = []` governs no file (leave `types` out for all three)",
            ));
        }
        Some(list) => list
            .iter()
            .map(|t| {
                FileType::from_name(t.get_ref()).ok_or_else(|| {
                    file.error(
                        t.span(),
                        format!(
                            "unknown type `{}` (expected {})",
                            t.get_ref(),
                            FileType::names_list()
                        ),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let files = match &raw.files {
        None => None,
        Some(list) => Some(build_globset(
            list.iter()
                .map(|g| (g.get_ref().as_str(), Some(file), g.span())),
        )?),
    };
    let selectors = |list: &SpannedList| -> Result<Vec<Selector>, RuleError> {
        list.iter()
            .map(|s| {
                Selector::parse(s.get_ref()).map_err(|(at, msg)| {
                    let text = s.get_ref();
                    let byte = text.char_indices().nth(at).map_or(text.len(), |(b, _)| b);
                    let start = s.span().start + 1 + byte;
                    file.error(
                        start..start,
                        format!("bad selector `{}`: {msg}", s.get_ref()),
                    )
                })
            })
            .collect()
    };
    let select = selectors(&raw.select)?;
    let keys_of = selectors(&raw.keys_of)?;
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
    if select.is_empty() && keys_of.is_empty() {
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
    let files = build_globset(
        s.files
            .iter()
            .map(|g| (g.get_ref().as_str(), Some(file), g.span())),
    )?;
    Ok(SeverityRule { files, level })
}

/// Builds a glob set; `*` does not cross `/`, `**` does. A leading `./` is
/// dropped since globs are relative to the base directory anyway.
fn build_globset<'a>(
    globs: impl Iterator<Item = (&'a str, Option<&'a ParsedFile>, Range<usize>)>,
) -> Result<GlobSet, RuleError> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, file, span) in globs {
        let glob = compile_glob(pattern).map_err(|msg| match file {
            Some(f) => f.error(span, msg),
            None => RuleError {
                file: "<built-in>".into(),
                line: None,
                column: None,
                message: msg,
            },
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| RuleError {
        file: "<rules>".into(),
        line: None,
        column: None,
        message: e.to_string(),
    })
}

/// Compiles one glob relative to the base directory.
pub fn compile_glob(pattern: &str) -> Result<globset::Glob, String> {
    let trimmed = pattern.strip_prefix("./").unwrap_or(pattern);
    if trimmed.is_empty() {
        return Err("empty glob".into());
    }
    if trimmed.starts_with('/') {
        return Err(format!(
            "bad glob `{pattern}`: globs are relative to the base directory, not absolute"
        ));
    }
    GlobBuilder::new(trimmed)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("bad glob `{pattern}`: {}", e.kind()))
}
