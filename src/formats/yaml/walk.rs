//! From located events to [`Scalar`]s: paths, kinds, documents, anchors.
//!
//! The walk is iterative (an explicit stack), so deep nesting costs memory,
//! not native stack. Each frame stores only its own path segment; a scalar's
//! path is assembled from the frames when it is emitted.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::TScalarStyle;

use super::events::{Ev, Events};
use super::locate;
use super::reuse::{Enclosing, MAX_PATHS, Uses};
use super::schema::plain_is_string_core;
use crate::formats::{Piece, Rare, Scalar, ScalarKind, Seg, Share, Style};

/// The path segment used for a complex key (`? [a, b]`, an alias of a
/// collection used as key): such keys have no selector name.
pub(crate) const COMPLEX_KEY: &str = "?";

/// Why scalars inside or under a complex key cannot be rewritten.
const IN_COMPLEX_KEY: &str =
    "part of a complex mapping key (`? …`), which driftfix does not rewrite";
const UNDER_COMPLEX_KEY: &str =
    "value under a complex mapping key (`? …`), which has no selector path";

enum MapState<'s> {
    /// The next node is a key.
    Key,
    /// The next node is the value of this key (`None` for a complex key).
    Value(Option<&'s str>),
}

enum Kind<'s> {
    Seq { next: usize },
    Map(MapState<'s>),
}

/// A path segment borrowed from the events (no allocation per node).
#[derive(Clone, Copy)]
enum SegRef<'s> {
    Key(&'s str),
    Index(usize),
}

impl SegRef<'_> {
    fn owned(self) -> Seg {
        match self {
            SegRef::Key(k) => Seg::Key(k.to_string()),
            SegRef::Index(i) => Seg::Index(i),
        }
    }

    /// `parent` (a path's hash) extended by this segment.
    fn hash(self, parent: u64) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        parent.hash(&mut h);
        match self {
            SegRef::Key(k) => {
                0u8.hash(&mut h);
                k.hash(&mut h);
            }
            SegRef::Index(i) => {
                1u8.hash(&mut h);
                i.hash(&mut h);
            }
        }
        h.finish()
    }
}

struct Frame<'s> {
    kind: Kind<'s>,
    /// This container's segment in its parent (`None` for a document root).
    seg: Option<SegRef<'s>>,
    /// Hash of this container's path (see [`Keep`]).
    hash: u64,
    flow: bool,
    /// Inside a complex key, or under one.
    blocked: Option<&'static str>,
    /// This collection's anchor id (0: none), for aliases that reuse it.
    anchor: usize,
}

/// An anchored scalar, for its aliases.
struct Anchored<'s> {
    value: &'s str,
    string: bool,
}

/// Where the next node goes: its segment, kind, and whether it is blocked.
struct Slot<'s> {
    seg: Option<SegRef<'s>>,
    kind: ScalarKind,
    blocked: Option<&'static str>,
    complex_value: bool,
}

/// Which scalars a scan returns ([`crate::formats::Format::scan_for`]).
///
/// A value is returned when its decoded text passes `may_hold` (what the
/// matcher reads: an alias in the value is in these bytes). A key is
/// returned when any key of a mapping at the same path passes: a rename
/// onto an existing key of that mapping is a collision, so the keys of a
/// mapping that may hold a finding are all needed, and no other keys are.
/// Mappings are told apart by (document, hash of the path): equal paths
/// (duplicate keys, complex keys) share, and a hash collision only keeps
/// more keys.
pub(crate) struct Keep<'f> {
    pub may_hold: &'f dyn Fn(&[u8]) -> bool,
}

/// What a walk does: survey the keys for [`Keep`], or return scalars (all,
/// or those [`Keep`] asks for).
enum Mode<'f> {
    All,
    Survey(&'f dyn Fn(&[u8]) -> bool),
    Keep {
        may_hold: &'f dyn Fn(&[u8]) -> bool,
        maps: HashSet<(usize, u64)>,
    },
}

/// Every string scalar (and every located key) of the stream, in order, and
/// the source ranges of every other quoted or block scalar (which may hold
/// a `#` that is not a comment). With `values`, non-string values (not
/// nulls) are returned too, marked `not_string`. With `keep`, only the
/// scalars it asks for (the others' ranges as above when quoted or block).
pub(crate) fn scalars(
    text: &str,
    bom: usize,
    events: &Events,
    values: bool,
    keep: Option<Keep<'_>>,
) -> (Vec<Scalar>, Vec<std::ops::Range<usize>>) {
    let mode = match keep {
        None => Mode::All,
        Some(k) => {
            let mut survey = Walker::new(text, bom, values, Mode::Survey(k.may_hold));
            survey.run(events);
            Mode::Keep {
                may_hold: k.may_hold,
                maps: survey.holding,
            }
        }
    };
    let mut w = Walker::new(text, bom, values, mode);
    w.run(events);
    w.reused_paths();
    (w.out, w.others)
}

struct Walker<'s, 'f> {
    /// The source without BOM.
    text: &'s str,
    bom: usize,
    /// Also return non-string values ([`crate::formats::Format::scan_values`]).
    values: bool,
    mode: Mode<'f>,
    frames: Vec<Frame<'s>>,
    out: Vec<Scalar>,
    /// Source ranges of quoted and block scalars not in `out` (non-strings).
    others: Vec<std::ops::Range<usize>>,
    /// For each scalar in `out`: the anchored collections around it.
    enclosing: Vec<Enclosing>,
    anchors: HashMap<usize, Anchored<'s>>,
    /// Anchor ids of collections, and where aliases reuse them.
    collections: HashSet<usize>,
    uses: Uses,
    document: usize,
    /// Survey: (document, path hash) of mappings with a key that may hold.
    holding: HashSet<(usize, u64)>,
}

impl<'s, 'f> Walker<'s, 'f> {
    fn new(text: &'s str, bom: usize, values: bool, mode: Mode<'f>) -> Self {
        Walker {
            text,
            bom,
            values,
            mode,
            frames: Vec::new(),
            out: Vec::new(),
            others: Vec::new(),
            enclosing: Vec::new(),
            anchors: HashMap::new(),
            collections: HashSet::new(),
            uses: Uses::default(),
            document: 0,
            holding: HashSet::new(),
        }
    }

    fn run(&mut self, events: &'s Events) {
        for (ev, at) in events.iter(self.text) {
            self.event(ev, at);
        }
    }

    fn surveying(&self) -> bool {
        matches!(self.mode, Mode::Survey(_))
    }

    /// Whether a node of `kind` in the current mapping, reading `value`, is
    /// returned.
    fn kept(&self, kind: ScalarKind, value: &str) -> bool {
        match &self.mode {
            Mode::All => true,
            Mode::Survey(_) => false,
            Mode::Keep { may_hold, maps } => match kind {
                ScalarKind::Key => maps.contains(&(self.document, self.hash())),
                _ => may_hold(value.as_bytes()),
            },
        }
    }

    /// Survey: notes the current mapping when a key reading `value` may hold.
    fn survey_key(&mut self, kind: ScalarKind, value: &str) {
        if let Mode::Survey(may_hold) = self.mode
            && kind == ScalarKind::Key
            && may_hold(value.as_bytes())
        {
            self.holding.insert((self.document, self.hash()));
        }
    }

    /// The hash of the innermost container's path.
    fn hash(&self) -> u64 {
        self.frames.last().map_or(0, |f| f.hash)
    }

    fn event(&mut self, ev: Ev<'s>, at: usize) {
        match ev {
            Ev::DocumentEnd => {
                self.document += 1;
                self.frames.clear();
            }
            Ev::Scalar(value, style, anchor, tag) => {
                let slot = self.slot();
                self.scalar(value, style, anchor, tag, at, &slot);
                self.done(Some(value));
            }
            Ev::Alias(id) => {
                let slot = self.slot();
                let target = self.anchors.get(&id).map(|a| (a.value, a.string));
                match target {
                    Some((value, true)) => {
                        self.survey_key(slot.kind, value);
                        if self.kept(slot.kind, value) {
                            self.alias(value, id, at, &slot);
                        }
                        self.done(Some(value));
                    }
                    Some((value, false)) => self.done(Some(value)),
                    None => {
                        if self.collections.contains(&id)
                            && slot.kind == ScalarKind::Value
                            && !self.surveying()
                        {
                            let path = self.path(&slot, None);
                            self.uses.add(id, path, self.enclosing_now());
                        }
                        self.done(None)
                    }
                }
            }
            Ev::SequenceStart(anchor, _) | Ev::MappingStart(anchor, _) => {
                if anchor != 0 {
                    self.collections.insert(anchor);
                }
                let slot = self.slot();
                let parent_flow = self.frames.last().is_some_and(|f| f.flow);
                let flow = parent_flow || matches!(self.text.as_bytes().get(at), Some(b'[' | b'{'));
                let kind = match ev {
                    Ev::SequenceStart(..) => Kind::Seq { next: 0 },
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
                    Some(SegRef::Key(COMPLEX_KEY))
                } else {
                    slot.seg
                };
                let parent = self.hash();
                self.frames.push(Frame {
                    kind,
                    seg,
                    hash: seg.map_or(parent, |s| s.hash(parent)),
                    flow,
                    blocked,
                    anchor,
                });
            }
            // A collection finished; as a key it makes a complex key.
            Ev::SequenceEnd | Ev::MappingEnd if self.frames.pop().is_some() => self.done(None),
            _ => {}
        }
    }

    /// The position of the next node in its parent.
    fn slot(&self) -> Slot<'s> {
        let inherited = self.frames.last().and_then(|f| f.blocked);
        match self.frames.last().map(|f| &f.kind) {
            None => Slot {
                seg: None,
                kind: ScalarKind::Value,
                blocked: None,
                complex_value: false,
            },
            Some(Kind::Seq { next }) => Slot {
                seg: Some(SegRef::Index(*next)),
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
                seg: Some(SegRef::Key(k)),
                kind: ScalarKind::Value,
                blocked: inherited,
                complex_value: false,
            },
            Some(Kind::Map(MapState::Value(None))) => Slot {
                seg: Some(SegRef::Key(COMPLEX_KEY)),
                kind: ScalarKind::Value,
                blocked: inherited.or(Some(UNDER_COMPLEX_KEY)),
                complex_value: true,
            },
        }
    }

    /// A node finished: advance its parent. `key` is the node's text when it
    /// is a scalar (or an alias of one), `None` for a collection.
    fn done(&mut self, key: Option<&'s str>) {
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
        let depth = self.frames.iter().filter(|f| f.seg.is_some()).count();
        let mut path: Vec<Seg> = Vec::with_capacity(depth + 1);
        path.extend(self.frames.iter().filter_map(|f| f.seg.map(SegRef::owned)));
        match (&slot.seg, key_text) {
            (Some(s), _) => path.push(s.owned()),
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
                Some(paths) => s.set_reused_at(paths),
                None => s.block(|| format!("read through aliases at more than {MAX_PATHS} paths")),
            }
        }
    }

    fn in_flow(&self) -> bool {
        self.frames.last().is_some_and(|f| f.flow)
    }

    fn scalar(
        &mut self,
        value: &'s str,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: usize,
        slot: &Slot,
    ) {
        if anchor != 0 {
            let string = is_string(value, style, tag);
            self.anchors.insert(anchor, Anchored { value, string });
        }
        if self.surveying() {
            self.survey_key(slot.kind, value);
            return;
        }
        let is_key = slot.kind == ScalarKind::Key;
        let text = self.text;
        let locate = || match style {
            TScalarStyle::Plain => locate::plain(text, at, value),
            TScalarStyle::SingleQuoted => locate::quoted(text, at, false, value),
            TScalarStyle::DoubleQuoted => locate::quoted(text, at, true, value),
            TScalarStyle::Literal | TScalarStyle::Folded => locate::block(text, at, value),
        };
        // Not returned, but its text may hold a `#` that is no comment.
        let skip = |w: &mut Self| {
            if style != TScalarStyle::Plain
                && let Some(l) = locate()
            {
                w.others.push(shift(l.span, w.bom));
            }
        };
        // Left out by `keep` (the test costs less than the schema's).
        if !self.kept(slot.kind, value) {
            skip(self);
            return;
        }
        let string = is_string(value, style, tag);
        // Empty plain scalars are nulls; an all-blank block scalar holds no
        // label and its start marker is not reliable.
        let empty_plain = style == TScalarStyle::Plain && value.is_empty();
        let blank_block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded)
            && value.trim().is_empty();
        let typed_value = !string && !is_key && self.values && !empty_plain;
        if empty_plain || blank_block || (!string && !is_key && !typed_value) {
            skip(self);
            return;
        }
        let located = locate();
        let mut blocked = slot.blocked.map(str::to_string);
        if is_key && style == TScalarStyle::Plain && tag.is_none() && value == "<<" {
            blocked.get_or_insert_with(|| "YAML merge key `<<`".into());
        }
        let bom = self.bom;
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
            rare: Rare::boxed(None, blocked),
            not_string: !string,
            typed_by_text: tag.is_some_and(|t| t.handle.is_empty() && t.suffix == "!"),
        });
    }

    fn alias(&mut self, value: &str, id: usize, at: usize, slot: &Slot) {
        let bom = self.bom;
        let (span, blocked) = match locate::alias(self.text, at) {
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
            rare: Rare::boxed(None, blocked),
            not_string: false,
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

/// The pieces moved by `by`, without spare room: they grow as a value is
/// read (room for four where one is usual), and the scan's scalars all
/// live until the findings are made (7 MB of a 26.8 MB file's peak, issue
/// 19).
fn shift_pieces(pieces: Vec<Piece>, by: usize) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = pieces
        .into_iter()
        .map(|p| Piece {
            value: p.value,
            source: shift(p.source, by),
        })
        .collect();
    pieces.shrink_to_fit();
    pieces
}
