//! Selectors that match nothing (SPEC §8): `rules check` parses every file
//! of the tree that has a type and warns about each `select`/`keys_of`
//! selector that addresses no scalar in any file its rule applies to, with a
//! hint when a nearby path would match (`did you mean
//! **.ingress.hosts[*].host`). A rooted selector that misses one level of a
//! deeper document is the classic way to scan a tree, find nothing and read
//! it as "aligned".

use std::path::Path;

use super::RuleSet;
use super::lint::files_under;
use super::selector::Selector;
use crate::formats::{ScalarKind, Seg};
use crate::warning::Warning;

/// One selector of one field rule, and what the tree showed about it.
struct Probe<'r> {
    field: usize,
    place: &'static str,
    selector: &'r Selector,
    matched: bool,
    hint: Option<String>,
}

/// A warning per selector that matches no scalar under `base`. Files that
/// cannot be read or parsed are passed over (scan reports them).
pub fn dead_selectors(rules: &RuleSet, base: &Path, max_size: u64) -> Vec<Warning> {
    let mut probes: Vec<Probe> = Vec::new();
    for (i, f) in rules.fields.iter().enumerate() {
        for (place, list) in [("select", &f.select), ("keys_of", &f.keys_of)] {
            probes.extend(list.iter().map(|selector| Probe {
                field: i,
                place,
                selector,
                matched: false,
                hint: None,
            }));
        }
    }
    if probes.is_empty() {
        return Vec::new();
    }
    for rel in files_under(base) {
        let Some((file_type, _)) = rules.type_of(&rel) else {
            continue;
        };
        let open: Vec<usize> = probes
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                !p.matched
                    && rules
                        .fields
                        .get(p.field)
                        .is_some_and(|f| f.applies_to(file_type, &rel))
            })
            .map(|(i, _)| i)
            .collect();
        if open.is_empty() {
            continue;
        }
        let Some(text) = crate::fs::read_regular_path(&base.join(&rel), max_size)
            .ok()
            .and_then(|c| String::from_utf8(c.bytes).ok())
        else {
            continue;
        };
        let Ok(scalars) = file_type.format().scalars(&text) else {
            continue;
        };
        for i in open {
            let Some(p) = probes.get_mut(i) else { continue };
            for s in &scalars {
                let path: &[Seg] = match (p.place, s.kind) {
                    ("select", ScalarKind::Value) => &s.path,
                    ("keys_of", ScalarKind::Key) => match s.path.split_last() {
                        Some((_, parent)) => parent,
                        None => continue,
                    },
                    _ => continue,
                };
                if p.selector.matches(path) {
                    p.matched = true;
                    break;
                }
                if p.hint.is_none() {
                    p.hint = p.selector.did_you_mean(path);
                }
            }
        }
    }
    probes
        .into_iter()
        .filter(|p| !p.matched)
        .map(|p| {
            let origin = rules
                .fields
                .get(p.field)
                .map_or(String::new(), |f| format!("{}: ", f.origin));
            let mut msg = format!(
                "{origin}{} `{}` matches no scalar in any file it applies to",
                p.place, p.selector.text
            );
            if let Some(h) = p.hint {
                msg.push_str(&format!(" (did you mean `{h}`?)"));
            }
            Warning::new(msg)
        })
        .collect()
}
