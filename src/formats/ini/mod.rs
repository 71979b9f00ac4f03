//! Ansible INI inventories (SPEC §9), read the way ansible-core's `ini`
//! inventory plugin reads them, in the shape of Ansible's YAML inventories:
//!
//! ```text
//! { GROUP: { "hosts": { HOST: { VAR: VALUE } }, "vars": { VAR: VALUE }, "children": { GROUP: null } } }
//! ```
//!
//! Lines before any section belong to `ungrouped`. Scalars: every group
//! name (`[g]`, `[g:vars]`, `[g:children]` → key at `g`; a name listed in
//! `[x:children]` → key at `x.children.g`), every host (key at
//! `g.hosts.HOST`), every variable key (key) and string value (value at
//! `g.hosts.HOST.VAR` or `g.vars.VAR`). Host and group names carry a link
//! (namespaces `ini-host` and `ini-group`): all occurrences of one name are
//! one identity, renamed together.
//!
//! How ansible-core (2.19, checked with `ansible-inventory -i FILE --list`)
//! reads the text, and so how driftfix does (see [`parse`]):
//! - comments are lines whose first non-blank character is `#` or `;`; on
//!   a header, `#…` after the `]`; on a `[x:children]` line, `#…` after the
//!   name and a blank; on a host line, a `#` outside quotes **anywhere**,
//!   even inside a word (`h a=b#c` sets `a=b`), as `shlex` reads it; `;` is
//!   not a comment there (`h;x` is a host named `h;x`); in `[g:vars]`, the
//!   value is the rest of the line: `v=pve-shop # c` is the string
//!   `pve-shop # c`, while `v=8080 # c` is `8080`, because the value goes
//!   through Python's `ast.literal_eval` and `# c` is a Python comment;
//! - values go through `ast.literal_eval` ([`pylit`]): `'x'` and `"a b"`
//!   are strings without their quotes, `12`, `True`, `1,2` are not strings
//!   (never labels); on a host line `shlex` removes one layer of quotes
//!   first (`a='1'` is the number 1, `a="'1'"` the string `1`);
//! - a group and a host may share a name (a warning, still parsed);
//! - a UTF-8 byte order mark is read as part of the first line (a header
//!   there fails as a host range), so such a file is a parse error here.
//!
//! Edits replace only the bytes that spell the alias, where they stand
//! verbatim (never inside quotes' escapes), and only when the line reads
//! back with exactly the new name or value ([`Ini::edits`] re-reads the
//! edited line). A host range (`web[01:03]`): an alias inside its brackets
//! is `manual`; so is an alias glued to a bracket (`pve-shop[1:3]`, whose
//! hosts are `pve-shop1`… — in those names `pve-shop` is not a token, and
//! renaming would rename other machines); an alias elsewhere in the fixed
//! part (`pve-shop.lan-[1:3]`) is renamed in every host of the range at once.
//! Verification re-reads the whole edited file with the same model and
//! compares it with the planned substitution ([`verify`]).

mod parse;
mod pylit;
mod shlex;
mod verify;

use std::collections::HashSet;
use std::ops::Range;

use super::{
    DocPath, Edit, Format, FormatSpec, Link, ParseError, Parsed, Piece, Rare, Replacement, Scalar,
    ScalarKind, Scan, Seg, Share, Substitution, apply_replacements, source_range,
};

/// The INI entry of the format registry. Files named `hosts` (no
/// extension) are Ansible inventories too, but also `/etc/hosts` copies:
/// they need a `[types]` line (`"**/hosts" = "ini"`).
pub static SPEC: FormatSpec = FormatSpec {
    name: "ini",
    globs: &["**/*.ini"],
    comments: "`#` or `;` starting a line; `#` after a header, a child group name or a host entry (Ansible's reading)",
    root_is_table: true,
    governed_as: None,
    default_field: true,
    lines_only: false,
    engine: &Ini,
};

pub use parse::{Doc, GROUP_NAMESPACE, HOST_NAMESPACE, Role, read};

/// The INI (Ansible inventory) format engine.
pub struct Ini;

impl Format for Ini {
    fn scan(&self, src: &str) -> Result<Scan, ParseError> {
        let doc = parse::read(src)?;
        let model = verify::Model::copied(&doc);
        Ok(Scan {
            scalars: doc.scalars,
            comments: doc.comments,
            parsed: Some(Parsed::new(model)),
        })
    }

    /// The scan, keeping only what planning can use (see [`needed`]); the
    /// verification's model still holds every scalar.
    fn scan_for(&self, src: &str, may_hold: &dyn Fn(&[u8]) -> bool) -> Result<Scan, ParseError> {
        let mut scan = self.scan(src)?;
        let keep = needed(&scan.scalars, may_hold);
        let mut keep = keep.into_iter();
        scan.scalars.retain(|_| keep.next().unwrap_or(true));
        Ok(scan)
    }

    fn edits(
        &self,
        src: &str,
        scalar: &Scalar,
        replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String> {
        edits(src, scalar, replacements)
    }

    fn verify(
        &self,
        old: &str,
        old_parsed: Option<&Parsed>,
        new: &str,
        subs: &[Substitution],
    ) -> Result<(), String> {
        verify::verify(
            old,
            old_parsed.and_then(Parsed::get::<verify::Model>),
            new,
            subs,
        )
    }
}

/// Which scalars [`Format::scan_for`] keeps, by the other engines' rule:
/// a value when its text passes `may_hold`; a key when some key of the
/// same mapping passes (a rename onto a sibling key collides); a host or
/// group name when some name of its namespace passes, wherever it stands
/// (a rename onto any host or group of the file collides, SPEC §9, and one
/// name's places are renamed together). So a file whose names hold no
/// alias keeps none of them: most of a large inventory's scalars.
fn needed(scalars: &[Scalar], may_hold: &dyn Fn(&[u8]) -> bool) -> Vec<bool> {
    let passes: Vec<bool> = scalars
        .iter()
        .map(|s| may_hold(s.value.as_bytes()))
        .collect();
    let mut namespaces: HashSet<&str> = HashSet::new();
    let mut mappings: HashSet<&[Seg]> = HashSet::new();
    for (s, _) in scalars.iter().zip(&passes).filter(|(_, p)| **p) {
        if let Some(link) = s.link() {
            namespaces.insert(&link.namespace);
        }
        if let (ScalarKind::Key, Some((_, parent))) = (s.kind, s.path.split_last()) {
            mappings.insert(parent);
        }
    }
    scalars
        .iter()
        .zip(passes)
        .map(|(s, passes)| {
            passes
                || s.link()
                    .is_some_and(|l| namespaces.contains(l.namespace.as_str()))
                || (s.kind == ScalarKind::Key
                    && s.path
                        .split_last()
                        .is_some_and(|(_, p)| mappings.contains(p)))
        })
        .collect()
}

/// Builds an INI scalar (one place to adapt when [`Scalar`] grows).
fn scalar(
    path: DocPath,
    kind: ScalarKind,
    value: String,
    span: Range<usize>,
    content: Range<usize>,
    pieces: Vec<Piece>,
    link: Option<Link>,
) -> Scalar {
    Scalar {
        document: 0,
        path,
        kind,
        value,
        span,
        content,
        style: parse::STYLE,
        pieces,
        in_flow: false,
        share: Share::None,
        rare: Rare::boxed(link, None),
        not_string: false,
        typed_by_text: false,
    }
}

/// What a scalar is, from its path and kind (see [`Role`]).
pub fn role_of(scalar: &Scalar) -> Option<Role> {
    let key = scalar.kind == ScalarKind::Key;
    if scalar.path.len() == 1 {
        return key.then_some(Role::SectionName);
    }
    let Some(Seg::Key(section)) = scalar.path.get(1) else {
        return None;
    };
    Some(match (scalar.path.len(), section.as_str(), key) {
        (3, "hosts", true) => Role::Host,
        (4, "hosts", true) => Role::HostVarKey,
        (4, "hosts", false) => Role::HostVarValue,
        (3, "vars", true) => Role::GroupVarKey,
        (3, "vars", false) => Role::GroupVarValue,
        (3, "children", true) => Role::Child,
        _ => return None,
    })
}

fn edits(src: &str, scalar: &Scalar, replacements: &[Replacement]) -> Result<Vec<Edit>, String> {
    let role = role_of(scalar).ok_or("not an INI inventory scalar")?;
    let ranges = if role == Role::Host {
        parse::range_spans(&scalar.value)
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(replacements.len());
    let mut prev_end = 0;
    for r in replacements {
        if r.range.start < prev_end || r.range.start > r.range.end {
            return Err("replacements overlap or are out of order".to_string());
        }
        prev_end = r.range.end;
        for b in &ranges {
            if r.range.start < b.end && b.start < r.range.end {
                return Err(format!(
                    "the alias is inside the host range `{}`: rename the range by hand",
                    scalar.value
                ));
            }
            if r.range.end == b.start || r.range.start == b.end {
                return Err(format!(
                    "the alias runs into the host range of `{}`: its hosts' names (e.g. `{}`) hold the alias only as part of a longer name, so they are other machines; rename by hand",
                    scalar.value,
                    first_host(&scalar.value)
                ));
            }
        }
        let range = source_range(scalar, &r.range)
            .ok_or("the alias is spelled with quotes or escapes in the file; rename it by hand")?;
        out.push(Edit {
            range,
            text: r.text.to_string(),
        });
    }
    check_line(
        src,
        scalar,
        role,
        &out,
        &apply_replacements(&scalar.value, replacements),
    )?;
    Ok(out)
}

/// The first host a range pattern expands to (for messages).
fn first_host(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open + 1..).unwrap_or("");
        let close = after.find(']').unwrap_or(after.len());
        out.push_str(
            after
                .get(..close)
                .unwrap_or("")
                .split(':')
                .next()
                .unwrap_or(""),
        );
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The line around byte `at`: its start and the end of its content (before
/// `\r\n` or `\n`).
fn line_around(src: &str, at: usize) -> Range<usize> {
    let start = src
        .get(..at)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let mut end = src
        .get(at..)
        .and_then(|s| s.find('\n'))
        .map_or(src.len(), |i| at + i);
    if end > start && src.as_bytes().get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    start..end
}

/// Re-reads the edited line and checks that it says exactly what the old
/// line said, with this scalar's value replaced by `new_value`.
fn check_line(
    src: &str,
    scalar: &Scalar,
    role: Role,
    edits: &[Edit],
    new_value: &str,
) -> Result<(), String> {
    let line = line_around(src, scalar.span.start);
    let old_line = src
        .get(line.clone())
        .ok_or("the scalar is not in the text")?;
    let mut new_line = String::with_capacity(old_line.len() + 16);
    let mut at = line.start;
    for e in edits {
        if e.range.start < at || e.range.end > line.end {
            return Err("an edit leaves the scalar's line".to_string());
        }
        new_line.push_str(src.get(at..e.range.start).unwrap_or(""));
        new_line.push_str(&e.text);
        at = e.range.end;
    }
    new_line.push_str(src.get(at..line.end).unwrap_or(""));
    let group = match scalar.path.first() {
        Some(Seg::Key(g)) => g.as_str(),
        _ => "ungrouped",
    };
    let section = match role {
        Role::GroupVarKey | Role::GroupVarValue => parse::Section::Vars,
        Role::Child => parse::Section::Children,
        _ => parse::Section::Hosts,
    };
    let read_line = |text: &str| {
        let mut r = parse::Reader::at(group, section);
        r.line(text, line.start).map(|()| r.doc)
    };
    let old =
        read_line(old_line).map_err(|f| format!("the line does not read back: {}", f.message))?;
    let new = read_line(&new_line).map_err(|f| {
        format!(
            "the new text would make the line unreadable for ansible-core ({}); rename by hand",
            f.message
        )
    })?;
    let idx = old
        .scalars
        .iter()
        .position(|s| s.span == scalar.span && s.kind == scalar.kind)
        .ok_or("the scalar is not where it was scanned")?;
    let same = old.facts == new.facts
        && old.scalars.len() == new.scalars.len()
        && old
            .scalars
            .iter()
            .zip(&new.scalars)
            .enumerate()
            .all(|(i, (o, n))| {
                let want = if i == idx {
                    new_value
                } else {
                    o.value.as_str()
                };
                o.kind == n.kind && n.value == want
            });
    if same {
        Ok(())
    } else {
        Err(format!(
            "`{new_value}` would not read back as the same {} on this line (ansible-core would see another structure); rename by hand",
            role_name(role)
        ))
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::SectionName | Role::Child => "group name",
        Role::Host => "host name",
        Role::HostVarKey | Role::GroupVarKey => "variable name",
        Role::HostVarValue | Role::GroupVarValue => "value",
    }
}

#[cfg(test)]
mod tests;
