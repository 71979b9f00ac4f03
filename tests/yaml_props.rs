//! Property tests of the YAML engine: random documents (block and flow, all
//! scalar styles, anchors and aliases, comments, CRLF, BOM, no final newline)
//! with random labels renamed; and the quoting rules.

#[path = "yaml_support/mod.rs"]
mod support;

use std::collections::BTreeMap;

use driftfix::formats::yaml::{Yaml, plain_safe, resolves_to_string};
use driftfix::formats::{Edited, Format, Replacement, Style, Substitution, apply_edits};
use proptest::prelude::*;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Labels that appear in the documents.
const LABELS: &[&str] = &[
    "pve-shop",
    "proxmox-shop",
    "pve-home",
    "alpha",
    "b",
    "web_1",
    "it's",
    "two words",
];
/// What they may be renamed to (some need quoting as plain scalars).
const TARGETS: &[&str] = &[
    "pve",
    "proxmox-home",
    "yes",
    "0755",
    "a: b",
    "it's",
    "x,y",
    "#c",
    "q\"d",
    "é-host",
    "null",
    "-",
    "[z]",
    "1.5",
];

#[derive(Clone, Debug)]
enum St {
    Plain,
    Single,
    Double,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
enum Node {
    Scalar(usize, St, bool),
    Seq(Vec<Node>, bool),
    Map(Vec<(usize, St, Node)>, bool),
    Alias,
}

fn style() -> impl Strategy<Value = St> {
    prop_oneof![
        Just(St::Plain),
        Just(St::Single),
        Just(St::Double),
        Just(St::Literal),
        Just(St::Folded)
    ]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        4 => (0..LABELS.len(), style(), any::<bool>()).prop_map(|(l, s, a)| Node::Scalar(l, s, a)),
        1 => Just(Node::Alias),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 1..5), any::<bool>())
                .prop_map(|(v, f)| Node::Seq(v, f)),
            (
                prop::collection::vec((0..LABELS.len(), style(), inner), 1..5),
                any::<bool>()
            )
                .prop_map(|(v, f)| Node::Map(v, f)),
        ]
    })
}

struct Out {
    text: String,
    anchors: usize,
    keys_seen: Vec<std::collections::BTreeSet<usize>>,
}

fn scalar_text(label: &str, st: &St, flow: bool, indent: usize) -> String {
    let quoted_double = format!("\"{}\"", label.replace('\\', "\\\\").replace('"', "\\\""));
    match st {
        St::Plain if plain_safe(label, flow) => label.to_string(),
        St::Single | St::Plain => format!("'{}'", label.replace('\'', "''")),
        St::Double => quoted_double,
        St::Literal | St::Folded if !flow => {
            let ind = " ".repeat(indent + 2);
            let head = if matches!(st, St::Literal) {
                "|-"
            } else {
                ">-"
            };
            format!("{head}\n{ind}{label}")
        }
        _ => quoted_double,
    }
}

impl Out {
    fn anchor(&mut self, anchored: bool) -> String {
        if anchored {
            self.anchors += 1;
            format!("&a{} ", self.anchors)
        } else {
            String::new()
        }
    }

    fn alias(&self) -> Option<String> {
        (self.anchors > 0).then(|| format!("*a{}", self.anchors))
    }

    /// Writes `n` as a value; block collections start on a new line.
    fn value(&mut self, n: &Node, indent: usize, flow: bool) {
        match n {
            Node::Scalar(l, st, a) => {
                let anchor = self.anchor(*a);
                let t = scalar_text(LABELS[*l], st, flow, indent);
                self.text.push_str(&format!("{anchor}{t}"));
            }
            Node::Alias => {
                let t = self.alias().unwrap_or_else(|| "~".into());
                self.text.push_str(&t);
            }
            Node::Seq(items, f) if flow || *f => {
                self.text.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(", ");
                    }
                    self.value(it, indent, true);
                }
                self.text.push(']');
            }
            Node::Map(entries, f) if flow || *f => {
                self.text.push('{');
                let mut seen = std::collections::BTreeSet::new();
                let mut first = true;
                for (k, st, v) in entries {
                    if !seen.insert(*k) {
                        continue;
                    }
                    if !first {
                        self.text.push_str(", ");
                    }
                    first = false;
                    let kt = scalar_text(LABELS[*k], st, true, indent);
                    self.text.push_str(&format!("{kt}: "));
                    self.value(v, indent, true);
                }
                self.text.push('}');
            }
            Node::Seq(items, _) => {
                for it in items {
                    self.text.push('\n');
                    self.text.push_str(&" ".repeat(indent));
                    self.text.push_str("- ");
                    self.nested(it, indent + 2);
                }
            }
            Node::Map(entries, _) => {
                let mut seen = std::collections::BTreeSet::new();
                for (k, st, v) in entries {
                    if !seen.insert(*k) {
                        continue;
                    }
                    self.text.push('\n');
                    self.text.push_str(&" ".repeat(indent));
                    let st = if matches!(st, St::Literal | St::Folded) {
                        &St::Plain
                    } else {
                        st
                    };
                    let kt = scalar_text(LABELS[*k], st, false, indent);
                    self.text.push_str(&format!("{kt}: "));
                    self.nested(v, indent + 2);
                }
                self.keys_seen.push(seen);
            }
        }
    }

    /// A value after `- ` or `key: `: block collections go on the next lines.
    fn nested(&mut self, n: &Node, indent: usize) {
        self.value(n, indent, false);
        // A comment after a flow scalar (never after a block scalar, where
        // it would be content).
        let flow_scalar = matches!(
            n,
            Node::Alias | Node::Scalar(_, St::Plain | St::Single | St::Double, _)
        );
        if flow_scalar && self.text.len().is_multiple_of(3) {
            self.text.push_str(" # note");
        }
    }
}

fn render(root: &Node, crlf: bool, bom: bool, final_newline: bool) -> String {
    let mut o = Out {
        text: String::from("# generated"),
        anchors: 0,
        keys_seen: Vec::new(),
    };
    match root {
        Node::Seq(_, false) | Node::Map(_, false) => o.value(root, 0, false),
        _ => {
            o.text.push_str("\n--- ");
            o.value(root, 0, false);
        }
    }
    let mut t = o.text;
    if final_newline {
        t.push('\n');
    }
    if crlf {
        t = t.replace('\n', "\r\n");
    }
    if bom {
        t.insert(0, '\u{feff}');
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn renaming_labels_changes_only_their_bytes(
        root in node(),
        renames in prop::collection::btree_map(0..LABELS.len(), 0..TARGETS.len(), 1..4),
        crlf in any::<bool>(), bom in any::<bool>(), final_newline in any::<bool>(),
    ) {
        // Two labels renamed to one name would merge keys: the planner's
        // business (key conflicts), not the engine's.
        let distinct: std::collections::BTreeSet<_> = renames.values().collect();
        prop_assume!(distinct.len() == renames.len());
        let src = render(&root, crlf, bom, final_newline);
        let map: BTreeMap<&str, &str> = renames.iter().map(|(l, t)| (LABELS[*l], TARGETS[*t])).collect();
        let rw = support::rewrite_some(&src, &|v| map.contains_key(v), &|v| map.get(v).map_or(String::new(), |t| t.to_string()));
        let rw = match rw {
            Ok(rw) => rw,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n--- source:\n{src}"))),
        };
        if std::env::var_os("YAML_PROPS_SHOW").is_some() {
            eprintln!("=====\n{src}\n----- {} renamed\n{}", rw.substituted, rw.new);
        }
        support::outside_unchanged(&src, &rw.new, &rw.edits).map_err(TestCaseError::fail)?;
        support::data_renamed(&src, &rw.new, &rw.renamed)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- source:\n{src}\n--- new:\n{}", rw.new)))?;
        prop_assert_eq!(src.starts_with('\u{feff}'), rw.new.starts_with('\u{feff}'));
        prop_assert_eq!(src.matches("\r\n").count(), rw.new.matches("\r\n").count());
    }

    /// The edited text read lazily (from the original and the edits,
    /// with the scan's parse) verifies exactly as the text built, failures
    /// and their messages included: one edit's bytes are replaced by
    /// anything, which may break the structure, the value or the style.
    #[test]
    fn a_lazily_read_edited_text_verifies_as_the_built_one(
        root in node(),
        renames in prop::collection::btree_map(0..LABELS.len(), 0..TARGETS.len(), 1..4),
        crlf in any::<bool>(), bom in any::<bool>(), final_newline in any::<bool>(),
        which in any::<prop::sample::Index>(),
        junk in prop::option::of("[a-z :#'\"\n\r\\{}\\[\\],|>&*-]{0,6}"),
    ) {
        let distinct: std::collections::BTreeSet<_> = renames.values().collect();
        prop_assume!(distinct.len() == renames.len());
        let src = render(&root, crlf, bom, final_newline);
        let map: BTreeMap<&str, &str> = renames.iter().map(|(l, t)| (LABELS[*l], TARGETS[*t])).collect();
        let rw = support::rewrite_some(&src, &|v| map.contains_key(v), &|v| map.get(v).map_or(String::new(), |t| t.to_string()));
        let Ok(mut rw) = rw else { return Ok(()) };
        prop_assume!(!rw.edits.is_empty());
        let i = which.index(rw.edits.len());
        if let Some(junk) = junk {
            rw.edits[i].text = junk;
        } else {
            // Past the end of the text: the end-of-file rule's last line.
            rw.edits[i].range.end = src.len();
            rw.edits.truncate(i + 1);
        }
        let all = Yaml.scalars(&src).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let subs: Vec<Substitution> = all.iter().filter_map(|s| {
            let to = rw.renamed.get(&s.value)?;
            Some(Substitution { scalar: s, new_value: to.clone() })
        }).collect();
        let parsed = Yaml.scan(&src).map_err(|e| TestCaseError::fail(e.to_string()))?.parsed;
        let new = apply_edits(&src, &rw.edits);
        let edited = Edited::new(&src, &rw.edits);
        prop_assume!(edited.is_some());
        let edited = edited.ok_or_else(|| TestCaseError::fail("overlap"))?;
        prop_assert_eq!(edited.text(), new.clone());
        prop_assert_eq!(edited.len(), new.len());
        prop_assert_eq!(
            Yaml.verify_edited(&src, parsed.as_ref(), &edited, &subs),
            Yaml.verify(&src, parsed.as_ref(), &new, &subs),
            "{:?} → {:?}", src, new
        );
    }

    #[test]
    fn a_plain_safe_string_reads_back_as_itself(s in "[a-z0-9 :#,.\\[\\]{}'\"!&*?|>%@`~=+-]{1,8}", flow in any::<bool>()) {
        if plain_safe(&s, flow) {
            let text = if flow { format!("[{s}]\n") } else { format!("k: {s}\n") };
            let mut p = Parser::new_from_str(&text);
            let mut scalars = Vec::new();
            loop {
                match p.next_token() {
                    Ok((Event::StreamEnd, _)) => break,
                    Ok((Event::Scalar(v, st, _, tag), _)) => scalars.push((v, st, tag)),
                    Ok(_) => {}
                    Err(e) => return Err(TestCaseError::fail(format!("{text:?}: {e}"))),
                }
            }
            let last = scalars.last().cloned();
            prop_assert_eq!(scalars.len(), if flow { 1 } else { 2 });
            let (v, st, tag) = last.unwrap_or_default_scalar();
            prop_assert_eq!(v, s.clone());
            prop_assert_eq!(st, TScalarStyle::Plain);
            prop_assert!(tag.is_none() && resolves_to_string(&s));
        }
    }

    #[test]
    fn any_new_value_for_a_plain_scalar_verifies(s in "\\PC{0,6}", flow in any::<bool>()) {
        let src = if flow { "a: [pve-shop, x]\n" } else { "a: pve-shop # c\n" };
        let all = Yaml.scalars(src).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let sc = all.iter().find(|x| x.value == "pve-shop" && x.style != Style::YamlAlias).cloned();
        let sc = sc.ok_or_else(|| TestCaseError::fail("not scanned"))?;
        let reps = [Replacement { range: 0..8, text: s.as_str().into() }];
        let edits = Yaml.edits(src, &sc, &reps).map_err(TestCaseError::fail)?;
        let new = apply_edits(src, &edits);
        Yaml.verify(src, None, &new, &[Substitution { scalar: &sc, new_value: s.clone() }])
            .map_err(|e| TestCaseError::fail(format!("{e}: {new:?}")))?;
    }
}

trait DefaultScalar {
    fn unwrap_or_default_scalar(self) -> (String, TScalarStyle, Option<yaml_rust2::parser::Tag>);
}

impl DefaultScalar for Option<(String, TScalarStyle, Option<yaml_rust2::parser::Tag>)> {
    fn unwrap_or_default_scalar(self) -> (String, TScalarStyle, Option<yaml_rust2::parser::Tag>) {
        self.unwrap_or((String::new(), TScalarStyle::Literal, None))
    }
}
