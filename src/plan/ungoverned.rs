//! Aliases outside governed fields (SPEC §8): every token occurrence of an
//! alias in a parsed file that is not a finding — in a scalar or key no
//! field governs, in a governed exact-match value that holds the alias only
//! as part of it, or in a comment. They are counted (a file that holds them
//! is never reported plainly "ALIGNED"), and with `--strict` each becomes a
//! `manual` finding whose field can be pasted into `select`.

use std::sync::Arc;

use super::Context;
use super::govern::Candidate;
use crate::formats::{Piece, Scalar, ScalarKind, Share};
use crate::matcher::Hit;
use crate::rules::{FieldRule, MatchMode};

/// Why an alias occurrence is not a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Why {
    /// No `[[field]]` governs the scalar or key.
    NotGoverned,
    /// A governed field with `match = "exact"`: the alias is only part of
    /// the value.
    ExactOnly,
    /// In a comment (never rewritten).
    Comment,
}

/// One alias occurrence outside governed fields.
#[derive(Clone, Debug)]
pub struct Ungoverned {
    /// The scalar (or, for a comment, a scalar standing for the comment
    /// text) that holds it: shared by all occurrences in it, so a long
    /// value with many aliases is held once.
    pub scalar: Arc<Scalar>,
    pub hit: Hit,
    pub why: Why,
    /// A selector that would govern it, when one of the rules almost does
    /// (`did you mean **.ingress.hosts[*].host`).
    pub hint: Option<String>,
}

impl Ungoverned {
    /// The `reason` of its `--strict` finding.
    pub fn reason(&self) -> String {
        match self.why {
            // A text line is governed by any rule for text files.
            Why::NotGoverned if self.scalar.kind == ScalarKind::Text => {
                "not governed: no [[field]] with types = [\"text\"] applies to this file".into()
            }
            Why::NotGoverned => {
                let mut r = "not governed: no [[field]] selects it".to_string();
                if let Some(h) = &self.hint {
                    r.push_str(&format!(" (did you mean `{h}`?)"));
                }
                r
            }
            Why::ExactOnly => "governed with match = \"exact\", but the alias is only part of the value (match = \"token\" would fix it)".into(),
            Why::Comment => "in a comment (comments are never rewritten)".into(),
        }
    }
}

/// Every alias occurrence in `scalars` and `comments` that no candidate
/// with hits covers. `fields` are the rules that apply to the file.
pub(super) fn find(
    ctx: &Context,
    fields: &[&FieldRule],
    scalars: &[Scalar],
    candidates: &[Candidate],
    text: &str,
    comments: &[std::ops::Range<usize>],
) -> Vec<Ungoverned> {
    let fold = ctx.rules.any_ignore_case();
    let tokens = |value: &str| ctx.matcher.find(value, MatchMode::Token, fold, ctx.rules);
    let marks = Marks::of(scalars, candidates);
    let mut out = Vec::new();
    for (i, s) in scalars.iter().enumerate() {
        let mark = marks.get(i);
        if s.is_reference() || s.not_string || mark == Mark::WithHits {
            continue;
        }
        let why = if mark == Mark::Governed {
            Why::ExactOnly
        } else {
            Why::NotGoverned
        };
        let hits = tokens(&s.value);
        if hits.is_empty() {
            continue;
        }
        let hint = (why == Why::NotGoverned)
            .then(|| hint_for(fields, s))
            .flatten();
        let shared = Arc::new(s.clone());
        for hit in hits {
            out.push(Ungoverned {
                scalar: Arc::clone(&shared),
                hit,
                why,
                hint: hint.clone(),
            });
        }
    }
    for range in comments {
        let Some(body) = text.get(range.clone()) else {
            continue;
        };
        let hits = tokens(body);
        if hits.is_empty() {
            continue;
        }
        let shared = Arc::new(comment_scalar(body, range.clone()));
        for hit in hits {
            out.push(Ungoverned {
                scalar: Arc::clone(&shared),
                hit,
                why: Why::Comment,
                hint: None,
            });
        }
    }
    out
}

/// What the candidates say of a scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    /// No candidate: no field governs it.
    None,
    /// Governed, without a hit.
    Governed,
    /// Governed, with hits (its aliases are findings).
    WithHits,
}

/// The [`Mark`] of every scalar, by its index: candidates refer to the
/// scalars they govern, which lie in one slice, so a scalar's index comes
/// from its address (two hash sets of addresses, one lookup each for
/// 500,000 scalars, were most of this search on a 26.8 MB file).
struct Marks(Vec<Mark>);

impl Marks {
    fn of(scalars: &[Scalar], candidates: &[Candidate]) -> Marks {
        let mut marks = vec![Mark::None; scalars.len()];
        for c in candidates {
            // A stand-in, not in the scan's list, marks nothing.
            let Some(slot) = c.index.and_then(|i| marks.get_mut(i)) else {
                continue;
            };
            // With hits wins over without (one scalar may be governed by
            // several candidates).
            if !c.hits.is_empty() {
                *slot = Mark::WithHits;
            } else if *slot == Mark::None {
                *slot = Mark::Governed;
            }
        }
        Marks(marks)
    }

    fn get(&self, i: usize) -> Mark {
        self.0.get(i).copied().unwrap_or(Mark::None)
    }
}

/// The first "did you mean" of the selectors that could govern `s`.
fn hint_for(fields: &[&FieldRule], s: &Scalar) -> Option<String> {
    fields.iter().find_map(|f| match s.kind {
        ScalarKind::Value => f.select.iter().find_map(|sel| sel.did_you_mean(&s.path)),
        ScalarKind::Key => {
            let (_, parent) = s.path.split_last()?;
            f.keys_of.iter().find_map(|sel| sel.did_you_mean(parent))
        }
        ScalarKind::Comment | ScalarKind::Text => None,
    })
}

/// A comment as a scalar: its whole text stands verbatim in the source.
fn comment_scalar(body: &str, range: std::ops::Range<usize>) -> Scalar {
    Scalar {
        document: 0,
        path: Vec::new(),
        kind: ScalarKind::Comment,
        value: body.to_string(),
        span: range.clone(),
        content: range.clone(),
        style: crate::formats::Style::Verbatim,
        pieces: vec![Piece {
            value: 0..body.len(),
            source: range,
        }],
        in_flow: false,
        share: Share::None,
        rare: None,
        not_string: false,
        typed_by_text: false,
    }
}
