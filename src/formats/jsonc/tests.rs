use super::*;
use crate::formats::{ScalarKind, apply_edits, apply_replacements};

fn rename(src: &str, from: &str, to: &str) -> Result<String, String> {
    let scan = Jsonc.scan(src).map_err(|e| e.to_string())?;
    let mut edits = Vec::new();
    let mut subs = Vec::new();
    for s in &scan.scalars {
        let reps: Vec<Replacement> = s
            .value
            .match_indices(from)
            .map(|(i, _)| Replacement {
                range: i..i + from.len(),
                text: to.into(),
            })
            .collect();
        if reps.is_empty() {
            continue;
        }
        edits.extend(Jsonc.edits(src, s, &reps)?);
        subs.push(Substitution {
            scalar: s,
            new_value: apply_replacements(&s.value, &reps),
        });
    }
    let new = apply_edits(src, &edits);
    Jsonc.verify(src, None, &new, &subs)?;
    Ok(new)
}

const SETTINGS: &str = "\u{feff}// VS Code settings\r\n{\r\n  /* remote */\r\n  \"remote.SSH.defaultHost\": \"pve-shop\", // the shop box\r\n  \"hosts\": {\"pve-shop\": [\"pve-shop.lan\",],},\r\n  \"n\": [1, -2.5e3, true, null,], // trailing\r\n}\r\n";

#[test]
fn comments_and_trailing_commas_are_kept() {
    let new = rename(SETTINGS, "pve-shop", "pve").unwrap();
    assert_eq!(new, SETTINGS.replace("pve-shop", "pve"));
}

#[test]
fn comment_ranges_are_returned() {
    let scan = Jsonc.scan(SETTINGS).unwrap();
    let texts: Vec<&str> = scan.comments.iter().map(|r| &SETTINGS[r.clone()]).collect();
    assert_eq!(
        texts,
        [
            "// VS Code settings",
            "/* remote */",
            "// the shop box",
            "// trailing"
        ]
    );
    assert!(
        scan.scalars
            .iter()
            .any(|s| s.kind == ScalarKind::Key && s.value == "pve-shop")
    );
}

#[test]
fn strict_beyond_comments_and_commas() {
    for bad in [
        "{'a': 1}",
        "{a: 1}",
        "[1,,]",
        "[,]",
        "[0x1]",
        "[+1]",
        "/* open",
        "[1] / 2",
        "{\"a\": 1,, }",
    ] {
        assert!(Jsonc.scan(bad).is_err(), "{bad:?}");
    }
    for good in ["[1,]", "{\"a\":1,}", "// c\n[]", "[/* c */]", "{} // end"] {
        assert!(Jsonc.scan(good).is_ok(), "{good:?}");
    }
}

#[test]
fn verify_refuses_a_changed_comment() {
    let old = "{\"a\": \"x\" // c\n}";
    assert!(
        Jsonc
            .verify(old, None, "{\"a\": \"x\" // d\n}", &[])
            .is_err()
    );
    assert!(Jsonc.verify(old, None, "{\"a\": \"x\"\n}", &[]).is_err());
    assert!(Jsonc.verify(old, None, old, &[]).is_ok());
}

/// `scan_for` as JSON's: the strings planning needs, every comment.
#[test]
fn scan_for_keeps_what_planning_needs() {
    let may_hold = |b: &[u8]| b.windows(3).any(|w| w == b"pve");
    let sources = [
        SETTINGS,
        "// c\n{\"a\": {\"x\": \"pve-1\",}, /* b */ \"b\": 1, \"pve\": 2, \"c\": [\"d\", \"pve\",],}",
        "[{\"a\": 1,}, {\"q\": \"w\", \"p\\u0076e\": 1, /* pve */}, \"pve\",] // end",
        "{\"a\": {\"x\": 1}, \"a\": {\"pve\": 1},}",
        "{} // pve",
    ];
    for src in sources {
        let extra = crate::formats::keep_check::check(&Jsonc, src, &may_hold)
            .unwrap_or_else(|e| panic!("{e}\n{src}"));
        // Only the text with a duplicate key is read whole.
        assert_eq!(
            extra == 0,
            !src.contains("\"a\": {\"x\": 1}, \"a\""),
            "{src}"
        );
    }
    let got: Vec<(ScalarKind, String)> = Jsonc
        .scan_for(sources[1], &may_hold)
        .unwrap()
        .scalars
        .iter()
        .map(|s| (s.kind, s.value.clone()))
        .collect();
    let want = [
        (ScalarKind::Key, "a"),
        (ScalarKind::Value, "pve-1"),
        (ScalarKind::Key, "b"),
        (ScalarKind::Key, "pve"),
        (ScalarKind::Key, "c"),
        (ScalarKind::Value, "pve"),
    ]
    .map(|(k, v)| (k, v.to_string()));
    assert_eq!(got, want);
    let bad = "{\"pve\": 1,, }";
    assert_eq!(Jsonc.scan_for(bad, &may_hold).err(), Jsonc.scan(bad).err());
}
