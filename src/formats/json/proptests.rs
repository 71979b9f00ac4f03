//! Property tests: random JSON documents, laid out in random ways (pretty or
//! minified, CRLF, tabs, escapes such as `\u00e9` and `\/` anywhere), with
//! random host labels renamed by token matching in keys and values.

use proptest::prelude::*;

use super::verify::events;
use super::*;
use crate::formats::{apply_edits, apply_replacements};

const LABELS: &[(&str, &str)] = &[
    ("pve-shop", "pve"),
    ("proxmox-shop", "pve"),
    ("pve-home", "proxmox-home"),
];

/// A JSON value whose strings also carry how each character is spelled.
#[derive(Clone, Debug)]
enum Node {
    Null,
    Bool(bool),
    Num(String),
    Str(Text),
    Arr(Vec<Node>),
    Obj(Vec<(Text, Node)>),
}

/// A string and, cycled over its characters, how to spell each one:
/// 0 raw, 1 short escape where one exists, 2/3 `\u` lower/upper case.
#[derive(Clone, Debug)]
struct Text {
    value: String,
    spell: Vec<u8>,
}

/// Whitespace choices; `\n` becomes `\r\n` in CRLF documents.
const WS: &[&str] = &["", " ", "\n", "\n  ", "\t", "\n\t\t", "  ", "\n    "];

struct Layout {
    ws: Vec<usize>,
    at: usize,
    minified: bool,
    crlf: bool,
}

impl Layout {
    fn ws(&mut self, out: &mut String) {
        if self.minified {
            return;
        }
        let i = self
            .ws
            .get(self.at % self.ws.len().max(1))
            .copied()
            .unwrap_or(0);
        self.at += 1;
        let w = WS[i % WS.len()];
        out.push_str(&if self.crlf {
            w.replace('\n', "\r\n")
        } else {
            w.to_string()
        });
    }
}

fn spell(t: &Text, out: &mut String) {
    out.push('"');
    for (i, c) in t.value.chars().enumerate() {
        let how = t.spell.get(i % t.spell.len().max(1)).copied().unwrap_or(0);
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\n' => Some("\\n"),
            '\t' => Some("\\t"),
            '\r' => Some("\\r"),
            _ => None,
        };
        let must_escape = matches!(c, '"' | '\\') || u32::from(c) < 0x20;
        match (how, short) {
            (0, _) if !must_escape => out.push(c),
            (0 | 1, Some(s)) => out.push_str(s),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    if how == 3 {
                        out.push_str(&format!("\\u{u:04X}"));
                    } else {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
            }
        }
    }
    out.push('"');
}

/// Renders iteratively (the trees are small, but keep the habit).
fn render(node: &Node, layout: &mut Layout, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Num(n) => out.push_str(n),
        Node::Str(t) => spell(t, out),
        Node::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                layout.ws(out);
                render(item, layout, out);
            }
            layout.ws(out);
            out.push(']');
        }
        Node::Obj(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                layout.ws(out);
                spell(k, out);
                layout.ws(out);
                out.push(':');
                layout.ws(out);
                render(v, layout, out);
            }
            layout.ws(out);
            out.push('}');
        }
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Token matches of the labels in `v` (no word character on either side).
fn matches(v: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < v.len() {
        let hit = LABELS.iter().find(|(alias, _)| {
            v.get(at..).is_some_and(|rest| rest.starts_with(alias))
                && !v
                    .get(..at)
                    .and_then(|p| p.chars().last())
                    .is_some_and(is_word)
                && !v
                    .get(at + alias.len()..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(is_word)
        });
        match hit {
            Some((alias, canon)) => {
                out.push(Replacement {
                    range: at..at + alias.len(),
                    text: (*canon).into(),
                });
                at += alias.len();
            }
            None => {
                at += v
                    .get(at..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8)
            }
        }
    }
    out
}

fn renamed(node: &Node) -> Node {
    let t = |t: &Text| Text {
        value: apply_replacements(&t.value, &matches(&t.value)),
        spell: vec![0],
    };
    match node {
        Node::Str(s) => Node::Str(t(s)),
        Node::Arr(a) => Node::Arr(a.iter().map(renamed).collect()),
        Node::Obj(m) => Node::Obj(m.iter().map(|(k, v)| (t(k), renamed(v))).collect()),
        other => other.clone(),
    }
}

fn text() -> impl Strategy<Value = Text> {
    let label = prop::sample::select(LABELS.iter().map(|(a, _)| *a).collect::<Vec<_>>());
    let bit = prop::sample::select(vec![
        "",
        "https://",
        ".lan:8006/",
        "/",
        "é",
        "\"",
        "\\",
        "\n",
        " ",
        "-",
        "x",
        "😀",
        "\u{1}",
    ]);
    let value = prop_oneof![
        label.clone().prop_map(str::to_string),
        (bit.clone(), label, bit).prop_map(|(a, l, b)| format!("{a}{l}{b}")),
        "\\PC{0,8}",
    ];
    (value, prop::collection::vec(0u8..4, 1..6)).prop_map(|(value, spell)| Text { value, spell })
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        Just(Node::Null),
        any::<bool>().prop_map(Node::Bool),
        prop::sample::select(vec![
            "0",
            "-1",
            "3.25",
            "1e5",
            "-0.5E-3",
            "12345678901234567890"
        ])
        .prop_map(|n| Node::Num(n.to_string())),
        text().prop_map(Node::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Node::Arr),
            prop::collection::vec((text(), inner), 0..6).prop_map(Node::Obj),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_documents_rename_exactly(
        root in node(),
        ws in prop::collection::vec(0usize..8, 1..12),
        minified in any::<bool>(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let mut src = String::from(if bom { "\u{feff}" } else { "" });
        render(&root, &mut Layout { ws, at: 0, minified, crlf }, &mut src);
        let scalars = Json.scalars(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        let mut edits = Vec::new();
        let mut subs = Vec::new();
        for s in &scalars {
            let reps = matches(&s.value);
            if reps.is_empty() {
                continue;
            }
            let e = Json.edits(&src, s, &reps).map_err(TestCaseError::fail)?;
            for edit in &e {
                // Only bytes of the rewritten string's content change.
                prop_assert!(s.content.start <= edit.range.start && edit.range.end < s.span.end);
            }
            edits.extend(e);
            subs.push(Substitution { scalar: s, new_value: apply_replacements(&s.value, &reps) });
        }
        let new = apply_edits(&src, &edits);
        Json.verify(&src, None, &new, &subs).map_err(|e| TestCaseError::fail(format!("{e}\n{src}\n{new}")))?;
        let parsed = Json.scan(&src).map_err(|e| TestCaseError::fail(e.to_string()))?.parsed;
        prop_assert!(parsed.is_some());
        Json.verify(&src, parsed.as_ref(), &new, &subs).map_err(|e| TestCaseError::fail(format!("with the tape: {e}\n{src}\n{new}")))?;
        // The data is what renaming the tree gives, by serde_json.
        let mut want = String::new();
        render(&renamed(&root), &mut Layout { ws: vec![0], at: 0, minified: true, crlf: false }, &mut want);
        prop_assert_eq!(events(&new), events(&want));
        // Unchanged strings keep their spelling: everything but the edited
        // ranges is byte-identical, the edited ranges now spell the canonical.
        let again = Json.scalars(&new).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again.len(), scalars.len());
        for (a, b) in scalars.iter().zip(&again) {
            if matches(&a.value).is_empty() {
                prop_assert_eq!(&src[a.span.clone()], &new[b.span.clone()]);
            }
        }
        if edits.is_empty() {
            prop_assert_eq!(&new, &src);
        }
    }
}

/// JSON-ish token soup: our reader accepts exactly what serde_json accepts
/// (the soup holds no huge numbers or deep nesting, where they differ), and
/// then they agree on every string.
fn soup() -> impl Strategy<Value = String> {
    let tok = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "\"a\"",
        "\"pve-shop\"",
        "1",
        "-",
        "0",
        ".",
        "e",
        "+",
        "true",
        "nul",
        "null",
        " ",
        "\n",
        "\r\n",
        "\t",
        "\"\\u00e9\"",
        "\"\\x\"",
        "\"",
        "\\",
        "01",
        "\"\\ud834\\udd1e\"",
        "\"\\ud834\"",
        "\u{feff}",
        "\u{a0}",
        "/",
        "é",
        "\u{1}",
    ]);
    prop::collection::vec(tok, 0..24).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn reader_agrees_with_serde_json(src in soup()) {
        let ours = Json.scalars(&src);
        // serde_json does not know the BOM; only a leading one is skipped.
        let theirs = events(&src);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}", src, ours.as_ref().err());
        if ours.is_ok() {
            prop_assert!(Json.verify(&src, None, &src, &[]).is_ok());
            let parsed = Json.scan(&src).map_err(|e| TestCaseError::fail(e.to_string()))?.parsed;
            prop_assert!(Json.verify(&src, parsed.as_ref(), &src, &[]).is_ok());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `scan_for` keeps what planning needs of random documents (see
    /// [`crate::formats::keep_check`]), whatever the layout.
    #[test]
    fn scan_for_keeps_what_planning_needs(
        root in node(),
        ws in prop::collection::vec(0usize..8, 1..12),
        minified in any::<bool>(),
        which in 0usize..3,
    ) {
        let mut src = String::new();
        render(&root, &mut Layout { ws, at: 0, minified, crlf: false }, &mut src);
        let needle: &[u8] = [&b"pve-shop"[..], b"pve", b"x"][which];
        let may_hold = |b: &[u8]| b.windows(needle.len()).any(|w| w == needle);
        crate::formats::keep_check::check(&Json, &src, &may_hold)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
    }
}
