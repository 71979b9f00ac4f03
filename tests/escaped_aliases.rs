//! Issue 19: an alias written only with escapes (`"pve\u002dshop"`) is an
//! alias in the parsed value, so it is a finding, even though its bytes are
//! not in the file. The prefilter looks at bytes: it must see through the
//! escapes, or such a file is never parsed.

use driftfix::formats::FileType;
use driftfix::plan::plan_bytes;
use driftfix::rules::{Role, RuleSet};

fn rules(mode: &str) -> RuleSet {
    let text = format!(
        "version = 1\n[[canonical]]\nname = \"pve\"\naliases = [\"pve-shop\"]\n\
         [[field]]\nselect = [\"host\"]\nmatch = \"{mode}\"\n"
    );
    RuleSet::from_toml_str(&text, std::path::Path::new("driftfix.toml")).unwrap()
}

fn findings(file_type: FileType, text: &str, mode: &str) -> usize {
    let plan = plan_bytes(
        "f",
        file_type,
        Role::Editable,
        text.as_bytes(),
        &rules(mode),
    )
    .unwrap_or_else(|e| panic!("{file_type:?} {text:?}: {e:?}"));
    plan.findings.len()
}

#[test]
fn aliases_written_with_escapes_are_found() {
    for mode in ["exact", "token"] {
        for (ft, text) in [
            (FileType::Json, r#"{"host": "pve\u002dshop"}"#),
            (
                FileType::Json,
                r#"{"host": "\u0070\u0076\u0065\u002d\u0073\u0068\u006f\u0070"}"#,
            ),
            (FileType::Jsonc, "// c\n{\"host\": \"pve\\u002dshop\",}"),
            (FileType::Yaml, "host: \"pve\\x2dshop\"\n"),
            (FileType::Yaml, "host: \"pve\\u002dshop\"\n"),
            (FileType::Yaml, "host: \"pve-\\\n  shop\"\n"),
            (FileType::Toml, "host = \"pve\\u002dshop\"\n"),
            (FileType::Toml, "host = \"\\U00000070ve-shop\"\n"),
        ] {
            assert_eq!(findings(ft, text, mode), 1, "{mode} {ft:?} {text:?}");
        }
    }
}

#[test]
fn an_escape_before_an_alias_is_a_token_boundary() {
    for (ft, text) in [
        (FileType::Json, r#"{"host": "a\tpve-shop"}"#),
        (FileType::Toml, "host = \"a\\npve-shop\"\n"),
        (FileType::Yaml, "host: \"a\\u0020pve-shop\"\n"),
    ] {
        assert_eq!(findings(ft, text, "token"), 1, "{ft:?} {text:?}");
    }
}

#[test]
fn near_misses_stay_near_misses() {
    for (ft, text) in [
        (FileType::Json, r#"{"host": "pve-shop-backup"}"#),
        (FileType::Yaml, "host: xpve-shop\n"),
        (FileType::Toml, "host = \"pve\\u002dshop-2\"\n"),
    ] {
        assert_eq!(findings(ft, text, "token"), 0, "{ft:?} {text:?}");
    }
}
