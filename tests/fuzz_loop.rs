//! A bounded fuzz loop that runs on every `cargo test` (and so in CI): for
//! each format, mutated corpus files (the shared conformance suites plus
//! generated documents) and token soups go through `plan_bytes`, checked by
//! the oracle in `common/oracle.rs` (no panic, errors carry positions, every
//! new text verifies, keeps every byte outside its edits, and is a fixed
//! point). The longer, coverage-guided runs are the cargo-fuzz targets in
//! `fuzz/`, which check the same oracle.
//!
//! `DRIFTFIX_FUZZ_CASES` sets the number of cases per test (default 1000,
//! about 12 s for JSON and TOML in a debug build on two cores; the cargo-fuzz
//! targets are the long runs).

mod common;

use std::path::Path;
use std::sync::OnceLock;

use driftfix::formats::FileType;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

use common::oracle;

/// Documents with aliases in every style the engines handle.
const SEEDS: &[(FileType, &str)] = &[
    (
        FileType::Json,
        "{\"host\": \"a\", \"hosts\": {\"pve-shop\": [\"x.y\", \"see a and bb\"]},\n \"k\": \"p\\u0076e-shop\", \"n\": [1, true, null, -2.5e3], \"é-host\": \"A1\"}\n",
    ),
    (
        FileType::Json,
        "\u{feff}[\r\n  \"host\",\r\n  {\"a\": {\"a\": \"a\"}, \"b\": \"k k\"}\r\n]",
    ),
    (
        FileType::Toml,
        "# hosts\nhost = \"a\"\nlit = 'pve-shop'\nml = \"\"\"\nsee a and\nbb\"\"\"\nmll = '''\nx.y'''\n[hosts.a]\nkey = { host = \"b\", list = [\"A1\", 'k k'] }\n[[servers]]\nname = \"host\"\n\"pve-shop\".b = 1\n",
    ),
    (
        FileType::Toml,
        "\u{feff}a = \"a\"\r\n[b.\"a\"]\r\nc = [\r\n  \"bb\", # c\r\n]\r\n",
    ),
    (
        FileType::Yaml,
        "# hosts\nhost: a\nhosts:\n  pve-shop: {a: x.y, 'b': \"bb\"}\n  list: [a, 'k k', \"A1\"]\nblock: |\n  see a and bb\nfolded: >-\n  host\n  a\nanchor: &h a\nuse: *h\n? complex\n: a\n---\n- !!str a\n- !custom a\n- 12\n",
    ),
    (
        FileType::Yaml,
        "\u{feff}a: a\r\nb:\r\n  - \"a\\tb\"\r\n  - 'it''s a'\r\n  - c: >\r\n      a\r\n",
    ),
    (
        FileType::Jsonc,
        "// settings\n{\"host\": \"a\", /* c */ \"hosts\": {\"pve-shop\": [\"x.y\", \"see a and bb\",],},\n \"k\": \"p\\u0076e-shop\", // end\n}\n",
    ),
    (
        FileType::Ini,
        "pve-shop ansible_host=a # c\n[a]\nhost:22 k=\"k k\" v='x.y' n=12\nweb[01:03] A1=bb\n[a:vars]\nkey = pve-shop # not a comment\nq = \"bb\"\n[b:children]\na\n[b]\n",
    ),
    (
        FileType::Ini,
        "; c\r\n[pve-shop]\r\nb\r\n[pve-shop:vars]\r\nhost=A1\r\n[all:children]\r\npve-shop",
    ),
    (
        FileType::Text,
        "\u{feff}# notes: pve-shop\r\nssh root@pve-shop.lan (a) `bb` x.y:\r\nk k, A1\né-host",
    ),
];

/// Tokens that mutations insert, per format: structure, quotes, escapes,
/// aliases, line breaks, a BOM, multi-byte text.
fn tokens(ft: FileType) -> &'static [&'static str] {
    match ft {
        FileType::Jsonc => &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\"a\"",
            "\"pve-shop\"",
            "//",
            "/*",
            "*/",
            "// c\n",
            "/* c */",
            ",]",
            ",}",
            "\\",
            "\n",
            "\r\n",
            "\r",
            " ",
            "1",
            "null",
            "\u{feff}",
            "é",
        ],
        FileType::Ini => &[
            "[",
            "]",
            "[a]",
            "[a:vars]",
            "[a:children]",
            "[b:hosts]",
            ":",
            "=",
            "a",
            "pve-shop",
            "x.y",
            "k k",
            "A1",
            "bb",
            "'",
            "\"",
            "\\",
            "#",
            ";",
            " # c",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "[01:03]",
            "[a:c]",
            ":22",
            "12",
            "True",
            "[1, 'a']",
            "u'x'",
            "\u{feff}",
            "é",
            "\u{c}",
            "\u{a0}",
        ],
        FileType::Text => &[
            "a", "pve-shop", "x.y", "k k", "A1", "bb", "host", "é-host", " ", ":", "(", ")", "`",
            ".", "-", "_", "\n", "\r\n", "\r", "\u{feff}", "é", "<!-- -->",
        ],
        FileType::Json => &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\"a\"",
            "\"pve-shop\"",
            "\"k k\"",
            "\\",
            "\\u0061",
            "\\ud800",
            "\\\"",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "1",
            "-0.5e10",
            "null",
            "true",
            "\u{feff}",
            "é",
            "𝄞",
            "/*",
            "//",
        ],
        FileType::Toml => &[
            "a = \"a\"\n",
            "[a]\n",
            "[[a]]\n",
            "\"",
            "'",
            "\"\"\"",
            "'''",
            "{",
            "}",
            "[",
            "]",
            ".",
            "=",
            ",",
            "#",
            "\\",
            "\\u0061",
            "\\\n",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "a",
            "x.y",
            "pve-shop",
            "1979-05-27T07:32:00Z",
            "inf",
            "\u{feff}",
            "é",
        ],
        FileType::Yaml => &[
            "- ",
            ": ",
            "? ",
            "a",
            "pve-shop",
            "x.y",
            "k k",
            "&x ",
            "*x",
            "!!str ",
            "!t ",
            "|",
            ">-",
            "'",
            "\"",
            "''",
            "\\",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "  ",
            "#",
            "---\n",
            "...\n",
            "{",
            "}",
            "[",
            "]",
            ",",
            "%YAML 1.2\n",
            "\u{feff}",
            "é",
        ],
    }
}

fn extension_matches(ft: FileType, p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    driftfix::rules::TypeMap::new(Vec::new())
        .type_of(name)
        .is_some_and(|(t, _)| t == ft)
}

/// Seeds, then conformance files of the format (inputs only), capped in size.
fn corpus(ft: FileType) -> &'static [Vec<u8>] {
    static CORPORA: OnceLock<Vec<(FileType, Vec<Vec<u8>>)>> = OnceLock::new();
    let all = CORPORA.get_or_init(|| {
        [
            FileType::Json,
            FileType::Toml,
            FileType::Yaml,
            FileType::Jsonc,
            FileType::Ini,
            FileType::Text,
        ]
        .into_iter()
        .map(|ft| {
            let mut docs: Vec<Vec<u8>> = SEEDS
                .iter()
                .filter(|(t, _)| *t == ft)
                .map(|(_, d)| d.as_bytes().to_vec())
                .collect();
            let suites: &[&str] = match ft {
                FileType::Json => &["json-test-suite", "realworld"],
                FileType::Toml => &["toml-test"],
                FileType::Yaml => &["yaml-test-suite", "realworld"],
                FileType::Jsonc | FileType::Ini | FileType::Text => &[],
            };
            // The corpora that ship in the repository.
            let fixtures =
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
            let shipped: &[&str] = match ft {
                FileType::Jsonc => &["jsonc-corpus"],
                FileType::Ini => &["ini-corpus", "ini-hostile"],
                _ => &[],
            };
            for dir in shipped {
                let keep = |p: &Path| {
                    !matches!(
                        p.file_name().and_then(|n| n.to_str()),
                        Some("LICENSE" | "SOURCES.md")
                    )
                };
                for p in common::files_under(&fixtures.join(dir), &keep) {
                    if let Ok(bytes) = std::fs::read(&p)
                        && bytes.len() <= 16 * 1024
                    {
                        docs.push(bytes);
                    }
                }
            }
            for suite in suites {
                if let Some(dir) = common::conformance_dir(suite) {
                    for p in common::files_under(&dir, &|p| extension_matches(ft, p)) {
                        if let Ok(bytes) = std::fs::read(&p)
                            && bytes.len() <= 16 * 1024
                        {
                            docs.push(bytes);
                        }
                    }
                }
            }
            (ft, docs)
        })
        .collect()
    });
    all.iter()
        .find(|(t, _)| *t == ft)
        .map_or(&[][..], |(_, d)| d.as_slice())
}

/// One edit of a document; positions are fractions of its length.
#[derive(Clone, Debug)]
enum Mutation {
    Delete(u16, u8),
    Insert(u16, usize),
    Duplicate(u16, u8, u16),
    SetByte(u16, u8),
}

fn at(frac: u16, len: usize) -> usize {
    (usize::from(frac) * (len + 1)) / (usize::from(u16::MAX) + 1)
}

fn mutate(doc: &[u8], muts: &[Mutation], toks: &[&str]) -> Vec<u8> {
    let mut d = doc.to_vec();
    for m in muts {
        match *m {
            Mutation::Delete(p, n) => {
                let s = at(p, d.len());
                let e = (s + usize::from(n % 16)).min(d.len());
                d.drain(s..e);
            }
            Mutation::Insert(p, t) => {
                let s = at(p, d.len());
                let tok = toks[t % toks.len()].as_bytes();
                d.splice(s..s, tok.iter().copied());
            }
            Mutation::Duplicate(p, n, to) => {
                let s = at(p, d.len());
                let e = (s + usize::from(n % 32)).min(d.len());
                let piece = d[s..e].to_vec();
                let t = at(to, d.len());
                d.splice(t..t, piece);
            }
            Mutation::SetByte(p, b) => {
                if !d.is_empty() {
                    let s = at(p, d.len() - 1);
                    d[s] = b;
                }
            }
        }
    }
    d
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<u16>(), any::<u8>()).prop_map(|(p, n)| Mutation::Delete(p, n)),
        5 => (any::<u16>(), any::<usize>()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        2 => (any::<u16>(), any::<u8>(), any::<u16>()).prop_map(|(p, n, t)| Mutation::Duplicate(p, n, t)),
        1 => (any::<u16>(), any::<u8>()).prop_map(|(p, b)| Mutation::SetByte(p, b)),
    ]
}

fn cases() -> u32 {
    std::env::var("DRIFTFIX_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    })
}

/// Mutated corpus documents through the oracle.
fn mutated_corpus(ft: FileType) {
    let docs = corpus(ft);
    assert!(!docs.is_empty());
    let toks = tokens(ft);
    let strategy = (0..docs.len(), prop::collection::vec(mutation(), 0..6));
    runner()
        .run(&strategy, |(i, muts)| {
            let doc = mutate(&docs[i], &muts, toks);
            oracle::check(ft, &doc);
            Ok(())
        })
        .unwrap();
}

/// Token soups: short documents made of the format's tokens only.
fn token_soup(ft: FileType) {
    let toks = tokens(ft);
    let strategy = prop::collection::vec(0..toks.len(), 0..40);
    runner()
        .run(&strategy, |picks| {
            let doc: String = picks.iter().map(|&i| toks[i]).collect();
            oracle::check(ft, doc.as_bytes());
            Ok(())
        })
        .unwrap();
}

#[test]
fn json_mutated_corpus() {
    mutated_corpus(FileType::Json);
}

#[test]
fn json_token_soup() {
    token_soup(FileType::Json);
}

#[test]
fn toml_mutated_corpus() {
    mutated_corpus(FileType::Toml);
}

#[test]
fn toml_token_soup() {
    token_soup(FileType::Toml);
}

#[test]
fn yaml_mutated_corpus() {
    mutated_corpus(FileType::Yaml);
}

#[test]
fn yaml_token_soup() {
    token_soup(FileType::Yaml);
}

#[test]
fn jsonc_mutated_corpus() {
    mutated_corpus(FileType::Jsonc);
}

#[test]
fn jsonc_token_soup() {
    token_soup(FileType::Jsonc);
}

#[test]
fn ini_mutated_corpus() {
    mutated_corpus(FileType::Ini);
}

#[test]
fn ini_token_soup() {
    token_soup(FileType::Ini);
}

#[test]
fn text_mutated_corpus() {
    mutated_corpus(FileType::Text);
}

#[test]
fn text_token_soup() {
    token_soup(FileType::Text);
}

/// Every unmutated corpus document once (the seeds first). The seeds are
/// rewritten under every rule set, so the loop does reach edits and verify.
#[test]
fn whole_corpus_once() {
    for ft in [
        FileType::Json,
        FileType::Toml,
        FileType::Jsonc,
        FileType::Ini,
        FileType::Text,
    ] {
        for (i, doc) in corpus(ft).iter().enumerate() {
            let rewritten = oracle::check(ft, doc);
            if i < SEEDS.iter().filter(|(t, _)| *t == ft).count() {
                assert_eq!(rewritten, oracle::rule_sets().len(), "{ft:?} seed {i}");
            }
        }
    }
    for doc in corpus(FileType::Yaml) {
        oracle::check(FileType::Yaml, doc);
    }
}
