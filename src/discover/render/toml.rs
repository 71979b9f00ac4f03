//! The draft rule file: the user's rule file(s) kept as written except
//! `[[canonical]]` (comments, order and layout of `[paths]`, `[[field]]`,
//! `[[severity]]` and anything else stay), then every canonical name with
//! its aliases, each alias preceded by a comment with its evidence and
//! counts, then the unresolved values as a comment block.
//!
//! The text is checked by the rule loader before it is returned: discover
//! never hands out a draft that `driftfix rules check` would reject.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

use super::one_line;
use super::{Outcome, RenderError, evidence_counts, item_text, occurrences, shown_items};
use crate::discover::propose::{Alias, Discovery, Source};
use crate::report::visible;
use crate::rules::RuleSet;

/// Renders the draft. `Err` when a rule file cannot be read again, or
/// (a bug) when the draft would not load.
pub fn render(outcome: &Outcome, rules: &RuleSet) -> Result<String, RenderError> {
    let d = &outcome.discovery;
    let mut out = String::new();
    out.push_str(HEADER);
    out.push('\n');
    let kept = user_rules(&rules.sources)?;
    out.push_str(kept.trim_end());
    out.push_str("\n\n");
    canonicals(d, &mut out);
    unresolved(d, &mut out);
    RuleSet::from_toml_str(&out, Path::new("<discover draft>"))
        .map_err(|e| RenderError::Draft(e.to_string()))?;
    Ok(out)
}

const HEADER: &str = "\
# Draft rule file written by `driftfix discover`.
#
# Canonical names are the labels of the authority files. Each proposed alias
# is preceded by the evidence that ties it to exactly one canonical name;
# values without such evidence are listed, unresolved, at the end. Review it,
# then: driftfix rules check --rules FILE && driftfix scan --rules FILE
";

const RULE: &str =
    "# ---------------------------------------------------------------------------\n";

/// The rule files without `[[canonical]]`, merged into the first one
/// (later files' lists and tables are appended, as the loader merges them).
fn user_rules(sources: &[PathBuf]) -> Result<String, RenderError> {
    let mut docs = Vec::with_capacity(sources.len());
    for p in sources {
        let text = std::fs::read_to_string(p).map_err(|source| RenderError::RuleFile {
            path: p.clone(),
            source,
        })?;
        let doc: DocumentMut =
            text.parse()
                .map_err(|e: toml_edit::TomlError| RenderError::RuleSyntax {
                    path: p.clone(),
                    message: e.message().to_string(),
                })?;
        docs.push(doc);
    }
    let mut docs = docs.into_iter();
    let Some(mut first) = docs.next() else {
        return Ok("version = 1\n".into());
    };
    first.remove("canonical");
    for doc in docs {
        merge(&mut first, doc);
    }
    if !first.contains_key("version") {
        first.insert("version", toml_edit::value(1));
    }
    Ok(first.to_string())
}

/// Appends `other`'s arrays of tables and list entries to `into`; keys
/// `into` already has keep its value.
fn merge(into: &mut DocumentMut, other: DocumentMut) {
    for (key, item) in other.as_table().iter() {
        if key == "canonical" || key == "version" {
            continue;
        }
        match (into.get_mut(key), item) {
            (None, _) => {
                into.insert(key, item.clone());
            }
            (Some(Item::ArrayOfTables(mine)), Item::ArrayOfTables(theirs)) => {
                for t in theirs.iter() {
                    let mut t = t.clone();
                    t.set_position(None);
                    mine.push(t);
                }
            }
            (Some(Item::Table(mine)), Item::Table(theirs)) => {
                for (k, v) in theirs.iter() {
                    match (mine.get_mut(k), v.as_array()) {
                        (None, _) => {
                            mine.insert(k, v.clone());
                        }
                        (Some(existing), Some(more)) => {
                            if let Some(list) = existing.as_array_mut() {
                                list.extend(more.iter().cloned());
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

fn canonicals(d: &Discovery, out: &mut String) {
    let auth = &d.authority;
    let proposed = d.proposed().count();
    out.push_str(RULE);
    let _ = writeln!(
        out,
        "# Canonical names: {} ({} from the authority files), {} alias{} proposed.",
        d.canonicals.len(),
        auth.canonicals.iter().filter(|c| !c.given).count(),
        proposed,
        if proposed == 1 { "" } else { "es" }
    );
    out.push_str(RULE);
    for report in &d.canonicals {
        let Some(c) = auth.canonicals.get(report.index) else {
            continue;
        };
        out.push_str("\n[[canonical]]\n");
        let _ = writeln!(out, "name = {}", quoted(&c.name));
        if let Some(desc) = &c.description {
            let _ = writeln!(out, "description = {}", quoted(desc));
        }
        let mut files: Vec<(usize, usize)> = Vec::new();
        for u in &c.uses {
            match files.iter_mut().find(|(f, _)| *f == u.file) {
                Some((_, n)) => *n += 1,
                None => files.push((u.file, 1)),
            }
        }
        if !files.is_empty() {
            let list: Vec<String> = files
                .iter()
                .map(|(f, n)| {
                    format!(
                        "{} ({n})",
                        visible(auth.files.get(*f).map_or("", String::as_str))
                    )
                })
                .collect();
            let _ = writeln!(out, "# authority: {}", list.join(", "));
        } else if c.given {
            out.push_str("# given in the rule file; not used by the authority files\n");
        }
        if report.aliases.is_empty() {
            out.push_str("aliases = []\n");
            continue;
        }
        out.push_str("aliases = [\n");
        for a in &report.aliases {
            alias(d, a, out);
        }
        out.push_str("]\n");
    }
    out.push('\n');
}

/// One alias with its comment.
fn alias(d: &Discovery, a: &Alias, out: &mut String) {
    let r = &a.report;
    let what = match a.source {
        Source::Given => "kept from the rule file".to_string(),
        Source::Proposed => format!("proposed from {}", evidence_counts(&r.evidence)),
    };
    let _ = writeln!(
        out,
        "  # {}: {what}; {}",
        one_line(&r.name),
        occurrences(&r.occurrences)
    );
    for (kind, items, more) in shown_items(&r.evidence) {
        for item in items {
            let _ = writeln!(out, "  #   {}: {}", kind.title(), item_text(item));
        }
        if more > 0 {
            let _ = writeln!(
                out,
                "  #   … and {}",
                kind.counted(more).replacen(' ', " more ", 1)
            );
        }
    }
    if !r.likeness.is_empty() {
        let like: Vec<String> = r
            .likeness
            .iter()
            .map(|l| l.describe(&d.authority))
            .collect();
        let _ = writeln!(out, "  #   name likeness: {}", like.join("; "));
    }
    let _ = writeln!(out, "  {},", quoted(&r.name));
}

/// Places shown per unresolved value.
const SPOTS: usize = 3;

fn unresolved(d: &Discovery, out: &mut String) {
    out.push_str(RULE);
    if d.unresolved.is_empty() {
        out.push_str("# Unresolved: none. Every governed value outside the authority is a\n# canonical name or an alias above.\n");
        out.push_str(RULE);
        return;
    }
    let _ = writeln!(
        out,
        "# Unresolved ({}): governed values outside the authority that are not\n\
         # canonical and have no evidence pointing to exactly one canonical name.\n\
         # Add one to an `aliases` list above only if you know what it means.",
        d.unresolved.len()
    );
    out.push_str(RULE);
    for u in &d.unresolved {
        let r = &u.report;
        let _ = writeln!(out, "#\n# {}: {}", quoted(&one_line(&r.name)), u.reason);
        let spots: Vec<String> = r
            .occurrences
            .spots
            .iter()
            .take(SPOTS)
            .map(|s| format!("{}:{} {}", visible(&s.path), s.line, visible(&s.field)))
            .collect();
        let more = r.occurrences.total.saturating_sub(spots.len());
        let _ = writeln!(
            out,
            "#   {}: {}{}",
            occurrences(&r.occurrences),
            spots.join(", "),
            if more > 0 {
                format!(", … ({more} more)")
            } else {
                String::new()
            }
        );
        for (kind, items, more) in shown_items(&r.evidence) {
            for item in items {
                let targets: Vec<&str> = item.targets.iter().map(|c| d.name_of(*c)).collect();
                let _ = writeln!(
                    out,
                    "#   {}: {} → {}",
                    kind.title(),
                    item_text(item),
                    if targets.is_empty() {
                        "(names it holds already)".to_string()
                    } else {
                        targets.join(" or ")
                    }
                );
            }
            if more > 0 {
                let _ = writeln!(
                    out,
                    "#   … and {}",
                    kind.counted(more).replacen(' ', " more ", 1)
                );
            }
        }
        for refuted in r.evidence.refutations.iter().take(SPOTS) {
            let _ = writeln!(
                out,
                "#   refuted: {}:{} shares {} but has {}: {} where {}:{} has {}",
                visible(&refuted.seen.path),
                refuted.seen.line,
                one_line(&refuted.seen.value),
                visible(&refuted.authority.key),
                one_line(&refuted.mine),
                visible(&refuted.authority.path),
                refuted.authority.line,
                one_line(&refuted.authority.value)
            );
        }
        if !r.likeness.is_empty() && !u.reason.starts_with("name likeness") {
            let like: Vec<String> = r
                .likeness
                .iter()
                .map(|l| l.describe(&d.authority))
                .collect();
            let _ = writeln!(out, "#   name likeness: {}", like.join("; "));
        }
    }
    out.push_str(RULE);
}
