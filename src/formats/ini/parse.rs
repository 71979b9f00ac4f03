//! The INI inventory reader: ansible-core's ini plugin (2.19), line by
//! line, with byte spans.
//!
//! Each line is read as `InventoryModule._parse` reads it: stripped of
//! Python whitespace; empty lines and lines whose first character is `#` or
//! `;` are comments; a `[name]`, `[name:vars]`, `[name:children]` or
//! `[name:hosts]` header (optionally followed by blanks and a `#…` comment)
//! switches the section; any other line is a host line (`shlex`, see
//! [`super::shlex`]), a `key=value` line (split at the first `=`, both sides
//! stripped) or a child group name, by section. Values go through
//! `ast.literal_eval` ([`super::pylit`]). The checks ansible-core makes on
//! the whole file (a `[g:vars]` or `[x:children]` naming a group that is
//! never declared, a group made its own ancestor) are made too, so a file
//! that ansible-core refuses is a parse error here, with its line.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::formats::{DocPath, Link, ParseError, Piece, Scalar, ScalarKind, Seg, Style};
use crate::text::LineIndex;

use super::{pylit, shlex};

/// The link namespaces of INI names (SPEC §9: hosts and groups are two).
pub const HOST_NAMESPACE: &str = "ini-host";
pub const GROUP_NAMESPACE: &str = "ini-group";

/// What a scalar is in the inventory model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// `[g]`, `[g:vars]`, `[g:children]`: key at `g`.
    SectionName,
    /// A host pattern in `[g]`: key at `g.hosts.HOST`.
    Host,
    /// `k` of `k=v` on a host line: key at `g.hosts.HOST.k`.
    HostVarKey,
    /// `v` of `k=v` on a host line: value at `g.hosts.HOST.k`.
    HostVarValue,
    /// `k` in `[g:vars]`: key at `g.vars.k`.
    GroupVarKey,
    /// `v` in `[g:vars]`: value at `g.vars.k`.
    GroupVarValue,
    /// A name in `[x:children]`: key at `x.children.g`.
    Child,
}

/// The section a line is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Hosts,
    Vars,
    Children,
}

/// A structural fact of the file, in order. Every string scalar is one
/// [`Fact::Slot`]; everything that is never edited (section kinds, ports,
/// non-string values) is compared as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    Section(String),
    Slot(Role),
    /// A host's `:port`, as written.
    Port(String),
    /// A value `ast.literal_eval` reads as a non-string, as written.
    Other(String),
    EndOfLine,
}

/// The reading of a whole file.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub scalars: Vec<Scalar>,
    pub roles: Vec<Role>,
    pub facts: Vec<Fact>,
    pub comments: Vec<Range<usize>>,
}

/// A reader error before it is turned into a line and column.
#[derive(Clone, Debug)]
pub struct Fail {
    pub at: usize,
    pub message: String,
}

fn fail<T>(at: usize, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail {
        at,
        message: message.into(),
    })
}

/// Python's `str.isspace()`: Unicode White_Space plus the four ASCII
/// separators U+001C..U+001F, which Python also counts as whitespace.
pub fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `\w` on `str` patterns (close enough: Unicode alphanumerics).
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters that Python's `str.splitlines()` takes as line breaks
/// besides LF, CR and CRLF. ansible-core splits the file with it, so a
/// form feed in a value ends the line there; driftfix does not model that.
fn odd_line_break(c: char) -> bool {
    matches!(
        c,
        '\u{b}' | '\u{c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Reads the whole text.
pub fn read(src: &str) -> Result<Doc, ParseError> {
    read_with(src, Reader::default())
}

/// Reads the whole text for [`super::verify::Model`]: the scalars without
/// their paths and links, which verification never reads (a host
/// variable's path is four strings, a host's link two: most of what a full
/// reading allocates).
pub fn read_lean(src: &str) -> Result<Doc, ParseError> {
    read_with(
        src,
        Reader {
            lean: true,
            ..Reader::default()
        },
    )
}

fn read_with(src: &str, reader: Reader) -> Result<Doc, ParseError> {
    read_inner(src, reader).map_err(|f| {
        let (line, column) = LineIndex::new(src).line_col(f.at);
        ParseError {
            line,
            column,
            message: f.message,
        }
    })
}

fn read_inner(src: &str, mut r: Reader) -> Result<Doc, Fail> {
    if src.starts_with('\u{feff}') {
        return fail(
            0,
            "the file starts with a UTF-8 byte order mark, which ansible-core reads as part of the first line (a header there fails as a host range); remove it",
        );
    }
    let mut start = 0;
    while start < src.len() || start == 0 {
        let rest = src.get(start..).unwrap_or("");
        let (end, next) = match rest.find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (src.len(), src.len()),
        };
        let mut content_end = end;
        if src.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start {
            content_end = end - 1;
        }
        let line = src.get(start..content_end).unwrap_or("");
        if let Some((i, _)) = line
            .char_indices()
            .find(|&(_, c)| c == '\r' || odd_line_break(c))
        {
            return fail(
                start + i,
                "a line break other than LF or CRLF (CR, vertical tab, form feed, U+0085, U+2028…): Python's splitlines(), which ansible-core uses, splits the line there; driftfix does not edit such files",
            );
        }
        r.line(line, start)?;
        if next >= src.len() {
            break;
        }
        start = next;
    }
    r.finish()?;
    Ok(r.doc)
}

/// A pending declaration, as in `InventoryModule._parse`.
#[derive(Clone, Debug)]
struct Pending {
    at: usize,
    children: bool,
    name: String,
    parents: Vec<String>,
}

#[derive(Debug)]
pub struct Reader {
    pub doc: Doc,
    pub group: String,
    pub section: Section,
    groups: HashSet<String>,
    pending: Vec<Pending>,
    /// Child → parents, to refuse loops as ansible-core does.
    parents_of: HashMap<String, Vec<String>>,
    /// Scalars get no path and no link ([`read_lean`]).
    lean: bool,
}

impl Default for Reader {
    fn default() -> Self {
        Reader {
            doc: Doc::default(),
            group: "ungrouped".to_string(),
            section: Section::Hosts,
            groups: ["all", "ungrouped"].iter().map(|s| s.to_string()).collect(),
            pending: Vec::new(),
            parents_of: HashMap::new(),
            lean: false,
        }
    }
}

/// The stripped content of a line: `(text, absolute start)`.
fn strip(line: &str, base: usize) -> (&str, usize) {
    let trimmed_start = line.trim_start_matches(py_space);
    let lead = line.len() - trimmed_start.len();
    (trimmed_start.trim_end_matches(py_space), base + lead)
}

impl Reader {
    /// A reader positioned in `group`'s `section`, for re-reading one line.
    pub fn at(group: &str, section: Section) -> Reader {
        Reader {
            group: group.to_string(),
            section,
            ..Reader::default()
        }
    }

    /// The path of a scalar at `segs` (none when lean).
    fn path(&self, segs: &[&str]) -> DocPath {
        if self.lean {
            return Vec::new();
        }
        segs.iter().map(|s| Seg::Key(s.to_string())).collect()
    }

    fn push(
        &mut self,
        role: Role,
        path: DocPath,
        value: String,
        span: Range<usize>,
        pieces: Vec<Piece>,
    ) {
        let kind = match role {
            Role::HostVarValue | Role::GroupVarValue => ScalarKind::Value,
            _ => ScalarKind::Key,
        };
        let namespace = match role {
            Role::Host => Some(HOST_NAMESPACE),
            Role::SectionName | Role::Child => Some(GROUP_NAMESPACE),
            _ => None,
        };
        let link = namespace.filter(|_| !self.lean).map(|n| Link {
            namespace: n.to_string(),
            name: value.clone(),
        });
        // Inside the quotes: from the first verbatim character to the last.
        let content = match (pieces.first(), pieces.last()) {
            (Some(a), Some(b)) => a.source.start..b.source.end,
            _ => span.clone(),
        };
        self.doc.scalars.push(super::scalar(
            path, kind, value, span, content, pieces, link,
        ));
        self.doc.roles.push(role);
        self.doc.facts.push(Fact::Slot(role));
    }

    /// Reads one line (without its line break) that starts at byte `base`.
    pub fn line(&mut self, line: &str, base: usize) -> Result<(), Fail> {
        let (text, at) = strip(line, base);
        match text.chars().next() {
            None => return Ok(()),
            Some('#' | ';') => {
                self.doc.comments.push(at..at + text.len());
                return Ok(());
            }
            _ => {}
        }
        if self.header(text, at)? {
            self.doc.facts.push(Fact::EndOfLine);
            return Ok(());
        }
        if text.starts_with('[') && text.ends_with(']') {
            return fail(
                at,
                format!(
                    "Invalid section entry: '{text}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters (ansible-core's message)"
                ),
            );
        }
        match self.section {
            Section::Hosts => self.host_line(text, at)?,
            Section::Vars => self.var_line(text, at)?,
            Section::Children => self.child_line(text, at)?,
        }
        self.doc.facts.push(Fact::EndOfLine);
        Ok(())
    }

    /// `^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$` on the stripped line.
    fn header(&mut self, text: &str, at: usize) -> Result<bool, Fail> {
        let Some(inner) = text.strip_prefix('[') else {
            return Ok(false);
        };
        let name_len = inner
            .find(|c: char| c == ':' || c == ']' || py_space(c))
            .unwrap_or(inner.len());
        if name_len == 0 {
            return Ok(false);
        }
        let (name, mut rest) = inner.split_at(name_len);
        let mut state = None;
        if let Some(after) = rest.strip_prefix(':') {
            let n = after.find(|c: char| !word_char(c)).unwrap_or(after.len());
            if n == 0 {
                return Ok(false);
            }
            let (s, r) = after.split_at(n);
            state = Some(s);
            rest = r;
        }
        let Some(after) = rest.strip_prefix(']') else {
            return Ok(false);
        };
        let tail = after.trim_start_matches(py_space);
        if !tail.is_empty() && !tail.starts_with('#') {
            return Ok(false);
        }
        let tail_at = at + text.len() - tail.len();
        let section = match state {
            None | Some("hosts") => Section::Hosts,
            Some("vars") => Section::Vars,
            Some("children") => Section::Children,
            Some(other) => {
                return fail(
                    at,
                    format!(
                        "Section [{name}:{other}] has unknown type: {other} (ansible-core's message)"
                    ),
                );
            }
        };
        if !tail.is_empty() {
            self.doc.comments.push(tail_at..tail_at + tail.len());
        }
        let name_at = at + 1;
        self.doc
            .facts
            .push(Fact::Section(state.unwrap_or("").to_string()));
        self.push(
            Role::SectionName,
            self.path(&[name]),
            name.to_string(),
            name_at..name_at + name.len(),
            vec![Piece {
                value: 0..name.len(),
                source: name_at..name_at + name.len(),
            }],
        );
        self.declare(name, section, at)?;
        self.group = name.to_string();
        self.section = section;
        Ok(true)
    }

    /// ansible-core's bookkeeping of declared groups for a header.
    fn declare(&mut self, name: &str, section: Section, at: usize) -> Result<(), Fail> {
        let known = self.pending.iter().position(|p| p.name == name);
        if !self.groups.contains(name) {
            if section == Section::Vars && known.is_none() {
                self.pending.push(Pending {
                    at,
                    children: false,
                    name: name.to_string(),
                    parents: Vec::new(),
                });
            }
            self.groups.insert(name.to_string());
        }
        if section != Section::Vars {
            self.resolve(name, at, 0)?;
        }
        Ok(())
    }

    /// A pending group is declared: link it to the parents that named it
    /// (`_add_pending_children`) or drop its pending `:vars` note.
    fn resolve(&mut self, name: &str, at: usize, depth: usize) -> Result<(), Fail> {
        if depth > 1000 {
            return fail(at, "groups nested deeper than driftfix follows");
        }
        let Some(i) = self.pending.iter().position(|p| p.name == name) else {
            return Ok(());
        };
        let entry = self.pending.remove(i);
        if entry.children {
            for parent in &entry.parents {
                self.add_child(parent, name, at)?;
                if self.pending.iter().any(|p| &p.name == parent && p.children) {
                    self.resolve(parent, at, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// `Group.add_child_group`'s checks: not itself, no loop.
    fn add_child(&mut self, parent: &str, child: &str, at: usize) -> Result<(), Fail> {
        if parent == child {
            return fail(
                at,
                "can't add group to itself (ansible-core's message)".to_string(),
            );
        }
        // A loop: the parent is already a descendant of the child.
        let mut stack = vec![parent.to_string()];
        let mut seen = HashSet::new();
        while let Some(g) = stack.pop() {
            if g == child {
                return fail(
                    at,
                    format!(
                        "Adding group '{child}' as child to '{parent}' creates a recursive dependency loop (ansible-core's message)"
                    ),
                );
            }
            if seen.insert(g.clone())
                && let Some(ps) = self.parents_of.get(&g)
            {
                stack.extend(ps.iter().cloned());
            }
        }
        let ps = self.parents_of.entry(child.to_string()).or_default();
        if !ps.iter().any(|p| p == parent) {
            ps.push(parent.to_string());
        }
        Ok(())
    }

    /// `^([^:\]\s]+)\s*(?:#.*)?$` in a `[x:children]` section.
    fn child_line(&mut self, text: &str, at: usize) -> Result<(), Fail> {
        let n = text
            .find(|c: char| c == ':' || c == ']' || py_space(c))
            .unwrap_or(text.len());
        let (name, rest) = text.split_at(n);
        let tail = rest.trim_start_matches(py_space);
        if name.is_empty() || !(tail.is_empty() || tail.starts_with('#')) {
            return fail(
                at,
                format!("Expected group name, got: {text} (ansible-core's message)"),
            );
        }
        if !tail.is_empty() {
            let t = at + text.len() - tail.len();
            self.doc.comments.push(t..t + tail.len());
        }
        let group = self.group.clone();
        self.push(
            Role::Child,
            self.path(&[&group, "children", name]),
            name.to_string(),
            at..at + name.len(),
            vec![Piece {
                value: 0..name.len(),
                source: at..at + name.len(),
            }],
        );
        if self.groups.contains(name) {
            self.add_child(&group, name, at)?;
        } else if let Some(p) = self.pending.iter_mut().find(|p| p.name == name) {
            p.parents.push(group);
        } else {
            self.pending.push(Pending {
                at,
                children: true,
                name: name.to_string(),
                parents: vec![group],
            });
        }
        Ok(())
    }

    /// `key=value` in a `[g:vars]` section: split at the first `=`, both
    /// sides stripped, the value read by `ast.literal_eval`.
    fn var_line(&mut self, text: &str, at: usize) -> Result<(), Fail> {
        let Some(eq) = text.find('=') else {
            return fail(
                at,
                format!("Expected key=value, got: {text} (ansible-core's message)"),
            );
        };
        let (k, k_at) = strip(text.get(..eq).unwrap_or(""), at);
        let (v, v_at) = strip(text.get(eq + 1..).unwrap_or(""), at + eq + 1);
        let base = self.path(&[&self.group, "vars", k]);
        self.push(
            Role::GroupVarKey,
            base.clone(),
            k.to_string(),
            k_at..k_at + k.len(),
            vec![Piece {
                value: 0..k.len(),
                source: k_at..k_at + k.len(),
            }],
        );
        let verbatim = vec![Piece {
            value: 0..v.len(),
            source: v_at..v_at + v.len(),
        }];
        self.value(
            Role::GroupVarValue,
            base,
            v,
            v_at..v_at + v.len(),
            &verbatim,
        )
    }

    /// A value (`decoded`, spelled by `pieces` in the source) read as
    /// `ast.literal_eval` reads it.
    fn value(
        &mut self,
        role: Role,
        path: DocPath,
        decoded: &str,
        span: Range<usize>,
        pieces: &[Piece],
    ) -> Result<(), Fail> {
        let reading = pylit::read(decoded).map_err(|e| Fail {
            at: span.start,
            message: format!("{} (value {decoded:?})", e.0),
        })?;
        match reading.lit {
            pylit::Lit::Text => {
                self.push(role, path, decoded.to_string(), span, pieces.to_vec());
            }
            pylit::Lit::Str { value, pieces: lp } => {
                let composed = compose(&lp, pieces);
                self.push(role, path, value, span, composed);
            }
            pylit::Lit::Other => self.doc.facts.push(Fact::Other(decoded.to_string())),
        }
        if let Some(c) = reading.comment {
            // A Python comment: only where it stands verbatim in the file.
            if let Some(r) = map_range(pieces, &c) {
                self.doc.comments.push(r);
            }
        }
        Ok(())
    }

    /// A host line in a `[g]` section: `HOST [key=value ...]`.
    fn host_line(&mut self, text: &str, at: usize) -> Result<(), Fail> {
        let split = shlex::split(text, at).map_err(|e| Fail {
            at: e.at,
            message: format!(
                "Error parsing host definition '{text}': {} (ansible-core's message)",
                e.message
            ),
        })?;
        if let Some(c) = split.comment.clone() {
            self.doc.comments.push(c);
        }
        let mut tokens = split.tokens.into_iter();
        let Some(host) = tokens.next() else {
            return fail(at, format!("no host name on the host line: {text}"));
        };
        let (name, port) = host_pattern(&host.text).map_err(|m| Fail {
            at: host.span.start,
            message: m,
        })?;
        let name_text = host.text.get(name.clone()).unwrap_or("").to_string();
        let name_pieces = slice_pieces(&host.pieces, &name);
        let span = span_of(&host, &name);
        let path = self.path(&[&self.group, "hosts", &name_text]);
        self.push(Role::Host, path, name_text.clone(), span, name_pieces);
        if let Some(p) = port {
            self.doc.facts.push(Fact::Port(p));
        }
        for t in tokens {
            let Some(eq) = t.text.find('=') else {
                return fail(
                    t.span.start,
                    format!(
                        "Expected key=value host variable assignment, got: {} (ansible-core's message)",
                        t.text
                    ),
                );
            };
            let key = t.text.get(..eq).unwrap_or("").to_string();
            let path = self.path(&[&self.group, "hosts", &name_text, &key]);
            let kr = 0..eq;
            self.push(
                Role::HostVarKey,
                path.clone(),
                key,
                span_of(&t, &kr),
                slice_pieces(&t.pieces, &kr),
            );
            let vr = eq + 1..t.text.len();
            let v = t.text.get(vr.clone()).unwrap_or("");
            let vp = slice_pieces(&t.pieces, &vr);
            self.value(Role::HostVarValue, path, v, span_of(&t, &vr), &vp)?;
        }
        Ok(())
    }

    /// Checks that everything pending was declared (the end of `_parse`).
    pub fn finish(&self) -> Result<(), Fail> {
        if let Some(p) = self.pending.first() {
            return if p.children {
                let parent = p.parents.last().map_or("", String::as_str);
                fail(
                    p.at,
                    format!(
                        "Section [{parent}:children] includes undefined group '{}' (ansible-core's message)",
                        p.name
                    ),
                )
            } else {
                fail(
                    p.at,
                    format!(
                        "Section [{0}:vars] not valid for undefined group '{0}' (ansible-core's message)",
                        p.name
                    ),
                )
            };
        }
        Ok(())
    }
}

/// The source range of the decoded range `r` of a token: its quotes
/// included where `r` reaches the token's start or end (`a="x y"`: the
/// value's span is `"x y"`), else from the source of its first verbatim
/// character to that of its last.
fn span_of(t: &shlex::Token, r: &Range<usize>) -> Range<usize> {
    let overlaps = |p: &&Piece| p.value.start < r.end && r.start < p.value.end;
    let start = match t.pieces.iter().find(overlaps) {
        _ if r.start == 0 => t.span.start,
        Some(first) => first.source.start + r.start.saturating_sub(first.value.start),
        None => t.span.end,
    };
    let end = match t.pieces.iter().rfind(overlaps) {
        _ if r.end == t.text.len() => t.span.end,
        Some(last) => last.source.end - last.value.end.saturating_sub(r.end),
        None => start,
    };
    start..end.max(start)
}

/// The pieces of `pieces` within the value range `r`, re-based to `r.start`.
fn slice_pieces(pieces: &[Piece], r: &Range<usize>) -> Vec<Piece> {
    pieces
        .iter()
        .filter_map(|p| {
            let s = p.value.start.max(r.start);
            let e = p.value.end.min(r.end);
            (s < e).then(|| Piece {
                value: s - r.start..e - r.start,
                source: p.source.start + (s - p.value.start)..p.source.start + (e - p.value.start),
            })
        })
        .collect()
}

/// Pieces of a value read from a text (`inner`: value → text offsets),
/// where the text's own pieces (`outer`: text → file offsets) say where it
/// stands in the file: the stretches verbatim through both layers.
fn compose(inner: &[Piece], outer: &[Piece]) -> Vec<Piece> {
    let mut out = Vec::new();
    for i in inner {
        for o in outer {
            let s = i.source.start.max(o.value.start);
            let e = i.source.end.min(o.value.end);
            if s < e {
                out.push(Piece {
                    value: i.value.start + (s - i.source.start)
                        ..i.value.start + (e - i.source.start),
                    source: o.source.start + (s - o.value.start)
                        ..o.source.start + (e - o.value.start),
                });
            }
        }
    }
    out
}

/// A range of a decoded text mapped to the file, when one piece holds it.
fn map_range(pieces: &[Piece], r: &Range<usize>) -> Option<Range<usize>> {
    pieces.iter().find_map(|p| {
        (p.value.start <= r.start && r.end <= p.value.end).then(|| {
            let off = p.source.start - p.value.start;
            r.start + off..r.end + off
        })
    })
}

/// Splits a host token into the host pattern (a range of the token) and
/// its port, as `_expand_hostpattern` and `parse_address` do, and applies
/// their checks (a trailing `:`, `---`, a malformed range).
fn host_pattern(token: &str) -> Result<(Range<usize>, Option<String>), String> {
    let mut addr = 0..token.len();
    let mut port = None;
    // `[host]:port`, then `host:port`, in that order, as parse_address does.
    if let Some(t) = token.get(addr.clone())
        && let Some((inner, p)) = bracketed_hostport(t)
    {
        addr = addr.start + inner.start..addr.start + inner.end;
        port = Some(p.to_string());
    }
    if let Some(t) = token.get(addr.clone())
        && let Some((host_end, p)) = hostport(t)
    {
        port = Some(p.to_string());
        addr = addr.start..addr.start + host_end;
    }
    let host = token.get(addr.clone()).unwrap_or("");
    if !(is_hostname(host) || is_ipv6(host)) {
        addr = 0..token.len();
        port = None;
    }
    if token.trim_matches(py_space).ends_with(':') && port.is_none() {
        return Err(format!(
            "Invalid host pattern '{token}' supplied, ending in ':' is not allowed, this character is reserved to provide a port. (ansible-core's message)"
        ));
    }
    let pattern = token.get(addr.clone()).unwrap_or("");
    if pattern.trim_matches(py_space) == "---" {
        return Err(format!(
            "Invalid host pattern '{token}' supplied, '---' is normally a sign this is a YAML file. (ansible-core's message)"
        ));
    }
    if pattern.is_empty() {
        return Err("an empty host name".to_string());
    }
    if pattern.contains('[') || pattern.contains(']') {
        check_ranges(pattern)?;
    }
    Ok((addr, port))
}

/// `^\[(.+)\]:([0-9]+)$`: the inner range and the port.
fn bracketed_hostport(t: &str) -> Option<(Range<usize>, &str)> {
    let rest = t.strip_prefix('[')?;
    let colon = rest.rfind("]:")?;
    let port = rest.get(colon + 2..)?;
    if colon == 0 || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((1..1 + colon, port))
}

/// `^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$`: the host's end and the port.
fn hostport(t: &str) -> Option<(usize, &str)> {
    let colon = t.rfind(':')?;
    let port = t.get(colon + 1..)?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let host = t.get(..colon)?;
    let mut in_bracket = false;
    for c in host.chars() {
        match (in_bracket, c) {
            (false, '[') => in_bracket = true,
            (false, ':' | ']') => return None,
            (true, ']') => in_bracket = false,
            _ => {}
        }
    }
    (!in_bracket).then_some((colon, port))
}

/// A range as `alphanumeric_range` allows it: `[a:z]` or `[0:9]`, with an
/// optional `:step`; returns its length, or `None`.
fn range_len(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('[')?;
    let close = inner.find(']')?;
    let body = inner.get(..close)?;
    let parts: Vec<&str> = body.split(':').collect();
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let letter = |p: &str| p.len() == 1 && p.bytes().all(|b| b.is_ascii_alphabetic());
    let ok = match parts.as_slice() {
        [a, b] | [a, b, _] => (digits(a) && digits(b)) || (letter(a) && letter(b)),
        _ => false,
    } && match parts.as_slice() {
        [_, _, step] => digits(step),
        _ => true,
    };
    ok.then_some(close + 2)
}

/// `parse_address`'s hostname pattern: dot-separated labels of `\w` and
/// ranges, with `-` and `_` inside, not ending in `-` or `_`.
fn is_hostname(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_label)
}

fn is_label(l: &str) -> bool {
    let mut rest = l;
    let mut first = true;
    let mut last = None;
    while !rest.is_empty() {
        if rest.starts_with('[') {
            let Some(n) = range_len(rest) else {
                return false;
            };
            rest = rest.get(n..).unwrap_or("");
            last = Some(']');
        } else {
            let Some(c) = rest.chars().next() else {
                return false;
            };
            if !(word_char(c) || (!first && c == '-')) {
                return false;
            }
            rest = rest.get(c.len_utf8()..).unwrap_or("");
            last = Some(c);
        }
        first = false;
    }
    matches!(last, Some(c) if c != '-' && c != '_')
}

/// IPv6 addresses (without ranges): what the standard library accepts.
fn is_ipv6(s: &str) -> bool {
    s.contains(':') && s.parse::<std::net::Ipv6Addr>().is_ok()
}

/// `expand_hostname_range`'s checks: every `[…]` is `begin:end[:step]`,
/// numeric (equal widths when zero-padded) or one letter each, begin ≤ end;
/// no `|` (its split would break) and no nested or unbalanced brackets.
fn check_ranges(pattern: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "host range in '{pattern}': {why} (ansible-core refuses it or driftfix does not model it)"
        ))
    };
    if pattern.contains('|') {
        return bad("'|' next to a range");
    }
    let mut rest = pattern;
    while let Some(open) = rest.find('[') {
        let after = rest.get(open + 1..).unwrap_or("");
        if rest.get(..open).is_some_and(|h| h.contains(']')) {
            return bad("unbalanced brackets");
        }
        let Some(close) = after.find(']') else {
            return bad("unbalanced brackets");
        };
        let body = after.get(..close).unwrap_or("");
        if body.contains('[') {
            return bad("nested brackets");
        }
        let parts: Vec<&str> = body.split(':').collect();
        let (beg, end, step) = match parts.as_slice() {
            [b, e] => (*b, *e, "1"),
            [b, e, s] => (*b, *e, *s),
            _ => return bad("host range must be begin:end or begin:end:step"),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let letter = |p: &str| p.len() == 1 && p.bytes().all(|b| b.is_ascii_alphabetic());
        if !digits(step) || step.bytes().all(|b| b == b'0') {
            return bad("the step must be a positive number");
        }
        if digits(beg) && digits(end) {
            if beg.starts_with('0') && beg.len() > 1 && beg.len() != end.len() {
                return bad("host range must specify equal-length begin and end formats");
            }
            let (b, e) = (beg.parse::<u128>(), end.parse::<u128>());
            if !matches!((b, e), (Ok(b), Ok(e)) if b <= e) {
                return bad("begin must not be after end");
            }
        } else if letter(beg) && letter(end) {
            let order = |c: &str| {
                let b = c.bytes().next().unwrap_or(0);
                // string.ascii_letters: a..z then A..Z.
                if b.is_ascii_lowercase() {
                    b - b'a'
                } else {
                    26 + b - b'A'
                }
            };
            if order(beg) > order(end) {
                return bad("host range must have begin <= end");
            }
        } else {
            return bad("begin and end must both be numbers or both single letters");
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    if rest.contains(']') {
        return bad("unbalanced brackets");
    }
    Ok(())
}

/// The bracket expressions (`[01:03]`) in a host pattern, as byte ranges.
pub fn range_spans(pattern: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = pattern.get(at..).and_then(|r| r.find('[')) {
        let s = at + open;
        let Some(close) = pattern.get(s..).and_then(|r| r.find(']')) else {
            break;
        };
        out.push(s..s + close + 1);
        at = s + close + 1;
    }
    out
}

/// The style INI scalars carry (until the format layer has per-format styles).
pub const STYLE: Style = Style::Ini;
