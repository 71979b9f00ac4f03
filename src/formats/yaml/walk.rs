//! From located events to [`Scalar`]s: paths, kinds, documents, anchors.
//!
//! The walk is iterative (an explicit stack), so deep nesting costs memory,
//! not native stack. Each frame stores only its own path segment; a scalar's
//! path is assembled from the frames when it is emitted.

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, Tag};
use yaml_rust2::scanner::TScalarStyle;

use super::locate;
use super::parse::Stream;
use super::reuse::{Enclosing, MAX_PATHS, Uses};
use super::schema::plain_is_string_core;
use crate::formats::{Piece, Scalar, ScalarKind, Seg, Share, Style};

/// The path segment used for a complex key (`? [a, b]`, an alias of a
/// collection used as key): such keys have no selector name.
pub(crate) const COMPLEX_KEY: &str = "?";

/// Why scalars inside or under a complex key cannot be rewritten.
const IN_COMPLEX_KEY: &str =
    "part of a complex mapping key (`? …`), which driftfix does not rewrite";
const UNDER_COMPLEX_KEY: &str =
    "value under a complex mapping key (`? …`), which has no selector path";

enum MapState {
    /// The next node is a key.
    Key,
    /// The next node is the value of this key (`None` for a complex key).
    Value(Option<String>),
}

enum Kind {
    Seq { next: usize },
    Map(MapState),
}

struct Frame {
    kind: Kind,
    /// This container's segment in its parent (`None` for a document root).
    seg: Option<Seg>,
    flow: bool,
    /// Inside a complex key, or under one.
    blocked: Option<&'static str>,
    /// This collection's anchor id (0: none), for aliases that reuse it.
    anchor: usize,
}

/// An anchored scalar, for its aliases.
struct Anchored {
    value: String,
    string: bool,
}

/// Where the next node goes: its segment, kind, and whether it is blocked.
struct Slot {
    seg: Option<Seg>,
    kind: ScalarKind,
    blocked: Option<&'static str>,
    complex_value: bool,
}

/// Every string scalar (and every located key) of the stream, in order, and
/// the source ranges of every other quoted or block scalar (which may hold
/// a `#` that is not a comment). With `values`, non-string values (not
/// nulls) are returned too, marked `not_string`.
pub(crate) fn scalars(
    stream: &Stream<'_>,
    values: bool,
) -> (Vec<Scalar>, Vec<std::ops::Range<usize>>) {
    let mut w = Walker {
        stream,
        values,
        frames: Vec::new(),
        out: Vec::new(),
        others: Vec::new(),
        enclosing: Vec::new(),
        anchors: HashMap::new(),
        collections: HashSet::new(),
        uses: Uses::default(),
        document: 0,
    };
    for (ev, at) in &stream.events {
        w.event(ev, *at);
    }
    w.reused_paths();
    (w.out, w.others)
}

struct Walker<'s, 'a> {
    stream: &'s Stream<'a>,
    /// Also return non-string values ([`crate::formats::Format::scan_values`]).
    values: bool,
    frames: Vec<Frame>,
    out: Vec<Scalar>,
    /// Source ranges of quoted and block scalars not in `out` (non-strings).
    others: Vec<std::ops::Range<usize>>,
    /// For each scalar in `out`: the anchored collections around it.
    enclosing: Vec<Enclosing>,
    anchors: HashMap<usize, Anchored>,
    /// Anchor ids of collections, and where aliases reuse them.
    collections: HashSet<usize>,
    uses: Uses,
    document: usize,
}

impl Walker<'_, '_> {
    fn event(&mut self, ev: &Event, at: usize) {
        match ev {
            Event::DocumentEnd => {
                self.document += 1;
                self.frames.clear();
            }
            Event::Scalar(value, style, anchor, tag) => {
                let slot = self.slot();
                self.scalar(value, *style, *anchor, tag.as_ref(), at, &slot);
                self.done(Some(value.clone()));
            }
            Event::Alias(id) => {
                let slot = self.slot();
                let target = self.anchors.get(id).map(|a| (a.value.clone(), a.string));
                match target {
                    Some((value, true)) => {
                        self.alias(&value, *id, at, &slot);
                        self.done(Some(value));
                    }
                    Some((value, false)) => self.done(Some(value)),
                    None => {
                        if self.collections.contains(id) && slot.kind == ScalarKind::Value {
                            let path = self.path(&slot, None);
                            self.uses.add(*id, path, self.enclosing_now());
                        }
                        self.done(None)
                    }
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if *anchor != 0 {
                    self.collections.insert(*anchor);
                }
                let slot = self.slot();
                let parent_flow = self.frames.last().is_some_and(|f| f.flow);
                let here = self.stream.text.get(at..).and_then(|s| s.chars().next());
                let flow = parent_flow || matches!(here, Some('[' | '{'));
                let kind = match ev {
                    Event::SequenceStart(..) => Kind::Seq { next: 0 },
                    _ => Kind::Map(MapState::Key),
                };
                let is_key = slot.kind == ScalarKind::Key;
                let blocked = if is_key {
                    Some(IN_COMPLEX_KEY)
                } else if slot.complex_value {
                    Some(UNDER_COMPLEX_KEY)
                } else {
                    slot.blocked
                };
                // A collection used as a key has no name; its contents get
                // the `?` segment so that ordinary selectors (`[0]`, `m.k`)
                // do not reach into it.
                let seg = if is_key {
                    Some(Seg::Key(COMPLEX_KEY.into()))
                } else {
                    slot.seg
                };
                self.frames.push(Frame {
                    kind,
                    seg,
                    flow,
                    blocked,
                    anchor: *anchor,
                });
            }
            // A collection finished; as a key it makes a complex key.
            Event::SequenceEnd | Event::MappingEnd if self.frames.pop().is_some() => {
                self.done(None)
            }
            _ => {}
        }
    }

    /// The position of the next node in its parent.
    fn slot(&self) -> Slot {
        let inherited = self.frames.last().and_then(|f| f.blocked);
        match self.frames.last().map(|f| &f.kind) {
            None => Slot {
                seg: None,
                kind: ScalarKind::Value,
                blocked: None,
                complex_value: false,
            },
            Some(Kind::Seq { next }) => Slot {
                seg: Some(Seg::Index(*next)),
                kind: ScalarKind::Value,
                blocked: inherited,
                complex_value: false,
            },
            Some(Kind::Map(MapState::Key)) => Slot {
                seg: None,
                kind: ScalarKind::Key,
                blocked: inherited,
                complex_value: false,
            },
            Some(Kind::Map(MapState::Value(Some(k)))) => Slot {
                seg: Some(Seg::Key(k.clone())),
                kind: ScalarKind::Value,
                blocked: inherited,
                complex_value: false,
            },
            Some(Kind::Map(MapState::Value(None))) => Slot {
                seg: Some(Seg::Key(COMPLEX_KEY.into())),
                kind: ScalarKind::Value,
                blocked: inherited.or(Some(UNDER_COMPLEX_KEY)),
                complex_value: true,
            },
        }
    }

    /// A node finished: advance its parent. `key` is the node's text when it
    /// is a scalar (or an alias of one), `None` for a collection.
    fn done(&mut self, key: Option<String>) {
        let Some(top) = self.frames.last_mut() else {
            return;
        };
        match &mut top.kind {
            Kind::Seq { next } => *next += 1,
            Kind::Map(state) => {
                *state = match state {
                    MapState::Key => MapState::Value(key),
                    MapState::Value(_) => MapState::Key,
                }
            }
        }
    }

    /// The path of a node placed in `slot`.
    fn path(&self, slot: &Slot, key_text: Option<&str>) -> Vec<Seg> {
        let mut path: Vec<Seg> = self.frames.iter().filter_map(|f| f.seg.clone()).collect();
        match (&slot.seg, key_text) {
            (Some(s), _) => path.push(s.clone()),
            (None, Some(k)) if slot.kind == ScalarKind::Key => path.push(Seg::Key(k.to_string())),
            _ => {}
        }
        path
    }

    /// The anchored collections on the stack, with the length of their
    /// paths.
    fn enclosing_now(&self) -> Enclosing {
        let mut len = 0;
        let mut out = Vec::new();
        for f in &self.frames {
            len += usize::from(f.seg.is_some());
            if f.anchor != 0 {
                out.push((f.anchor, len));
            }
        }
        out
    }

    /// Fills [`Scalar::reused_at`] once every alias is known.
    fn reused_paths(&mut self) {
        if self.uses.is_empty() {
            return;
        }
        for (s, enclosing) in self.out.iter_mut().zip(&self.enclosing) {
            if enclosing.is_empty() {
                continue;
            }
            match self.uses.paths(&s.path, enclosing) {
                Some(paths) => s.reused_at = paths,
                None => {
                    s.blocked.get_or_insert_with(|| {
                        format!("read through aliases at more than {MAX_PATHS} paths")
                    });
                }
            }
        }
    }

    fn in_flow(&self) -> bool {
        self.frames.last().is_some_and(|f| f.flow)
    }

    fn scalar(
        &mut self,
        value: &str,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: usize,
        slot: &Slot,
    ) {
        let string = is_string(value, style, tag);
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    value: value.to_string(),
                    string,
                },
            );
        }
        let is_key = slot.kind == ScalarKind::Key;
        // Empty plain scalars are nulls; an all-blank block scalar holds no
        // label and its start marker is not reliable.
        let empty_plain = style == TScalarStyle::Plain && value.is_empty();
        let blank_block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
            && value.trim().is_empty();
        let text = self.stream.text;
        let locate = || match style {
            TScalarStyle::Plain => locate::plain(text, at, value),
            TScalarStyle::SingleQuoted => locate::quoted(text, at, false, value),
            TScalarStyle::DoubleQuoted => locate::quoted(text, at, true, value),
            TScalarStyle::Literal | TScalarStyle::Folded => locate::block(text, at, value),
        };
        let typed_value = !string && !is_key && self.values && !empty_plain;
        if empty_plain || blank_block || (!string && !is_key && !typed_value) {
            // Not a label, but its text may hold a `#` that is no comment.
            if style != TScalarStyle::Plain
                && let Some(l) = locate()
            {
                self.others.push(shift(l.span, self.stream.bom));
            }
            return;
        }
        let located = locate();
        let mut blocked = slot.blocked.map(str::to_string);
        if is_key && style == TScalarStyle::Plain && tag.is_none() && value == "<<" {
            blocked.get_or_insert_with(|| "YAML merge key `<<`".into());
        }
        let bom = self.stream.bom;
        let quotes = usize::from(matches!(
            style,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        ));
        let (span, content, pieces) = match located {
            Some(l) => {
                let span = shift(l.span, bom);
                let content = l.content_start + bom..span.end.saturating_sub(quotes);
                (span, content, shift_pieces(l.pieces, bom))
            }
            None => {
                blocked.get_or_insert_with(|| {
                    "driftfix could not map this scalar's decoded value back to its source text"
                        .into()
                });
                (at + bom..at + bom, at + bom..at + bom, Vec::new())
            }
        };
        let path = self.path(slot, Some(value));
        self.enclosing.push(self.enclosing_now());
        self.out.push(Scalar {
            document: self.document,
            path,
            kind: slot.kind,
            value: value.to_string(),
            span,
            content,
            style: style_of(style),
            pieces,
            in_flow: self.in_flow(),
            share: if anchor == 0 {
                Share::None
            } else {
                Share::Anchor(anchor)
            },
            link: None,
            blocked,
            not_string: !string,
            reused_at: Vec::new(),
            typed_by_text: tag.is_some_and(|t| t.handle.is_empty() && t.suffix == "!"),
        });
    }

    fn alias(&mut self, value: &str, id: usize, at: usize, slot: &Slot) {
        let bom = self.stream.bom;
        let (span, blocked) = match locate::alias(self.stream.text, at) {
            Some(s) => (shift(s, bom), slot.blocked.map(str::to_string)),
            None => (
                at + bom..at + bom,
                Some("driftfix could not find this alias's text".into()),
            ),
        };
        let path = self.path(slot, Some(value));
        self.enclosing.push(self.enclosing_now());
        self.out.push(Scalar {
            document: self.document,
            path,
            kind: slot.kind,
            value: value.to_string(),
            content: span.clone(),
            span,
            style: Style::YamlAlias,
            pieces: Vec::new(),
            in_flow: self.in_flow(),
            share: Share::Reference(id),
            link: None,
            blocked,
            not_string: false,
            reused_at: Vec::new(),
            typed_by_text: false,
        });
    }
}

const STR_TAG: &str = "tag:yaml.org,2002:str";

/// Whether a scalar event is a string: quoted and block scalars, `!!str` and
/// `!` always; untagged plain ones unless they resolve to null, bool, int or
/// float (YAML 1.2 core); any other tag (`!!int`, `!Ref`, …) never.
pub(crate) fn is_string(value: &str, style: TScalarStyle, tag: Option<&Tag>) -> bool {
    match tag {
        // `!!str`, `!<tag:yaml.org,2002:str>` (verbatim) and a `%TAG` handle
        // for the same prefix all spell one tag.
        Some(t) => {
            let full = t.handle.len() + t.suffix.len();
            (full == STR_TAG.len()
                && STR_TAG.strip_prefix(t.handle.as_str()) == Some(t.suffix.as_str()))
                || (t.handle.is_empty() && t.suffix == "!")
        }
        None => style != TScalarStyle::Plain || plain_is_string_core(value),
    }
}

pub(crate) fn style_of(s: TScalarStyle) -> Style {
    match s {
        TScalarStyle::Plain => Style::YamlPlain,
        TScalarStyle::SingleQuoted => Style::YamlSingle,
        TScalarStyle::DoubleQuoted => Style::YamlDouble,
        TScalarStyle::Literal => Style::YamlLiteral,
        TScalarStyle::Folded => Style::YamlFolded,
    }
}

fn shift(r: std::ops::Range<usize>, by: usize) -> std::ops::Range<usize> {
    r.start + by..r.end + by
}

fn shift_pieces(pieces: Vec<Piece>, by: usize) -> Vec<Piece> {
    pieces
        .into_iter()
        .map(|p| Piece {
            value: p.value,
            source: shift(p.source, by),
        })
        .collect()
}
