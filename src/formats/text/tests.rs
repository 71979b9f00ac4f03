use super::*;
use crate::formats::apply_edits;

fn lines(src: &str) -> Vec<&str> {
    line_ranges(src).map(|r| &src[r]).collect()
}

/// Replaces every `from` token (simple find) through the engine and verifies.
fn rename(src: &str, from: &str, to: &str) -> String {
    let scan = Text.scan(src).unwrap();
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
        edits.extend(Text.edits(src, s, &reps).unwrap());
        subs.push(Substitution {
            scalar: s,
            new_value: crate::formats::apply_replacements(&s.value, &reps),
        });
    }
    let new = apply_edits(src, &edits);
    Text.verify(src, None, &new, &subs).unwrap();
    new
}

#[test]
fn lines_leave_out_breaks_and_the_bom() {
    assert_eq!(lines("a\r\nb\n"), ["a", "b"]);
    assert_eq!(lines("\u{feff}a\nb"), ["a", "b"]);
    assert_eq!(lines(""), [""]);
    assert_eq!(lines("\n\n"), ["", ""]);
    assert_eq!(lines("a\r"), ["a\r"]);
}

#[test]
fn kind_text_and_no_field() {
    let scan = Text.scan("x pve-shop\n").unwrap();
    assert_eq!(scan.scalars[0].kind, ScalarKind::Text);
    assert!(scan.scalars[0].path.is_empty());
}

#[test]
fn punctuation_crlf_bom_and_no_final_newline() {
    let src = "\u{feff}# Notes\r\npve-shop: up\r\n(pve-shop) `pve-shop` pve-shop.lan\r\nssh root@pve-shop";
    assert_eq!(
        rename(src, "pve-shop", "pve"),
        src.replace("pve-shop", "pve")
    );
}

#[test]
fn very_long_lines() {
    let line = "x ".repeat(500_000) + "pve-shop";
    let src = format!("{line}\n{line}");
    assert_eq!(
        rename(&src, "pve-shop", "pve"),
        src.replace("pve-shop", "pve")
    );
}

#[test]
fn scan_lines_keeps_only_what_the_filter_lets_through() {
    let src = "a\npve-shop\nb\n".repeat(1000);
    let kept = Text.scan_lines(&src, &|b| b.windows(3).any(|w| w == b"pve"));
    assert_eq!(kept.len(), 1000);
    assert!(kept.iter().all(|s| s.value == "pve-shop"));
}

#[test]
fn verify_refuses_anything_but_the_planned_bytes() {
    let src = "a pve-shop\nb\n";
    let s = Text.scan(src).unwrap().scalars[0].clone();
    let sub = Substitution {
        scalar: &s,
        new_value: "a pve".into(),
    };
    let subs = std::slice::from_ref(&sub);
    assert!(Text.verify(src, None, "a pve\nb\n", subs).is_ok());
    assert!(Text.verify(src, None, "a pve\nb", subs).is_err());
    assert!(Text.verify(src, None, "a pve\r\nb\n", subs).is_err());
    assert!(Text.verify(src, None, "a pve-shop\nb\n", subs).is_err());
    let split = Substitution {
        scalar: &s,
        new_value: "a\npve".into(),
    };
    assert!(Text.verify(src, None, "a\npve\nb\n", &[split]).is_err());
    let bad = Replacement {
        range: 2..10,
        text: "x\ny".into(),
    };
    assert!(Text.edits(src, sub.scalar, &[bad]).is_err());
}
