//! Which scalars of a file are labels: the first field rule that governs a
//! scalar's path decides. A value written once and read again elsewhere
//! (an anchor and its references, a value inside a container that
//! references reuse) is governed when any of its places is, and must then
//! be governed at all of them to be rewritten. A name written in several
//! places (scalars sharing a [`Link`]) is governed at all of them when it is
//! at one.

use std::collections::HashMap;

use super::Context;
use crate::formats::{DocPath, Link, Scalar, ScalarKind, Share, path_to_string};
use crate::matcher::Hit;
use crate::rules::{FieldRule, MatchMode};
use crate::text::LineIndex;

/// A governed scalar and its matches, before edits are decided.
pub(super) struct Candidate<'a> {
    pub scalar: &'a Scalar,
    /// Where `scalar` is in the scan's list, so that the plan can move it
    /// out instead of cloning it; `None` for a stand-in that is not in
    /// that list (an occurrence outside governed fields under `--strict`).
    pub index: Option<usize>,
    pub field: &'a FieldRule,
    pub hits: Vec<Hit>,
    /// Set when the scalar must not be rewritten (reuse at an ungoverned
    /// place, blocked by its engine, a collision).
    pub manual: Option<String>,
}

/// Decides governance over the scalars of one file.
pub(super) struct Governor<'a> {
    fields: &'a [&'a FieldRule],
    scalars: &'a [Scalar],
    /// References per anchor id.
    references: HashMap<usize, Vec<&'a Scalar>>,
    /// The rule that governs a link at any of its places.
    links: HashMap<&'a Link, &'a FieldRule>,
    /// Reasons name reference places by line.
    lines: &'a LineIndex<'a>,
}

impl<'a> Governor<'a> {
    pub fn new(
        fields: &'a [&'a FieldRule],
        scalars: &'a [Scalar],
        lines: &'a LineIndex<'a>,
    ) -> Governor<'a> {
        let mut g = Governor {
            fields,
            scalars,
            references: HashMap::new(),
            links: HashMap::new(),
            lines,
        };
        for s in scalars {
            if let Share::Reference(a) = s.share {
                g.references.entry(a).or_default().push(s);
            }
            if let Some(link) = s.link()
                && !g.links.contains_key(link)
                && let Some(rule) = g.own_rule(s)
            {
                g.links.insert(link, rule);
            }
        }
        g
    }

    /// The first field rule that governs a scalar of `kind` at `path`.
    fn rule_at(&self, path: &DocPath, kind: ScalarKind) -> Option<&'a FieldRule> {
        self.fields.iter().copied().find(|f| f.governs(path, kind))
    }

    fn own_rule(&self, s: &Scalar) -> Option<&'a FieldRule> {
        self.rule_at(&s.path, s.kind)
    }

    /// Every governed scalar that can hold a label, with its alias hits
    /// (empty when it holds none: `--strict` looks at those).
    pub fn candidates(&self, ctx: &Context) -> Vec<Candidate<'a>> {
        self.scalars
            .iter()
            .enumerate()
            // References follow their anchor; only string scalars match (§2).
            .filter(|(_, s)| !s.is_reference() && !s.not_string)
            .filter_map(|(i, s)| {
                let mut c = self.candidate(ctx, s)?;
                c.index = Some(i);
                Some(c)
            })
            .collect()
    }

    /// The governed scalar with its alias hits; `None` when not governed.
    /// An anchored scalar counts as governed when it or any of its uses is,
    /// and it becomes manual unless all of them are.
    fn candidate(&self, ctx: &Context, s: &'a Scalar) -> Option<Candidate<'a>> {
        let uses: &[&Scalar] = match s.share {
            Share::Anchor(a) => self.references.get(&a).map_or(&[], Vec::as_slice),
            _ => &[],
        };
        let own = self
            .own_rule(s)
            .or_else(|| s.link().and_then(|l| self.links.get(l).copied()));
        // Paths where the value is read again through references to
        // containers around it or around its references.
        let reused: Vec<&DocPath> = std::iter::once(s)
            .chain(uses.iter().copied())
            .flat_map(|u| u.reused_at())
            .collect();
        let field = own
            .or_else(|| uses.iter().find_map(|u| self.own_rule(u)))
            .or_else(|| reused.iter().find_map(|p| self.rule_at(p, s.kind)))?;
        let hits = ctx
            .matcher
            .find(&s.value, mode_for(s, field), field.ignore_case, ctx.rules);
        let ungoverned: Vec<String> = std::iter::once(s)
            .filter(|_| own.is_none())
            .chain(uses.iter().copied().filter(|u| self.own_rule(u).is_none()))
            .map(|u| {
                let (line, _) = self.lines.line_col(u.span.start);
                format!("`{}` (line {line})", path_to_string(&u.path))
            })
            .chain(
                reused
                    .iter()
                    .filter(|p| self.rule_at(p, s.kind).is_none())
                    .map(|p| format!("`{}` (through an alias)", path_to_string(p))),
            )
            .collect();
        let manual = s.blocked().map(str::to_string).or_else(|| {
            (!ungoverned.is_empty()).then(|| {
                format!(
                    "anchored value is reused at a path that is not a governed field: {}",
                    ungoverned.join(", ")
                )
            })
        });
        Some(Candidate {
            scalar: s,
            index: None,
            field,
            hits,
            manual,
        })
    }
}

/// The match mode for a scalar under `field`: text lines always match by
/// token (SPEC §10), whatever the rule says for other types.
pub(crate) fn mode_for(s: &Scalar, field: &FieldRule) -> MatchMode {
    if s.kind == ScalarKind::Text {
        MatchMode::Token
    } else {
        field.mode
    }
}

/// The canonical names (indexes into the rule set) that governed scalars
/// use, under each scalar's governing rule's match mode and case rule.
pub(super) fn canonical_uses(ctx: &Context, candidates: &[Candidate]) -> Vec<usize> {
    let mut used: Vec<usize> = candidates
        .iter()
        .flat_map(|c| {
            ctx.matcher.find_names(
                &c.scalar.value,
                mode_for(c.scalar, c.field),
                c.field.ignore_case,
            )
        })
        .collect();
    used.sort_unstable();
    used.dedup();
    used
}
