//! The discovery as one JSON object, `"schema": "driftfix-discover/v1"`:
//! the same data as the draft and the markdown, for tools.
//!
//! ```text
//! { schema, summary, canonicals: [{name, description, given, authority: [{path, lines}],
//!     seen, aliases: [{alias, source, occurrences, evidence, likeness}]}],
//!   unresolved: [{candidate, reason, occurrences, evidence, likeness}],
//!   cross_reference: [{authority, canonical, equivalents: {editable, readonly}, match}],
//!   authority: {files, records: [{path, record, line, canonicals, identified_by}], aliases_held},
//!   errors: [{path, line, column, message}], skipped: [{path, reason}] }
//! ```

use serde_json::{Value, json};

use super::Outcome;
use crate::discover::authority::Authority;
use crate::discover::evidence::Place;
use crate::discover::propose::{Discovery, Evidence, Likeness, NameReport, Occurrences};
use crate::rules::Role;

/// The schema name and version of this output.
pub const SCHEMA: &str = "driftfix-discover/v1";

/// The whole object.
pub fn report(outcome: &Outcome) -> Value {
    let d = &outcome.discovery;
    let auth = &d.authority;
    json!({
        "schema": SCHEMA,
        "summary": {
            "files_read": d.files_read,
            "authority_files": auth.files.len(),
            "canonicals": d.canonicals.len(),
            "aliases_given": d.canonicals.iter().map(|c| c.aliases.len()).sum::<usize>() - d.proposed().count(),
            "aliases_proposed": d.proposed().count(),
            "unresolved": d.unresolved.len(),
        },
        "canonicals": d.canonicals.iter().map(|c| {
            let canon = auth.canonicals.get(c.index);
            json!({
                "name": d.name_of(c.index),
                "description": canon.and_then(|x| x.description.clone()),
                "given": canon.is_some_and(|x| x.given),
                "authority": canon.map(|x| uses(auth, x)).unwrap_or_default(),
                "seen": occurrences(&c.seen),
                "aliases": c.aliases.iter().map(|a| {
                    let mut v = name_report(d, &a.report, "alias");
                    if let Some(o) = v.as_object_mut() {
                        o.insert("source".into(), json!(a.source.name()));
                    }
                    v
                }).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
        "unresolved": d.unresolved.iter().map(|u| {
            let mut v = name_report(d, &u.report, "candidate");
            if let Some(o) = v.as_object_mut() {
                o.insert("reason".into(), json!(u.reason));
            }
            v
        }).collect::<Vec<_>>(),
        "cross_reference": d.cross.iter().map(|row| json!({
            "authority": auth.files.get(row.file),
            "canonical": d.name_of(row.canonical),
            "equivalents": {
                "editable": row.equivalents.get(&Role::Editable).cloned().unwrap_or_default(),
                "readonly": row.equivalents.get(&Role::Readonly).cloned().unwrap_or_default(),
            },
            "match": row.verdict.name(),
        })).collect::<Vec<_>>(),
        "authority": {
            "files": auth.files,
            "records": auth.records.iter().map(|r| json!({
                "path": auth.files.get(r.file),
                "record": r.path,
                "line": r.line,
                "canonicals": r.canonicals.iter().map(|c| d.name_of(*c)).collect::<Vec<_>>(),
                "identified_by": r.columns.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "aliases_held": auth.held.iter().map(|h| json!({
                "path": auth.files.get(h.file),
                "line": h.line,
                "field": h.field,
                "alias": h.alias,
                "canonical": d.name_of(h.canonical),
            })).collect::<Vec<_>>(),
        },
        "errors": outcome.errors.iter().map(|e| json!({
            "path": e.path, "line": e.line, "column": e.column, "message": e.message,
        })).collect::<Vec<_>>(),
        "skipped": outcome.skipped.iter().map(|s| json!({
            "path": s.path, "reason": s.reason.name(), "message": s.message,
        })).collect::<Vec<_>>(),
    })
}

/// [`report`] as pretty text with a final line break.
pub fn render(outcome: &Outcome) -> String {
    let mut s = serde_json::to_string_pretty(&report(outcome)).unwrap_or_default();
    s.push('\n');
    s
}

fn uses(auth: &Authority, c: &crate::discover::authority::Canonical) -> Vec<Value> {
    let mut out: Vec<(usize, Vec<usize>)> = Vec::new();
    for u in &c.uses {
        match out.iter_mut().find(|(f, _)| *f == u.file) {
            Some((_, lines)) => lines.push(u.line),
            None => out.push((u.file, vec![u.line])),
        }
    }
    out.into_iter()
        .map(|(f, lines)| json!({"path": auth.files.get(f), "lines": lines}))
        .collect()
}

fn name_report(d: &Discovery, r: &NameReport, key: &str) -> Value {
    let mut v = json!({
        "occurrences": occurrences(&r.occurrences),
        "evidence": evidence(d, &r.evidence),
        "likeness": r.likeness.iter().map(|l| match l {
            Likeness::Contains(c) => json!({"canonical": d.name_of(*c), "how": "contains", "word": null}),
            Likeness::Shares(c, w) => json!({"canonical": d.name_of(*c), "how": "shares", "word": w}),
        }).collect::<Vec<_>>(),
    });
    if let Some(o) = v.as_object_mut() {
        o.insert(key.into(), json!(r.name));
    }
    v
}

fn occurrences(o: &Occurrences) -> Value {
    json!({
        "total": o.total,
        "files": o.files.len(),
        "by_role": {
            "authority": o.in_role(Role::Authority),
            "readonly": o.in_role(Role::Readonly),
            "editable": o.in_role(Role::Editable),
        },
        "places": o.spots.iter().map(|s| json!({
            "path": s.path, "line": s.line, "field": s.field, "role": s.role.name(),
            "match": if s.token { "token" } else { "exact" },
        })).collect::<Vec<_>>(),
    })
}

fn place(p: &Place) -> Value {
    json!({"path": p.path, "line": p.line, "key": p.key, "value": p.value})
}

fn evidence(d: &Discovery, e: &Evidence) -> Value {
    json!({
        "record_links": e.links,
        "context": e.contexts,
        "refuted": e.refuted,
        "items": e.items.iter().map(|i| json!({
            "kind": i.kind.name(),
            "targets": i.targets.iter().map(|c| d.name_of(*c)).collect::<Vec<_>>(),
            "determinate": i.determinate().is_some(),
            "rivals": i.rivals,
            "seen": place(&i.seen),
            "authority": place(&i.authority),
            "shared_values": i.values,
        })).collect::<Vec<_>>(),
        "refutations": e.refutations.iter().map(|r| json!({
            "seen": place(&r.seen),
            "authority": place(&r.authority),
            "value": r.mine,
        })).collect::<Vec<_>>(),
    })
}
