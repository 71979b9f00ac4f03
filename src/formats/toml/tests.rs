//! Engine tests: paths of every key occurrence, TOML 1.0 strictness, edits
//! through the whole Format API, verification, and a property test over
//! random documents.

use super::Toml;
use crate::formats::{
    Format, Replacement, Scalar, ScalarKind, Seg, Style, Substitution, apply_edits,
    apply_replacements, path_to_string,
};

fn scan(src: &str) -> Vec<Scalar> {
    Toml.scalars(src).unwrap()
}

fn listing(src: &str) -> Vec<String> {
    scan(src)
        .iter()
        .map(|s| format!("{} {} {}", s.kind.name(), path_to_string(&s.path), s.value))
        .collect()
}

/// Rewrites every whole-value (or key) occurrence of `from` to `to`.
fn rewrite(src: &str, kind: ScalarKind, from: &str, to: &str) -> Result<String, String> {
    let scalars = scan(src);
    let mut edits = Vec::new();
    let mut subs = Vec::new();
    for s in scalars.iter().filter(|s| s.kind == kind && s.value == from) {
        let reps = [Replacement {
            range: 0..s.value.len(),
            text: to.into(),
        }];
        edits.extend(Toml.edits(src, s, &reps)?);
        subs.push(Substitution {
            scalar: s,
            new_value: to.to_string(),
        });
    }
    let new = apply_edits(src, &edits);
    Toml.verify(src, None, &new, &subs)?;
    Ok(new)
}

#[test]
fn every_key_occurrence_has_its_own_path() {
    let src = "a.b.c = 'x'\n[t.u]\nv = 1\n[[srv]]\nname = \"one\"\n[[srv]]\nname = \"two\"\n[srv.sub]\nk = { p.q = 'in', r = ['s', 't'] }\n";
    assert_eq!(
        listing(src),
        [
            "key a a",
            "key a.b b",
            "key a.b.c c",
            "value a.b.c x",
            "key t t",
            "key t.u u",
            "key t.u.v v",
            "key srv srv",
            "key srv[0].name name",
            "value srv[0].name one",
            "key srv srv",
            "key srv[1].name name",
            "value srv[1].name two",
            "key srv srv",
            "key srv[1].sub sub",
            "key srv[1].sub.k k",
            "key srv[1].sub.k.p p",
            "key srv[1].sub.k.p.q q",
            "value srv[1].sub.k.p.q in",
            "key srv[1].sub.k.r r",
            "value srv[1].sub.k.r[0] s",
            "value srv[1].sub.k.r[1] t",
        ]
    );
}

#[test]
fn nested_arrays_of_tables_count_per_parent() {
    let src = "[[a]]\n[[a.b]]\nx='0'\n[[a.b]]\nx='1'\n[[a]]\n[[a.b]]\nx='2'\n";
    let paths: Vec<String> = scan(src)
        .iter()
        .filter(|s| s.kind == ScalarKind::Value)
        .map(|s| path_to_string(&s.path))
        .collect();
    assert_eq!(paths, ["a[0].b[0].x", "a[0].b[1].x", "a[1].b[0].x"]);
}

#[test]
fn spans_are_byte_offsets_with_bom_and_multibyte_text() {
    let src = "\u{feff}# é\r\nk = \"é pve\"\r\n";
    let s = scan(src)
        .into_iter()
        .find(|s| s.kind == ScalarKind::Value)
        .unwrap();
    assert_eq!(&src[s.span.clone()], "\"é pve\"");
    assert_eq!(s.content.start, s.span.start + 1);
    assert_eq!(s.pieces.len(), 1);
}

#[test]
fn numbers_dates_and_booleans_are_not_returned() {
    let src = "a = 1\nb = 1979-05-27T07:32:00Z\nc = true\nd = 1.5\n";
    assert!(scan(src).iter().all(|s| s.kind == ScalarKind::Key));
}

#[test]
fn toml_1_1_syntax_is_rejected_with_a_position() {
    for (src, line, col) in [
        ("t = {a = 1,}\n", 1, 11),
        ("t = {a = 1,\n b = 2}\n", 1, 12),
        ("t = 07:32\n", 1, 5),
        ("t = 1979-05-27T07:32Z\n", 1, 5),
        ("t = \"\\x41\"\n", 1, 6),
        ("\n\nt = \"\\e\"\n", 3, 6),
    ] {
        let e = Toml.scalars(src).unwrap_err();
        assert_eq!((e.line, e.column), (line, col), "{src:?}: {e}");
    }
}

#[test]
fn syntax_errors_have_positions() {
    let e = Toml.scalars("a = 1\nb = = 2\n").unwrap_err();
    assert_eq!(e.line, 2);
    let e = Toml.scalars("a = 1\na = 2\n").unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("a = {}{}\n", "[".repeat(200_000), "]".repeat(200_000));
    assert!(Toml.scalars(&deep).is_err());
    let deep = format!("a = {}1{}\n", "{b = ".repeat(200_000), "}".repeat(200_000));
    assert!(Toml.scalars(&deep).is_err());
    let deep = format!("[{}a]\n", "a.".repeat(200_000));
    assert!(Toml.scalars(&deep).is_err());
}

#[test]
fn header_keys_rename_in_every_occurrence() {
    let src = "[pve-shop]\nip = '1'\n[pve-shop.disks]\nn = 2\n";
    assert_eq!(
        rewrite(src, ScalarKind::Key, "pve-shop", "pve").unwrap(),
        "[pve]\nip = '1'\n[pve.disks]\nn = 2\n"
    );
}

#[test]
fn key_renamed_to_a_non_bare_name_is_quoted() {
    let src = "hosts.pve-shop = 1\n";
    assert_eq!(
        rewrite(src, ScalarKind::Key, "pve-shop", "pve shop").unwrap(),
        "hosts.\"pve shop\" = 1\n"
    );
}

#[test]
fn partial_header_rename_fails_verification() {
    let src = "[a]\nx = 1\n[a.b]\ny = 2\n";
    let scalars = scan(src);
    let first = scalars
        .iter()
        .find(|s| s.kind == ScalarKind::Key && s.value == "a")
        .unwrap();
    let reps = [Replacement {
        range: 0..1,
        text: "z".into(),
    }];
    let new = apply_edits(src, &Toml.edits(src, first, &reps).unwrap());
    let subs = [Substitution {
        scalar: first,
        new_value: "z".into(),
    }];
    assert!(Toml.verify(src, None, &new, &subs).is_err());
}

#[test]
fn verify_catches_collisions_and_unplanned_changes() {
    let src = "a = 'x'\nb = 'y'\n";
    let s = scan(src);
    let key_a = s
        .iter()
        .find(|s| s.kind == ScalarKind::Key && s.value == "a")
        .unwrap();
    let subs = [Substitution {
        scalar: key_a,
        new_value: "b".into(),
    }];
    assert!(Toml.verify(src, None, "b = 'x'\nb = 'y'\n", &subs).is_err());
    assert!(Toml.verify(src, None, "a = 'x'\nb = 'z'\n", &[]).is_err());
    assert!(Toml.verify(src, None, src, &[]).is_ok());
    assert!(Toml.verify("n = nan\n", None, "n = nan\n", &[]).is_ok());
}

/// Verification checks the new text with the walk only (no second
/// validating parse with `toml_edit`): a rewritten text that is no longer
/// TOML 1.0, or not TOML at all, is still refused, with the message the
/// full scan of the new text gives.
#[test]
fn verify_refuses_a_new_text_that_is_not_toml_1_0() {
    let src = "a = 'x'\nb = { c = 'y' }\n";
    for bad in [
        "a = 'x'\nb = { c = 'y', }\n",
        "a = 'x'\nb = {\n c = 'y' }\n",
        "a = \"\\e\"\nb = { c = 'y' }\n",
        "a = 'x'\na = 'x'\nb = { c = 'y' }\n",
        "a = 'x'\nb = { c = 'y' }\n[b]\n",
        "a = 'x\nb = { c = 'y' }\n",
    ] {
        let e = Toml.verify(src, None, bad, &[]).unwrap_err();
        let full = super::scan::scan(bad, false).unwrap_err();
        assert_eq!(
            e,
            format!("the rewritten text does not parse: {full}"),
            "{bad}"
        );
    }
}

#[test]
fn key_rename_moves_the_subtree() {
    let src = "[pve-shop]\nhost = \"pve-shop\"\n";
    let s = scan(src);
    let subs: Vec<Substitution> = s
        .iter()
        .filter(|s| s.value == "pve-shop")
        .map(|s| Substitution {
            scalar: s,
            new_value: "pve".into(),
        })
        .collect();
    assert_eq!(subs.len(), 2);
    assert!(
        Toml.verify(src, None, "[pve]\nhost = \"pve\"\n", &subs)
            .is_ok()
    );
    assert!(
        Toml.verify(src, None, "[pve]\nhost = \"pve-shop\"\n", &subs)
            .is_err()
    );
}

/// A quote may go into a multi-line literal string, unless it would make
/// three in a row (an early closing delimiter) anywhere, also at the end.
#[test]
fn quotes_go_into_a_multi_line_literal_unless_they_close_it() {
    let cases = [
        (
            "d = '''\nalias here\n'''\n",
            "it's",
            Some("d = '''\nit's here\n'''\n"),
        ),
        ("d = '''x alias'''\n", "a'", Some("d = '''x a''''\n")),
        ("d = '''x alias'''\n", "a''", Some("d = '''x a'''''\n")),
        ("d = '''x alias'''\n", "a'''", None),
        ("d = '''x'alias'''\n", "''y", None),
        ("d = '''alias z'''\n", "'", Some("d = '''' z'''\n")),
    ];
    for (src, to, want) in cases {
        let s = scan(src)
            .into_iter()
            .find(|s| s.kind == ScalarKind::Value)
            .unwrap();
        assert_eq!(s.style, Style::TomlMultiLiteral);
        let at = s.value.find("alias").unwrap();
        let reps = [Replacement {
            range: at..at + 5,
            text: to.into(),
        }];
        match (Toml.edits(src, &s, &reps), want) {
            (Ok(edits), Some(want)) => {
                let new = apply_edits(src, &edits);
                assert_eq!(new, want, "{src:?} → {to:?}");
                let subs = [Substitution {
                    scalar: &s,
                    new_value: apply_replacements(&s.value, &reps),
                }];
                Toml.verify(src, None, &new, &subs).unwrap();
            }
            (Err(_), None) => {}
            (got, want) => panic!("{src:?} → {to:?}: {got:?}, expected {want:?}"),
        }
    }
}

#[test]
fn multiline_token_rewrite_stays_on_its_line() {
    let src = "n = \"\"\"\r\nhost pve-shop\r\nnext\\\r\n  line\"\"\"\r\n";
    let s = scan(src)
        .into_iter()
        .find(|s| s.kind == ScalarKind::Value)
        .unwrap();
    assert_eq!(s.style, Style::TomlMultiBasic);
    let at = s.value.find("pve-shop").unwrap();
    let reps = [Replacement {
        range: at..at + 8,
        text: "pve".into(),
    }];
    let new = apply_edits(src, &Toml.edits(src, &s, &reps).unwrap());
    assert_eq!(new, "n = \"\"\"\r\nhost pve\r\nnext\\\r\n  line\"\"\"\r\n");
    let subs = [Substitution {
        scalar: &s,
        new_value: apply_replacements(&s.value, &reps),
    }];
    Toml.verify(src, None, &new, &subs).unwrap();
    let at = s.value.find("nextline").unwrap();
    let reps = [Replacement {
        range: at..at + 8,
        text: "x".into(),
    }];
    assert!(
        Toml.edits(src, &s, &reps)
            .unwrap_err()
            .contains("line break")
    );
}

#[test]
fn edits_refuse_a_stale_scalar() {
    let src = "a = 'pve-shop'\n";
    let mut s = scan(src).pop().unwrap();
    s.value = "other".into();
    let reps = [Replacement {
        range: 0..5,
        text: "x".into(),
    }];
    assert!(Toml.edits(src, &s, &reps).is_err());
    let s = scan(src).pop().unwrap();
    let bad = [Replacement {
        range: 3..99,
        text: "x".into(),
    }];
    assert!(Toml.edits(src, &s, &bad).is_err());
}

#[test]
fn seg_paths_use_index_for_arrays() {
    let s = scan("a = [['x']]\n");
    assert_eq!(
        s[1].path,
        vec![Seg::Key("a".into()), Seg::Index(0), Seg::Index(0)]
    );
    assert!(s[1].in_flow);
}

/// `scan_for` returns a subset of `scan`, in order: every value that may
/// hold, and every key of a table where some key may hold, wherever the
/// table's keys are written (headers, dotted keys, inline tables).
#[test]
fn scan_for_keeps_what_planning_needs() {
    let may_hold = |b: &[u8]| b.windows(3).any(|w| w == b"pve");
    let src = r#"# top pve
name = "pve-shop"
other = "x"
[hosts]
pve-shop = { ip = "1", tags = ["a", "pve"] }
[hosts.nas]
ip = "2"
[hosts.nas.extra]
k = "v"
[[servers]]
host = "pve-home"
[[servers]]
host = 'y'
[a.b]
c = 1
[a]
"pve" = 2
d.e = """pve-x"""
d.pve = 3
"#;
    let extra =
        crate::formats::keep_check::check(&Toml, src, &may_hold).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(extra, 0);
    let kept: Vec<String> = Toml
        .scan_for(src, &may_hold)
        .unwrap()
        .scalars
        .iter()
        .map(|s| format!("{} {} {}", s.kind.name(), path_to_string(&s.path), s.value))
        .collect();
    assert_eq!(
        kept,
        [
            "value name pve-shop",
            "key hosts.pve-shop pve-shop",
            "value hosts.pve-shop.tags[1] pve",
            "key hosts.nas nas",
            "key hosts.nas nas",
            "value servers[0].host pve-home",
            "key a.b b",
            "key a.pve pve",
            "key a.d d",
            "key a.d.e e",
            "value a.d.e pve-x",
            "key a.d d",
            "key a.d.pve pve",
        ]
    );
    let fixtures = crate::formats::keep_check::fixture_texts("toml");
    let others = [
        "a = [\"pve\", { pve = 1, b = [\"x\", \"pve-2\"] }]\n",
        "[[t]]\nx = 1\n[[t]]\npve = 1\n[t.u]\ny = 'z'\n",
        "'pve'.a = 1\nb = 2\n",
        "",
    ];
    for src in fixtures.iter().map(String::as_str).chain(others) {
        let extra = crate::formats::keep_check::check(&Toml, src, &may_hold)
            .unwrap_or_else(|e| panic!("{e}\n{src}"));
        assert_eq!(extra, 0, "{src}");
    }
    // Errors are the scan's, wherever they are.
    for bad in [
        "pve = \"a\\x41\"\n",
        "a = 'x'\nt = 07:32\npve = 1\n",
        "pve = 1\npve = 2\n",
        "a = { pve = 1, }\n",
        "a = [\"x\" \"y\"]\n",
        "x = \"\\e\"\n[pve]\n",
    ] {
        let e = Toml.scan_for(bad, &may_hold).err();
        assert!(e.is_some(), "{bad}");
        assert_eq!(e, Toml.scan(bad).err(), "{bad}");
    }
}

mod random {
    //! Random documents: tables, arrays of tables, inline tables, dotted
    //! keys, all four string kinds with escapes, line continuations, LF or
    //! CRLF, with labels in keys and values. Each label occurrence is
    //! rewritten; the result must keep every byte outside the rewritten
    //! scalars and hold the data of the same document written with the new
    //! labels (rendered independently, all strings as escaped basic strings).

    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// (alias, canonical) for value labels; canonicals need escaping or
    /// cannot be literal on purpose.
    const VALUE_LABELS: &[(&str, &str)] = &[
        ("pve-shop", "pve"),
        ("pve-home", "proxmox-home"),
        ("old-x", "it's \"x\\y\""),
    ];
    /// (alias, canonical) for key labels; one canonical is not a bare key.
    const KEY_LABELS: &[(&str, &str)] = &[("pve-shop", "pve"), ("old.key", "new key")];

    /// A label occurrence: (occurrence number, alias, canonical).
    type LabelAt = (usize, &'static str, &'static str);

    #[derive(Clone, Debug)]
    enum Part {
        Text(String),
        Label(usize),
        /// An escaped character (basic kinds) or its raw form (literal kinds).
        Esc(char),
        Newline,
        /// `\` + line break + indentation (multi-line basic only).
        Continuation,
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Kind {
        Basic,
        Literal,
        MlBasic,
        MlLiteral,
    }

    #[derive(Clone, Debug)]
    enum Val {
        Str(Kind, Vec<Part>),
        Int(i64),
        Arr(Vec<Val>),
        Inline(Vec<(Vec<KeyPart>, Val)>),
    }

    #[derive(Clone, Debug)]
    struct KeyPart {
        name: KeyName,
        /// 0 bare (when possible), 1 basic, 2 literal (when possible).
        quoting: u8,
    }

    #[derive(Clone, Debug)]
    enum KeyName {
        Fixed(String),
        Label(usize),
    }

    #[derive(Clone, Debug)]
    struct Section {
        header: Vec<KeyPart>,
        array: bool,
        body: Vec<(Vec<KeyPart>, Val)>,
    }

    #[derive(Clone, Debug)]
    struct Doc {
        crlf: bool,
        root: Vec<(Vec<KeyPart>, Val)>,
        sections: Vec<Section>,
    }

    fn text_part() -> impl Strategy<Value = Part> {
        prop_oneof![
            "[a-z0-9 ./:-]{0,6}".prop_map(Part::Text),
            (0..VALUE_LABELS.len()).prop_map(Part::Label),
            prop_oneof![Just('"'), Just('\\'), Just('\t'), Just('é'), Just('\u{1}')]
                .prop_map(Part::Esc),
            Just(Part::Newline),
            Just(Part::Continuation),
        ]
    }

    fn string_val() -> impl Strategy<Value = Val> {
        (
            prop_oneof![
                Just(Kind::Basic),
                Just(Kind::Literal),
                Just(Kind::MlBasic),
                Just(Kind::MlLiteral)
            ],
            proptest::collection::vec(text_part(), 0..6),
        )
            .prop_map(|(k, parts)| Val::Str(k, parts))
    }

    fn key_part(prefix: &'static str) -> impl Strategy<Value = KeyPart> {
        (
            prop_oneof![
                3 => (0..4u8).prop_map(move |i| KeyName::Fixed(format!("{prefix}{i}"))),
                2 => (0..KEY_LABELS.len()).prop_map(KeyName::Label),
            ],
            0..3u8,
        )
            .prop_map(|(name, quoting)| KeyPart { name, quoting })
    }

    fn dotted(prefix: &'static str) -> impl Strategy<Value = Vec<KeyPart>> {
        proptest::collection::vec(key_part(prefix), 1..3)
    }

    fn value() -> impl Strategy<Value = Val> {
        let leaf =
            prop_oneof![4 => string_val(), 1 => any::<i8>().prop_map(|i| Val::Int(i.into()))];
        leaf.prop_recursive(2, 12, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Val::Arr),
                proptest::collection::vec((dotted("i"), inner), 0..3).prop_map(Val::Inline),
            ]
        })
    }

    fn body() -> impl Strategy<Value = Vec<(Vec<KeyPart>, Val)>> {
        proptest::collection::vec((dotted("k"), value()), 0..4)
    }

    fn doc() -> impl Strategy<Value = Doc> {
        (
            any::<bool>(),
            body(),
            proptest::collection::vec((dotted("t"), any::<bool>(), body(), 1..3usize), 0..4),
        )
            .prop_map(|(crlf, root, secs)| {
                let mut sections = Vec::new();
                for (header, array, body, repeat) in secs {
                    let times = if array { repeat } else { 1 };
                    for _ in 0..times {
                        sections.push(Section {
                            header: header.clone(),
                            array,
                            body: body.clone(),
                        });
                    }
                }
                Doc {
                    crlf,
                    root,
                    sections,
                }
            })
    }

    /// Renders documents: `labels_to` says, per label occurrence (numbered in
    /// rendering order), whether to write the canonical name; `plain` writes
    /// every string as an escaped basic string (the independent expectation).
    struct Render<'a> {
        out: String,
        nl: &'static str,
        plain: bool,
        renamed: &'a BTreeSet<usize>,
        /// Label occurrences in rendering order.
        next_label: usize,
        /// Per string (key or value) in document order: its label occurrences
        /// as (occurrence number, alias, canonical).
        strings: Vec<Vec<LabelAt>>,
    }

    impl Render<'_> {
        fn label(&mut self, alias: &'static str, canonical: &'static str) -> &'static str {
            let n = self.next_label;
            self.next_label += 1;
            if let Some(last) = self.strings.last_mut() {
                last.push((n, alias, canonical));
            }
            if self.renamed.contains(&n) {
                canonical
            } else {
                alias
            }
        }

        fn key(&mut self, k: &KeyPart) {
            self.strings.push(Vec::new());
            let name = match &k.name {
                KeyName::Fixed(s) => s.clone(),
                KeyName::Label(i) => {
                    let (a, c) = KEY_LABELS[*i];
                    self.label(a, c).to_string()
                }
            };
            let bare = super::super::strings::is_bare_key(&name);
            let literal = !name.contains('\'');
            let text = match k.quoting {
                _ if self.plain => super::super::strings::basic(&name),
                0 if bare => name,
                2 if literal => format!("'{name}'"),
                _ => super::super::strings::basic(&name),
            };
            self.out.push_str(&text);
        }

        fn keys(&mut self, ks: &[KeyPart]) {
            for (i, k) in ks.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(if i % 2 == 0 { "." } else { " . " });
                }
                self.key(k);
            }
        }

        /// Writes a string of `kind`, or (plain) the escaped basic string of
        /// the same decoded value.
        fn string(&mut self, kind: Kind, parts: &[Part]) {
            self.strings.push(Vec::new());
            let basic_kind = matches!(kind, Kind::Basic | Kind::MlBasic);
            let multi = matches!(kind, Kind::MlBasic | Kind::MlLiteral);
            let mut source = String::new();
            let mut decoded = String::new();
            for p in parts {
                let (dec, src): (String, String) = match p {
                    Part::Text(t) => (t.clone(), t.clone()),
                    Part::Label(i) => {
                        let (a, c) = VALUE_LABELS[*i];
                        let text = self.label(a, c).to_string();
                        let src = if basic_kind {
                            super::super::strings::escape_basic(&text)
                        } else {
                            text.clone()
                        };
                        (text, src)
                    }
                    Part::Esc(c) if basic_kind => (
                        c.to_string(),
                        super::super::strings::escape_basic(&c.to_string()),
                    ),
                    Part::Esc(c) if matches!(c, 'é' | '\t' | '\\') => {
                        (c.to_string(), c.to_string())
                    }
                    Part::Newline if multi => (self.nl.to_string(), self.nl.to_string()),
                    // The marker keeps the continuation from eating what follows.
                    Part::Continuation if kind == Kind::MlBasic => {
                        ("|".into(), format!("\\{}   |", self.nl))
                    }
                    _ => (String::new(), String::new()),
                };
                decoded.push_str(&dec);
                source.push_str(&src);
            }
            if self.plain {
                self.out.push_str(&super::super::strings::basic(&decoded));
                return;
            }
            let (open, close) = match kind {
                Kind::Basic => ("\"", "\""),
                Kind::Literal => ("'", "'"),
                Kind::MlBasic => ("\"\"\"", "\"\"\""),
                Kind::MlLiteral => ("'''", "'''"),
            };
            self.out.push_str(open);
            if multi {
                self.out.push_str(self.nl);
            }
            self.out.push_str(&source);
            self.out.push_str(close);
        }

        fn value(&mut self, v: &Val) {
            match v {
                Val::Str(k, parts) => self.string(*k, parts),
                Val::Int(i) => self.out.push_str(&i.to_string()),
                Val::Arr(items) => {
                    self.out.push('[');
                    for (i, it) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.value(it);
                    }
                    self.out.push(']');
                }
                Val::Inline(entries) => {
                    self.out.push('{');
                    for (i, (k, v)) in entries.iter().enumerate() {
                        self.out.push_str(if i > 0 { ", " } else { " " });
                        self.keys(k);
                        self.out.push_str(" = ");
                        self.value(v);
                    }
                    self.out.push_str(" }");
                }
            }
        }

        fn body(&mut self, entries: &[(Vec<KeyPart>, Val)]) {
            for (k, v) in entries {
                self.keys(k);
                self.out.push_str(" = ");
                self.value(v);
                self.out.push_str(self.nl);
            }
        }

        fn doc(&mut self, d: &Doc) {
            self.out.push_str("# generated");
            self.out.push_str(self.nl);
            self.body(&d.root);
            for s in &d.sections {
                self.out.push_str(if s.array { "[[" } else { "[" });
                self.keys(&s.header);
                self.out.push_str(if s.array { "]]" } else { "]" });
                self.out.push_str(self.nl);
                self.body(&s.body);
            }
        }
    }

    fn render(d: &Doc, plain: bool, renamed: &BTreeSet<usize>) -> (String, Vec<Vec<LabelAt>>) {
        let mut r = Render {
            out: String::new(),
            nl: if d.crlf { "\r\n" } else { "\n" },
            plain,
            renamed,
            next_label: 0,
            strings: Vec::new(),
        };
        r.doc(d);
        (r.out, r.strings)
    }

    /// Where each label occurrence of a scalar sits in its decoded value:
    /// the occurrences of the aliases, left to right.
    fn label_ranges(
        value: &str,
        labels: &[(usize, &str, &str)],
    ) -> Option<Vec<(usize, Replacement)>> {
        let mut at = 0;
        let mut out = Vec::new();
        for &(n, alias, canonical) in labels {
            let start = at + value.get(at..)?.find(alias)?;
            at = start + alias.len();
            out.push((
                n,
                Replacement {
                    range: start..at,
                    text: canonical.into(),
                },
            ));
        }
        Some(out)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// `scan_for` keeps exactly what planning needs of random
        /// documents (see [`crate::formats::keep_check`]).
        #[test]
        fn scan_for_keeps_what_planning_needs(d in doc(), which in 0usize..4) {
            let none = BTreeSet::new();
            let (src, _) = render(&d, false, &none);
            prop_assume!(toml_edit::Document::parse(&src).is_ok());
            let needle: &[u8] = [&b"pve-shop"[..], b"old", b"k1", b"i"][which];
            let may_hold = |b: &[u8]| b.windows(needle.len()).any(|w| w == needle);
            let extra = crate::formats::keep_check::check(&Toml, &src, &may_hold)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
            prop_assert_eq!(extra, 0, "{}", src);
        }

        #[test]
        fn random_documents_rewrite_exactly_their_labels(d in doc()) {
            let none = BTreeSet::new();
            let (src, strings) = render(&d, false, &none);
            // Generated key sets may clash (duplicate keys): only valid
            // documents are interesting.
            prop_assume!(toml_edit::Document::parse(&src).is_ok());
            let scalars = Toml.scalars(&src).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
            prop_assert_eq!(scalars.len(), strings.len(), "{}", src);

            let mut edits = Vec::new();
            let mut subs = Vec::new();
            let mut renamed = BTreeSet::new();
            let mut touched = Vec::new();
            for (s, labels) in scalars.iter().zip(&strings) {
                if labels.is_empty() {
                    continue;
                }
                let found = label_ranges(&s.value, labels);
                prop_assert!(found.is_some(), "labels not found in {:?}", s.value);
                let mut kept = Vec::new();
                for (n, rep) in found.unwrap_or_default() {
                    match Toml.edits(&src, s, std::slice::from_ref(&rep)) {
                        Ok(_) => kept.push((n, rep)),
                        Err(reason) => {
                            // Only a multi-line literal may refuse, and only a quote.
                            prop_assert!(s.style == Style::TomlMultiLiteral && rep.text.contains('\''), "{}", reason);
                        }
                    }
                }
                if kept.is_empty() {
                    continue;
                }
                let reps: Vec<Replacement> = kept.iter().map(|(_, r)| r.clone()).collect();
                let e = Toml.edits(&src, s, &reps).map_err(TestCaseError::fail)?;
                for edit in &e {
                    prop_assert!(s.span.start <= edit.range.start && edit.range.end <= s.span.end);
                }
                edits.extend(e);
                renamed.extend(kept.iter().map(|(n, _)| *n));
                subs.push(Substitution { scalar: s, new_value: apply_replacements(&s.value, &reps) });
                touched.push(s.span.clone());
            }
            let new = apply_edits(&src, &edits);
            Toml.verify(&src, None, &new, &subs).map_err(|e| TestCaseError::fail(format!("{e}\n{src}\n{new}")))?;

            // Bytes outside the rewritten scalars are unchanged.
            let after = Toml.scalars(&new).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(after.len(), scalars.len());
            let (mut a, mut b) = (0, 0);
            for (x, y) in scalars.iter().zip(&after) {
                prop_assert_eq!(&src[a..x.span.start], &new[b..y.span.start]);
                if !touched.contains(&x.span) {
                    prop_assert_eq!(&src[x.span.clone()], &new[y.span.clone()]);
                }
                a = x.span.end;
                b = y.span.end;
            }
            prop_assert_eq!(&src[a..], &new[b..]);

            // The data equals the same document written with the new labels.
            let (expected_text, _) = render(&d, true, &renamed);
            let expected: toml::Table = expected_text.parse().map_err(|e| TestCaseError::fail(format!("{e}\n{expected_text}")))?;
            let actual: toml::Table = new.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(expected, actual, "{}\n{}", src, new);
        }
    }
}
