//! Unit tests of the JSON reader, edits and verification.

use super::*;
use crate::formats::{ScalarKind, Seg, apply_edits, apply_replacements, source_range};

fn scan(src: &str) -> Vec<Scalar> {
    Json.scalars(src)
        .unwrap_or_else(|e| panic!("scan failed: {e}"))
}

fn err(src: &str) -> ParseError {
    match Json.scalars(src) {
        Ok(s) => panic!("expected an error for {src:?}, got {} scalars", s.len()),
        Err(e) => e,
    }
}

/// Rewrites the whole value of every scalar equal to `from` and verifies.
fn rewrite(src: &str, from: &str, to: &str) -> String {
    let scalars = scan(src);
    let mut edits = Vec::new();
    let mut subs = Vec::new();
    for s in scalars.iter().filter(|s| s.value == from) {
        let reps = [Replacement {
            range: 0..s.value.len(),
            text: to.into(),
        }];
        edits.extend(Json.edits(src, s, &reps).unwrap());
        subs.push(Substitution {
            scalar: s,
            new_value: to.to_string(),
        });
    }
    let new = apply_edits(src, &edits);
    Json.verify(src, None, &new, &subs)
        .unwrap_or_else(|e| panic!("verify failed: {e}\n{new}"));
    let parsed = Json.scan(src).unwrap().parsed;
    assert!(parsed.is_some(), "the scan keeps its tape");
    Json.verify(src, parsed.as_ref(), &new, &subs)
        .unwrap_or_else(|e| panic!("verify with the tape failed: {e}\n{new}"));
    new
}

/// Whether `new` verifies, with the scan's tape and without: both must say
/// the same, with the same message.
fn verifies(src: &str, new: &str, subs: &[Substitution]) -> bool {
    let parsed = Json.scan(src).unwrap().parsed;
    let with = Json.verify(src, parsed.as_ref(), new, subs);
    let without = Json.verify(src, None, new, subs);
    assert_eq!(with, without, "{src} -> {new}");
    with.is_ok()
}

#[test]
fn verify_with_the_tape_catches_unplanned_changes() {
    let src = r#"{"a": "x", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}}"#;
    let s = scan(src);
    let sub = Substitution {
        scalar: &s[1],
        new_value: "z".into(),
    };
    let key = Substitution {
        scalar: &s[2],
        new_value: "bb".into(),
    };
    let subs = std::slice::from_ref(&sub);
    let ok = r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}}"#;
    assert!(verifies(src, ok, subs));
    assert!(verifies(
        src,
        r#"{"a": "z", "bb": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}}"#,
        &[sub.clone(), key.clone()]
    ));
    for bad in [
        r#"{"a": "x", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}}"#,
        r#"{"a": "z", "b": "y", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 2, "d": [true, null, -2, 1.5e3], "e": {}}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1.0, "d": [true, null, -2, 1.5e3], "e": {}}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [false, null, -2, 1.5e3], "e": {}}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -3, 1.5e3], "e": {}}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1501], "e": {}}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": []}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3]}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}, "f": 1}"#,
        r#"{"a": "z", "b": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {},}"#,
        r#"{"a": "z", "B": "y\u00e9", "c": 1, "d": [true, null, -2, 1.5e3], "e": {}}"#,
        "\u{feff}{\"a\": \"z\", \"b\": \"y\\u00e9\", \"c\": 1, \"d\": [true, null, -2, 1.5e3], \"e\": {}}",
        r#"[1]"#,
        "",
    ] {
        assert!(!verifies(src, bad, subs), "{bad}");
    }
    // A substitution that does not match the original is refused.
    let stale = Substitution {
        scalar: &Scalar {
            value: "w".into(),
            ..s[1].clone()
        },
        new_value: "z".into(),
    };
    assert!(!verifies(src, ok, &[stale]));
    // Too deep for serde_json: the message is the full check's.
    let deep = format!("{}\"x\"{}", "[".repeat(200), "]".repeat(200));
    let s = scan(&deep);
    let sub = Substitution {
        scalar: &s[0],
        new_value: "y".into(),
    };
    let new = deep.replace('x', "y");
    assert!(!verifies(&deep, &new, &[sub]));
}

#[test]
fn finds_values_and_keys_with_paths() {
    let src = r#"{"hosts": {"pve-shop": {"ip": "10.0.0.1"}}, "list": ["a", 1, {"b": "c"}]}"#;
    let s = scan(src);
    let got: Vec<_> = s
        .iter()
        .map(|s| {
            (
                s.kind,
                s.value.as_str(),
                crate::formats::path_to_string(&s.path),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (ScalarKind::Key, "hosts", "hosts".to_string()),
            (ScalarKind::Key, "pve-shop", "hosts.pve-shop".to_string()),
            (ScalarKind::Key, "ip", "hosts.pve-shop.ip".to_string()),
            (
                ScalarKind::Value,
                "10.0.0.1",
                "hosts.pve-shop.ip".to_string()
            ),
            (ScalarKind::Key, "list", "list".to_string()),
            (ScalarKind::Value, "a", "list[0]".to_string()),
            (ScalarKind::Key, "b", "list[2].b".to_string()),
            (ScalarKind::Value, "c", "list[2].b".to_string()),
        ]
    );
    let ip = &s[3];
    assert_eq!(&src[ip.span.clone()], "\"10.0.0.1\"");
    assert_eq!(ip.content.start, ip.span.start + 1);
    assert_eq!(ip.pieces.len(), 1);
}

#[test]
fn pieces_stop_at_escapes() {
    let src = r#"["caf\u00e9 pve-shop\/x"]"#;
    let s = &scan(src)[0];
    assert_eq!(s.value, "café pve-shop/x");
    assert_eq!(s.pieces.len(), 3);
    let r = s.value.find("pve-shop").unwrap();
    let range = source_range(s, &(r..r + 8)).unwrap();
    assert_eq!(&src[range], "pve-shop");
}

#[test]
fn top_level_string_has_empty_path() {
    let s = scan("\"x\"");
    assert_eq!(s.len(), 1);
    assert!(s[0].path.is_empty());
    assert!(!s[0].in_flow);
}

#[test]
fn surrogate_pairs_decode() {
    let s = scan(r#"["\ud834\udd1e"]"#);
    assert_eq!(s[0].value, "\u{1d11e}");
    assert!(s[0].pieces.is_empty());
}

#[test]
fn bom_is_skipped_and_counted() {
    let src = "\u{feff}{\"a\": \"b\"}";
    let s = scan(src);
    assert_eq!(s[1].span.start, src.find("\"b").unwrap());
    let e = err("\u{feff}{\"a\" \"b\"}");
    assert_eq!((e.line, e.column), (1, 6));
}

#[test]
fn rejects_non_rfc_json() {
    for bad in [
        "",
        " ",
        "[1,]",
        "{\"a\":1,}",
        "[01]",
        "[-01]",
        "[NaN]",
        "[Infinity]",
        "[.5]",
        "[1.]",
        "[1e]",
        "// c\n[]",
        "[\"a\tb\"]",
        "[\"\\x\"]",
        "[\"\\ud800\"]",
        "[\"\\udc00\"]",
        "['a']",
        "{a:1}",
        "[1] x",
        "[tru]",
        "[\"abc",
        "{\"a\" 1}",
        "[1 2]",
        "[\u{a0}]",
        "[\"\\u12\"]",
        "{\"a\":}",
        "[,1]",
        "\u{feff}",
        "[\u{c}]",
    ] {
        let e = err(bad);
        assert!(e.line >= 1 && e.column >= 1, "{bad:?}: {e}");
    }
}

#[test]
fn error_positions_are_lines_and_characters() {
    let e = err("{\n  \"é\": [1,\n  2,,]}");
    assert_eq!((e.line, e.column), (3, 5), "{e}");
    let e = err("[01]");
    assert_eq!((e.line, e.column), (1, 2));
    assert!(e.message.contains("leading zeros"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = "[".repeat(200_000);
    let e = err(&src);
    assert!(e.message.contains("nesting"), "{e}");
    let src = "{\"a\":".repeat(200_000);
    assert!(err(&src).message.contains("nesting"));
    let ok = format!("{}\"x\"{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let s = scan(&ok);
    assert_eq!(s[0].path.len(), MAX_DEPTH);
}

#[test]
fn deep_file_with_edit_fails_verification_cleanly() {
    let src = format!("{}\"x\"{}", "[".repeat(300), "]".repeat(300));
    let s = scan(&src);
    let edits = Json
        .edits(
            &src,
            &s[0],
            &[Replacement {
                range: 0..1,
                text: "y".into(),
            }],
        )
        .unwrap();
    let new = apply_edits(&src, &edits);
    let e = Json
        .verify(
            &src,
            None,
            &new,
            &[Substitution {
                scalar: &s[0],
                new_value: "y".into(),
            }],
        )
        .unwrap_err();
    assert!(e.contains("128"), "{e}");
}

#[test]
fn whole_value_rewrite_keeps_everything_else() {
    let src = "{\r\n\t\"host\": \"pve-shop\",\r\n\t\"note\": \"caf\\u00e9 \\/ ok\"\r\n}";
    let new = rewrite(src, "pve-shop", "pve");
    assert_eq!(new, src.replace("\"pve-shop\"", "\"pve\""));
}

#[test]
fn key_rename() {
    let src = r#"{"hosts":{"pve-shop":{"a":1},"x":"pve-shop"}}"#;
    let new = rewrite(src, "pve-shop", "pve");
    assert_eq!(new, r#"{"hosts":{"pve":{"a":1},"x":"pve"}}"#);
}

#[test]
fn token_inside_escaped_string_splices_only_the_alias() {
    let src = r#"{"url": "https:\/\/pve-shop.lan:8006\/caf\u00e9"}"#;
    let s = &scan(src)[1];
    let at = s.value.find("pve-shop").unwrap();
    let reps = [Replacement {
        range: at..at + 8,
        text: "pve".into(),
    }];
    let edits = Json.edits(src, s, &reps).unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(&src[edits[0].range.clone()], "pve-shop");
    let new = apply_edits(src, &edits);
    assert_eq!(new, src.replace("pve-shop", "pve"));
    let sub = Substitution {
        scalar: s,
        new_value: apply_replacements(&s.value, &reps),
    };
    Json.verify(src, None, &new, &[sub]).unwrap();
}

#[test]
fn alias_spelled_with_escapes_is_replaced_whole() {
    let src = r#"["pve\u002dshop", "x\/pve\u002Dshop\/y"]"#;
    let new = rewrite(src, "pve-shop", "pve");
    assert_eq!(new, r#"["pve", "x\/pve\u002Dshop\/y"]"#);
    let s = &scan(src)[1];
    let at = s.value.find("pve-shop").unwrap();
    let reps = [Replacement {
        range: at..at + 8,
        text: "pve".into(),
    }];
    let new = apply_edits(src, &Json.edits(src, s, &reps).unwrap());
    assert_eq!(new, r#"["pve\u002dshop", "x\/pve\/y"]"#);
}

#[test]
fn replacement_text_is_escaped() {
    let new = rewrite(r#"{"a": "x", "b": "ü"}"#, "x", "q\"\\\n\u{1}é");
    assert_eq!(new, r#"{"a": "q\"\\\n\u0001é", "b": "ü"}"#);
    // A pure-ASCII file stays pure ASCII.
    let new = rewrite(r#"{"a": "x", "b": "\u00e9"}"#, "x", "é😀");
    assert_eq!(new, r#"{"a": "\u00e9\ud83d\ude00", "b": "\u00e9"}"#);
}

#[test]
fn duplicate_keys_do_not_crash() {
    let src = r#"{"a": "pve-shop", "a": "pve-shop", "pve-shop": 1, "pve-shop": 2}"#;
    let new = rewrite(src, "pve-shop", "pve");
    assert_eq!(new, r#"{"a": "pve", "a": "pve", "pve": 1, "pve": 2}"#);
    // A partial rename of duplicated keys is still exactly checked.
    let s = scan(src);
    let first = s
        .iter()
        .find(|s| s.kind == ScalarKind::Key && s.value == "pve-shop")
        .unwrap();
    let reps = [Replacement {
        range: 0..8,
        text: "pve".into(),
    }];
    let new = apply_edits(src, &Json.edits(src, first, &reps).unwrap());
    let sub = Substitution {
        scalar: first,
        new_value: "pve".into(),
    };
    Json.verify(src, None, &new, &[sub]).unwrap();
}

#[test]
fn verify_catches_unplanned_changes() {
    let src = r#"{"a": "x", "b": "y", "c": 1}"#;
    let s = scan(src);
    let sub = Substitution {
        scalar: &s[1],
        new_value: "z".into(),
    };
    assert!(
        Json.verify(
            src,
            None,
            r#"{"a": "z", "b": "y", "c": 1}"#,
            std::slice::from_ref(&sub)
        )
        .is_ok()
    );
    assert!(
        Json.verify(
            src,
            None,
            r#"{"a": "z", "b": "z", "c": 1}"#,
            std::slice::from_ref(&sub)
        )
        .is_err()
    );
    assert!(
        Json.verify(
            src,
            None,
            r#"{"a": "z", "b": "y", "c": 2}"#,
            std::slice::from_ref(&sub)
        )
        .is_err()
    );
    assert!(
        Json.verify(
            src,
            None,
            r#"{"b": "y", "a": "z", "c": 1}"#,
            std::slice::from_ref(&sub)
        )
        .is_err()
    );
    assert!(
        Json.verify(
            src,
            None,
            r#"{"a": "z", "b": "y", "c": 1,}"#,
            std::slice::from_ref(&sub)
        )
        .is_err()
    );
    assert!(
        Json.verify(src, None, r#"{"a": "x", "b": "y", "c": 1}"#, &[sub])
            .is_err()
    );
    assert!(Json.verify(src, None, src, &[]).is_ok());
}

#[test]
fn edits_refuse_a_stale_scalar() {
    let src = r#"["abc"]"#;
    let mut s = scan(src).remove(0);
    s.value = "abd".into();
    assert!(
        Json.edits(
            src,
            &s,
            &[Replacement {
                range: 0..1,
                text: "x".into()
            }]
        )
        .is_err()
    );
}

#[test]
fn seg_types() {
    let s = scan(r#"[[{"k": ["v"]}]]"#);
    assert_eq!(
        s[1].path,
        vec![
            Seg::Index(0),
            Seg::Index(0),
            Seg::Key("k".into()),
            Seg::Index(0)
        ]
    );
}

/// `scan_for` returns a subset of `scan`, in order: every value that may
/// hold, and every key of an object where some key may hold (the
/// collision targets); the tape is the same.
#[test]
fn scan_for_keeps_what_planning_needs() {
    let may_hold = |b: &[u8]| b.windows(3).any(|w| w == b"pve");
    let exact = [
        r#"{"hosts": {"pve-shop": {"ip": "1"}, "pve": {"ip": "2"}, "other": "x"}, "m": {"k": "v", "j": "pve-shop"}}"#,
        // Keys before the passing one come after a nested value in order.
        r#"{"a": {"x": "pve-1", "y": [1, "z"]}, "b": 1, "pve-shop": 2, "c": {"d": "e"}}"#,
        // Escapes: in a passing key, a held-back key and values.
        r#"{"x\n": 1, "p\u0076e": 2, "q": "\u0070ve", "r": "a\"b", "s": ""}"#,
        r#"[{"a": 1}, {"pve": 1, "b": [{"c": "pve"}]}, "pve", "", {}, [], {"": "x"}]"#,
        r#""pve-shop""#,
        r#""other""#,
        "{}",
        "\u{feff}{\"a\": {\"b\": {\"c\": {\"pve\": null, \"d\": true}}, \"e\": 1}}",
        r#"{"a": {"x": 1}, "b": 2, "a": 3}"#,
    ];
    let id = |s: &Scalar| (s.span.clone(), s.kind, s.path.clone(), s.value.clone());
    for src in exact {
        let extra = crate::formats::keep_check::check(&Json, src, &may_hold)
            .unwrap_or_else(|e| panic!("{e}\n{src}"));
        assert_eq!(extra, 0, "{src}");
        let all = Json.scan(src).unwrap();
        let some = Json.scan_for(src, &may_hold).unwrap();
        let tape =
            |p: Option<crate::formats::Parsed>| p.unwrap().get::<reader::Tape>().unwrap().0.clone();
        assert_eq!(tape(all.parsed), tape(some.parsed), "{src}");
    }
    let first = Json.scan_for(exact[1], &may_hold).unwrap().scalars;
    let got: Vec<_> = first.iter().map(|s| (s.kind, s.value.as_str())).collect();
    assert_eq!(
        got,
        [
            (ScalarKind::Key, "a"),
            (ScalarKind::Value, "pve-1"),
            (ScalarKind::Key, "b"),
            (ScalarKind::Key, "pve-shop"),
            (ScalarKind::Key, "c"),
        ]
    );
    assert_eq!(first[0].path, [Seg::Key("a".into())]);
    assert_eq!(
        id(&first[1]).2,
        [Seg::Key("a".into()), Seg::Key("x".into())]
    );
    // Two objects at one path (a duplicate key): one mapping, as in YAML;
    // the text is read whole again.
    let dup =
        r#"{"a": {"x": 1}, "b": 2, "a": {"pve": 1, "q": 3}, "c": [{"y": 1}], "c": [{"pve": 1}]}"#;
    crate::formats::keep_check::check(&Json, dup, &may_hold).unwrap();
    let keys: Vec<String> = Json
        .scan_for(dup, &may_hold)
        .unwrap()
        .scalars
        .iter()
        .filter(|s| s.kind == ScalarKind::Key)
        .map(|s| s.value.clone())
        .collect();
    assert!(keys.contains(&"x".to_string()) && keys.contains(&"y".to_string()));
    for src in crate::formats::keep_check::fixture_texts("json") {
        crate::formats::keep_check::check(&Json, &src, &may_hold)
            .unwrap_or_else(|e| panic!("{e}\n{src}"));
    }
    // Errors are the scan's.
    for bad in [
        r#"{"a": "b\x"}"#,
        "{\"a\": \"b\n\"}",
        r#"{"pve": "x""#,
        r#"["a" "b"]"#,
        r#"{"a\ud800": 1}"#,
    ] {
        let e = Json.scan_for(bad, &may_hold).err().map(|e| e.to_string());
        assert_eq!(e, Json.scan(bad).err().map(|e| e.to_string()), "{bad}");
        assert!(e.is_some(), "{bad}");
    }
    // Passing everything, it is the scan.
    let all_pass = |_: &[u8]| true;
    for src in exact {
        assert_eq!(
            crate::formats::keep_check::check(&Json, src, &all_pass),
            Ok(0)
        );
        assert_eq!(
            Json.scan_for(src, &all_pass).unwrap().scalars.len(),
            Json.scan(src).unwrap().scalars.len()
        );
    }
}
