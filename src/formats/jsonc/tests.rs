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
                text: to.to_string(),
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
