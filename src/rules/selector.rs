//! Selectors: which scalars of a document are labels.
//!
//! Syntax (SPEC §2): `a.b.c` keys, `[N]` / `[*]` a sequence index / any index,
//! `*` any one key or index, `**` zero or more levels, `"odd.key"` a quoted key.
//! A bare name with no `.` or `[` (e.g. `location`) means `**.location`.

use crate::formats::Seg;

/// One step of a selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
    AnyIndex,
    /// `*`: any one key or index.
    Any,
    /// `**`: zero or more levels.
    AnyDepth,
}

/// A parsed selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub text: String,
    steps: Vec<Step>,
}

impl Selector {
    /// Parses selector text; `Err` is a message with the 0-based character
    /// offset where the problem is.
    pub fn parse(text: &str) -> Result<Selector, (usize, String)> {
        // `.` alone is the document root: `keys_of = ["."]` governs the
        // top-level keys (SPEC §8).
        if text == "." {
            return Ok(Selector {
                text: text.to_string(),
                steps: Vec::new(),
            });
        }
        let mut steps = parse_steps(text)?;
        let bare = !text.contains(['.', '[']) && !text.starts_with('"');
        if bare && !matches!(steps.as_slice(), [Step::Any] | [Step::AnyDepth]) {
            steps.insert(0, Step::AnyDepth);
        }
        if text.starts_with('"') && steps.len() == 1 {
            // A lone quoted key is still a "bare name": any depth.
            steps.insert(0, Step::AnyDepth);
        }
        Ok(Selector {
            text: text.to_string(),
            steps,
        })
    }

    /// Whether the first step addresses an index of the root (`[0]`, `[*]`):
    /// such a selector can never match in TOML, whose root is a table.
    pub fn starts_at_root_index(&self) -> bool {
        matches!(self.steps.first(), Some(Step::Index(_) | Step::AnyIndex))
    }

    /// Whether this selector addresses `path` (the whole path, root to scalar).
    pub fn matches(&self, path: &[Seg]) -> bool {
        glob_match(&self.steps, path)
    }

    /// A selector that addresses `path` when this one almost does: it
    /// starts deeper (`ingress.hosts[*].host` for
    /// `gitea.ingress.hosts[0].host` → `**.ingress.hosts[*].host`), or it
    /// skips a sequence (`hosts.name` for `hosts[0].name` →
    /// `hosts[*].name`). `None` when it matches already, or is not close.
    pub fn did_you_mean(&self, path: &[Seg]) -> Option<String> {
        if self.matches(path) {
            return None;
        }
        let steps = match self.steps.split_first() {
            Some((Step::AnyDepth, rest)) => rest,
            _ => self.steps.as_slice(),
        };
        if steps.is_empty() || steps.contains(&Step::AnyDepth) {
            return None;
        }
        let start = (0..path.len()).find(|&at| {
            path.get(at..)
                .is_some_and(|tail| aligns_skipping_indexes(steps, tail))
        })?;
        let tail: Vec<Seg> = path.get(start..)?.to_vec();
        let mut text = crate::formats::path_to_string(&tail);
        // Every index becomes `[*]`: the other items are labels too.
        text = any_index(&text);
        if start > 0 {
            text = format!("**.{text}");
        }
        let suggested = Selector::parse(&text).ok()?;
        (suggested.matches(path) && suggested.text != self.text).then_some(text)
    }
}

/// Whether `steps` match all of `path` when the path may hold sequence
/// indexes the steps leave out.
fn aligns_skipping_indexes(steps: &[Step], path: &[Seg]) -> bool {
    let (mut s, mut p) = (0, 0);
    while p < path.len() {
        match (steps.get(s), path.get(p)) {
            (Some(step), Some(seg)) if step_matches(step, seg) => {
                s += 1;
                p += 1;
            }
            (_, Some(Seg::Index(_))) => p += 1,
            _ => return false,
        }
    }
    s == steps.len()
}

/// `a[3].b[12]` → `a[*].b[*]` (quoted keys left alone): a field with its
/// sequence indexes made wildcards, which inserting items does not change.
pub fn any_index(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut quoted, mut escaped, mut in_index) = (false, false, false);
    for c in text.chars() {
        if quoted {
            out.push(c);
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => quoted = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                out.push(c);
            }
            '[' => {
                in_index = true;
                out.push_str("[*");
            }
            ']' if in_index => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

fn step_matches(step: &Step, seg: &Seg) -> bool {
    match (step, seg) {
        (Step::Key(k), Seg::Key(s)) => k == s,
        (Step::Index(i), Seg::Index(j)) => i == j,
        (Step::AnyIndex, Seg::Index(_)) => true,
        (Step::Any, _) => true,
        _ => false,
    }
}

/// Iterative wildcard matching (`**` is the only multi-level step), the
/// classic two-pointer algorithm with one backtrack point: linear in practice
/// and never recursive, whatever the depth of the document.
fn glob_match(steps: &[Step], path: &[Seg]) -> bool {
    let (mut s, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while p < path.len() {
        match (steps.get(s), path.get(p)) {
            (Some(Step::AnyDepth), _) => {
                star = Some((s, p));
                s += 1;
            }
            (Some(step), Some(seg)) if step_matches(step, seg) => {
                s += 1;
                p += 1;
            }
            _ => match star {
                Some((ss, sp)) => {
                    s = ss + 1;
                    p = sp + 1;
                    star = Some((ss, sp + 1));
                }
                None => return false,
            },
        }
    }
    steps.iter().skip(s).all(|st| *st == Step::AnyDepth)
}

fn parse_steps(text: &str) -> Result<Vec<Step>, (usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err((0, "empty selector".into()));
    }
    let mut steps = Vec::new();
    let mut i = 0;
    let mut need_segment = true;
    while let Some(&c) = chars.get(i) {
        match c {
            // `a.[0]` reads as `a[0]` (`**.[*]` is a natural way to write
            // "any index at any depth").
            '[' => {
                let inner: String = chars
                    .iter()
                    .skip(i + 1)
                    .take_while(|&&c| c != ']')
                    .collect();
                let close = i + 1 + inner.chars().count();
                if chars.get(close) != Some(&']') {
                    return Err((i, "unclosed `[`".to_string()));
                }
                let step = if inner == "*" {
                    Step::AnyIndex
                } else {
                    inner
                        .parse::<usize>()
                        .ok()
                        .filter(|_| inner.bytes().all(|b| b.is_ascii_digit()))
                        .map(Step::Index)
                        .ok_or_else(|| {
                            (i, format!("`[{inner}]` is not an index (use [N] or [*])"))
                        })?
                };
                steps.push(step);
                i = close + 1;
                need_segment = false;
            }
            '.' => {
                if need_segment {
                    return Err((i, "empty key before `.`".into()));
                }
                i += 1;
                need_segment = true;
                if i == chars.len() {
                    return Err((i, "selector ends with `.`".into()));
                }
            }
            '"' => {
                if !need_segment {
                    return Err((i, "expected `.` or `[` before a quoted key".into()));
                }
                let (key, next) = parse_quoted(&chars, i)?;
                steps.push(Step::Key(key));
                i = next;
                need_segment = false;
            }
            ']' => return Err((i, "unexpected `]`".into())),
            _ => {
                if !need_segment {
                    return Err((i, "expected `.` or `[`".into()));
                }
                let start = i;
                let word: String = chars
                    .iter()
                    .skip(start)
                    .take_while(|c| !matches!(c, '.' | '[' | ']' | '"'))
                    .collect();
                i = start + word.chars().count();
                if word.chars().any(char::is_whitespace) {
                    return Err((start, format!("`{word}` holds white space: quote it")));
                }
                steps.push(match word.as_str() {
                    "*" => Step::Any,
                    "**" => Step::AnyDepth,
                    w if w.contains('*') => {
                        return Err((start, format!("`{w}`: `*` must stand alone")));
                    }
                    w => Step::Key(w.to_string()),
                });
                need_segment = false;
            }
        }
    }
    Ok(steps)
}

fn parse_quoted(chars: &[char], open: usize) -> Result<(String, usize), (usize, String)> {
    let mut key = String::new();
    let mut i = open + 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => return Ok((key, i + 1)),
            '\\' => {
                let next = chars
                    .get(i + 1)
                    .ok_or((i, "unfinished escape".to_string()))?;
                key.push(*next);
                i += 2;
            }
            _ => {
                key.push(c);
                i += 1;
            }
        }
    }
    Err((open, "unclosed quote".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &[&str]) -> Vec<Seg> {
        s.iter()
            .map(|p| match p.parse::<usize>() {
                Ok(i) => Seg::Index(i),
                Err(_) => Seg::Key(p.to_string()),
            })
            .collect()
    }

    fn m(sel: &str, p: &[&str]) -> bool {
        Selector::parse(sel).unwrap().matches(&path(p))
    }

    #[test]
    fn bare_name_matches_at_any_depth() {
        assert!(m("location", &["location"]));
        assert!(m("location", &["vms", "3", "location"]));
        assert!(!m("location", &["location", "x"]));
    }

    #[test]
    fn dotted_paths_are_anchored_at_the_root() {
        assert!(m("a.b", &["a", "b"]));
        assert!(!m("a.b", &["x", "a", "b"]));
        assert!(m("services[*].host", &["services", "4", "host"]));
        assert!(!m("services[*].host", &["services", "host"]));
        assert!(m("services[4].host", &["services", "4", "host"]));
        assert!(!m("services[3].host", &["services", "4", "host"]));
    }

    #[test]
    fn wildcards() {
        assert!(m("*.host", &["a", "host"]));
        assert!(m("*.host", &["0", "host"]));
        assert!(!m("*.host", &["a", "b", "host"]));
        assert!(m("a.**.host", &["a", "host"]));
        assert!(m("a.**.host", &["a", "b", "1", "host"]));
        assert!(m("**", &["anything", "0"]));
        assert!(m("**", &[]));
        assert!(m("a[*]", &["a", "2"]));
        assert!(!m("a[*]", &["a", "k"]));
        // A dot before an index is allowed: `**.[*]` is any index anywhere.
        assert!(m("**.[*]", &["x", "y", "2"]));
        assert!(m("a.[0]", &["a", "0"]));
    }

    #[test]
    fn quoted_keys() {
        assert!(m("\"odd.key\".host", &["odd.key", "host"]));
        assert!(m("a.\"b c\"", &["a", "b c"]));
        assert!(m("\"odd.key\"", &["x", "odd.key"]));
    }

    #[test]
    fn bad_selectors_are_rejected() {
        for bad in [
            "", "a..b", "a.", "a[x]", "a[1", "a]b", "a\"b\"", "ab*", "\"open", "a b", "l[+1]",
            "l[-1]", "l[ 0 ]", "l[]",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn deep_paths_do_not_recurse() {
        let deep: Vec<Seg> = (0..200_000).map(|_| Seg::Index(0)).collect();
        assert!(Selector::parse("**").unwrap().matches(&deep));
        assert!(!Selector::parse("**.host").unwrap().matches(&deep));
    }
}
