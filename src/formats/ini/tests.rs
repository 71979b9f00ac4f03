use super::*;
use crate::formats::apply_edits;

/// An inventory with the features of ansible-core's documented example
/// (written for these tests): inline comments, a number on a host line,
/// `:vars` with comments, `:children` with a header comment, a quoted value
/// holding `#`, `[all:vars]` with spaced `=`.
const DOC_EXAMPLE: &str = "# fmt: ini
# front end
[web]
host1
host2 ansible_port=222 # an integer on a host line

[web:vars]
http_port=8080 # a Python comment after a literal
myvar=23 # a number too

[web:children] # two child groups
apache
nginx

[apache]
tomcat1
tomcat2 myvar=34 # host vars win over group vars
tomcat3 mysecret=\"'03#pa33w0rd'\" # quotes keep the hash

[nginx]
jenkins1

[nginx:vars]
has_java = True # a boolean

[all:vars]
has_java = False # the top group
";

fn paths(src: &str) -> Vec<(String, ScalarKind, String)> {
    read(src)
        .unwrap()
        .scalars
        .into_iter()
        .map(|s| (crate::formats::path_to_string(&s.path), s.kind, s.value))
        .collect()
}

fn has(src: &str, path: &str, kind: ScalarKind, value: &str) -> bool {
    paths(src)
        .iter()
        .any(|(p, k, v)| p == path && *k == kind && v == value)
}

/// Renames every scalar whose whole value is `from` (through the engine),
/// verifies, and returns the new text.
fn rename(src: &str, from: &str, to: &str) -> Result<String, String> {
    let doc = read(src).map_err(|e| e.to_string())?;
    let mut edits = Vec::new();
    let mut subs = Vec::new();
    for s in doc.scalars.iter().filter(|s| s.value == from) {
        let reps = [Replacement {
            range: 0..from.len(),
            text: to.into(),
        }];
        edits.extend(Ini.edits(src, s, &reps)?);
        subs.push(Substitution {
            scalar: s,
            new_value: to.to_string(),
        });
    }
    let new = apply_edits(src, &edits);
    Ini.verify(src, None, &new, &subs)?;
    Ok(new)
}

#[test]
fn reads_an_inventory_with_every_feature() {
    let k = ScalarKind::Key;
    let v = ScalarKind::Value;
    assert!(has(DOC_EXAMPLE, "web", k, "web"));
    assert!(has(DOC_EXAMPLE, "web.hosts.host1", k, "host1"));
    assert!(has(
        DOC_EXAMPLE,
        "web.hosts.host2.ansible_port",
        k,
        "ansible_port"
    ));
    // 222 is an integer: no string value.
    assert!(
        !paths(DOC_EXAMPLE)
            .iter()
            .any(|(p, k2, _)| p == "web.hosts.host2.ansible_port" && *k2 == v)
    );
    assert!(has(DOC_EXAMPLE, "web.children.apache", k, "apache"));
    assert!(has(
        DOC_EXAMPLE,
        "apache.hosts.tomcat3.mysecret",
        v,
        "03#pa33w0rd"
    ));
    assert!(has(DOC_EXAMPLE, "all.vars.has_java", k, "has_java"));
    let doc = read(DOC_EXAMPLE).unwrap();
    let comments: Vec<&str> = doc
        .comments
        .iter()
        .map(|r| &DOC_EXAMPLE[r.clone()])
        .collect();
    assert!(comments.contains(&"# fmt: ini"));
    assert!(comments.contains(&"# an integer on a host line"));
    assert!(comments.contains(&"# a Python comment after a literal"));
    assert!(comments.contains(&"# two child groups"));
    assert!(comments.contains(&"# quotes keep the hash"));
    assert!(comments.contains(&"# a boolean"));
}

#[test]
fn lines_before_any_section_are_ungrouped() {
    let src = "h1 # this is 'ungrouped'\nh2 ansible_host=127.0.0.1 ansible_port=44\n[g1]\nh4\n";
    assert!(has(src, "ungrouped.hosts.h1", ScalarKind::Key, "h1"));
    assert!(has(
        src,
        "ungrouped.hosts.h2.ansible_host",
        ScalarKind::Value,
        "127.0.0.1"
    ));
}

#[test]
fn vars_values_are_the_rest_of_the_line() {
    let src = "[g]\nh\n[g:vars]\nv1=pve-shop # c\nv2 = 'x' # c\nv3 = \"a b\"\nv4=[pve-shop]\nv5=a=b\nv6=;x\nv7=8080 # c\n";
    let v = ScalarKind::Value;
    assert!(has(src, "g.vars.v1", v, "pve-shop # c"));
    assert!(has(src, "g.vars.v2", v, "x"));
    assert!(has(src, "g.vars.v3", v, "a b"));
    assert!(has(src, "g.vars.v4", v, "[pve-shop]"));
    assert!(has(src, "g.vars.v5", v, "a=b"));
    assert!(has(src, "g.vars.v6", v, ";x"));
    assert!(
        !paths(src)
            .iter()
            .any(|(p, k, _)| p == "g.vars.v7" && *k == v)
    );
    let doc = read(src).unwrap();
    let comments: Vec<&str> = doc.comments.iter().map(|r| &src[r.clone()]).collect();
    // Only the Python comments after literals are comments.
    assert_eq!(comments, ["# c", "# c"]);
}

#[test]
fn host_lines_follow_shlex() {
    let src = "[g]\nh1 a=b#c d=e\nh5;x\n\"q h\" x=1 y=\"'1'\" z='a b'\nweb-[a:c].lan:2222\nfe80::1\n[::1]:22\n";
    let k = ScalarKind::Key;
    assert!(has(src, "g.hosts.h1.a", ScalarKind::Value, "b"));
    assert!(!paths(src).iter().any(|(p, _, _)| p.ends_with(".d")));
    assert!(has(src, "g.hosts.h5;x", k, "h5;x"));
    assert!(has(src, "g.hosts.\"q h\"", k, "q h"));
    assert!(has(src, "g.hosts.\"q h\".y", ScalarKind::Value, "1"));
    assert!(has(src, "g.hosts.\"q h\".z", ScalarKind::Value, "a b"));
    assert!(has(src, "g.hosts.\"web-[a:c].lan\"", k, "web-[a:c].lan"));
    assert!(has(src, "g.hosts.fe80::1", k, "fe80::1"));
    assert!(has(src, "g.hosts.::1", k, "::1"));
}

#[test]
fn ansible_errors_are_parse_errors_with_positions() {
    for (src, line) in [
        ("[g] ;c\nh\n", 1),
        ("[g:vars]\nx=1\n", 1),
        ("[a:children]\nb\n", 2),
        ("[a:children]\nb\n[b:children]\na\n", 4),
        ("[a:children]\na\n", 2),
        ("[g]\nh x\n", 2),
        ("[g]\nh x='a\n", 2),
        ("[g:foo]\n", 1),
        ("[g x]\n", 1),
        ("[g]\nweb[1:2:3:4]\n", 2),
        ("[g]\nh:\n", 2),
        ("---\n", 1),
        ("\u{feff}[g]\nh\n", 1),
        ("[g]\nh\u{c}x\n", 2),
        ("[g:vars]\nx={[1]: 2}\n", 2),
    ] {
        let e = read(src)
            .err()
            .unwrap_or_else(|| panic!("{src:?} should fail"));
        assert_eq!(e.line, line, "{src:?}: {e}");
    }
}

#[test]
fn renames_a_host_everywhere_keeping_every_other_byte() {
    let src = "pve-shop\r\n[a]\r\npve-shop  ansible_host=pve-shop.lan  # the box\r\n[b]\r\npve-shop:2222\r\n\"pve-shop\" x=1";
    let new = rename(src, "pve-shop", "pve").unwrap();
    assert_eq!(
        new,
        "pve\r\n[a]\r\npve  ansible_host=pve-shop.lan  # the box\r\n[b]\r\npve:2222\r\n\"pve\" x=1"
    );
}

#[test]
fn renames_a_group_in_headers_and_children() {
    let src = "[pve-shop]\nh\n[pve-shop:vars]\nk=v\n[all:children]\npve-shop # ours\n[x:children]\npve-shop\n";
    let new = rename(src, "pve-shop", "pve").unwrap();
    assert_eq!(new, src.replace("pve-shop", "pve"));
}

#[test]
fn renames_values_keeping_their_quotes() {
    let src = "[g]\nh a=\"pve-shop\" b='pve-shop' c=pve-shop d=\"'pve-shop'\"\n[g:vars]\nv1 = \"pve-shop\"\nv2='pve-shop'\nv3=pve-shop\n";
    let new = rename(src, "pve-shop", "pve").unwrap();
    assert_eq!(new, src.replace("pve-shop", "pve"));
}

#[test]
fn a_rename_that_changes_the_reading_is_refused() {
    // A value that would turn into a number or a keyword.
    let src = "[g]\nh a=x\n[g:vars]\nv=y\n";
    assert!(rename(src, "x", "12").is_err());
    assert!(rename(src, "y", "True").is_err());
    // A host name with a blank would split the line.
    assert!(rename(src, "h", "a b").is_err());
    // A group name with a colon is not a group name.
    assert!(rename(src, "g", "g:x").is_err());
}

#[test]
fn host_ranges() {
    let src = "[g]\npve-shop[01:03]\npve-shop.lan-[1:3]\nweb[a:c]\n";
    let doc = read(src).unwrap();
    let glued = doc
        .scalars
        .iter()
        .find(|s| s.value == "pve-shop[01:03]")
        .unwrap();
    let err = Ini
        .edits(
            src,
            glued,
            &[Replacement {
                range: 0..8,
                text: "pve".into(),
            }],
        )
        .unwrap_err();
    assert!(err.contains("pve-shop01"), "{err}");
    let fixed = doc
        .scalars
        .iter()
        .find(|s| s.value == "pve-shop.lan-[1:3]")
        .unwrap();
    let e = Ini
        .edits(
            src,
            fixed,
            &[Replacement {
                range: 0..8,
                text: "pve".into(),
            }],
        )
        .unwrap();
    assert_eq!(apply_edits(src, &e), src.replace("pve-shop.lan", "pve.lan"));
    let inside = doc.scalars.iter().find(|s| s.value == "web[a:c]").unwrap();
    let err = Ini
        .edits(
            src,
            inside,
            &[Replacement {
                range: 4..5,
                text: "b".into(),
            }],
        )
        .unwrap_err();
    assert!(err.contains("inside the host range"), "{err}");
}

#[test]
fn no_final_newline_blank_lines_and_odd_spacing_survive() {
    let src = "\n\n  [g]  \n\t pve-shop\t\tk=v  \n\n[g:vars]\n  k   =   pve-shop   ";
    let new = rename(src, "pve-shop", "pve").unwrap();
    assert_eq!(new, src.replace("pve-shop", "pve"));
}

#[test]
fn verify_catches_a_wrong_edit() {
    let src = "[g]\nh a=x\n";
    let doc = read(src).unwrap();
    let s = doc.scalars.iter().find(|s| s.value == "x").unwrap().clone();
    let sub = Substitution {
        scalar: &s,
        new_value: "y".into(),
    };
    assert!(
        Ini.verify(src, None, "[g]\nh a=y\n", std::slice::from_ref(&sub))
            .is_ok()
    );
    assert!(
        Ini.verify(src, None, "[g]\nh a=z\n", std::slice::from_ref(&sub))
            .is_err()
    );
    assert!(
        Ini.verify(src, None, "[g]\nh a=y b=1\n", std::slice::from_ref(&sub))
            .is_err()
    );
    assert!(
        Ini.verify(src, None, "[g]\nh a=y # c\n", std::slice::from_ref(&sub))
            .is_err()
    );
    assert!(Ini.verify(src, None, "[g]\nh a=x\n", &[]).is_ok());
}

/// The kept model (from the scan) and a fresh reading of the original
/// verify alike, and a mismatch still names the scalar's path, read again
/// for the message.
#[test]
fn verification_from_the_scan_agrees_and_names_the_path() {
    let src = "[g]\nh a=x b='q r' # c\n[g:vars]\nk = v\n";
    let scan = Ini.scan(src).unwrap();
    let s = scan
        .scalars
        .iter()
        .find(|s| s.value == "x")
        .unwrap()
        .clone();
    let sub = [Substitution {
        scalar: &s,
        new_value: "y".into(),
    }];
    for new in [
        "[g]\nh a=y b='q r' # c\n[g:vars]\nk = v\n",
        "[g]\nh a=z b='q r' # c\n[g:vars]\nk = v\n",
        "[g]\nh a=y b='q r' # d\n[g:vars]\nk = v\n",
        "[g]\nh a=y b='q s' # c\n[g:vars]\nk = v\n",
    ] {
        let kept = Ini.verify(src, scan.parsed.as_ref(), new, &sub);
        assert_eq!(kept, Ini.verify(src, None, new, &sub), "{new}");
    }
    let e = Ini
        .verify(
            src,
            scan.parsed.as_ref(),
            "[g]\nh a=z b='q r' # c\n[g:vars]\nk = v\n",
            &sub,
        )
        .unwrap_err();
    assert!(e.starts_with("g.hosts.h.a reads \"z\""), "{e}");
}

/// The lean reading verification uses is the full one without paths and
/// links.
#[test]
fn the_lean_reading_is_the_full_one_without_paths() {
    let full = read(DOC_EXAMPLE).unwrap();
    let lean = super::parse::read_lean(DOC_EXAMPLE).unwrap();
    assert_eq!(full.scalars.len(), lean.scalars.len());
    assert!(full.scalars.iter().any(|s| s.link().is_some()));
    for (f, l) in full.scalars.iter().zip(&lean.scalars) {
        assert_eq!((&f.value, &f.span, f.kind), (&l.value, &l.span, l.kind));
        assert!(l.path.is_empty() && l.link().is_none());
    }
    assert_eq!(full.facts, lean.facts);
    assert_eq!(full.comments, lean.comments);
}

#[test]
fn links_name_hosts_and_groups_in_two_namespaces() {
    let src = "[g]\nh\n[h]\nx\n[all:children]\ng\n";
    let doc = read(src).unwrap();
    let links: Vec<_> = doc
        .scalars
        .iter()
        .filter_map(|s| s.link().cloned())
        .map(|l| {
            (
                if l.namespace == HOST_NAMESPACE {
                    HOST_NAMESPACE
                } else {
                    GROUP_NAMESPACE
                },
                l.name,
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            (GROUP_NAMESPACE, "g".to_string()),
            (HOST_NAMESPACE, "h".to_string()),
            (GROUP_NAMESPACE, "h".to_string()),
            (HOST_NAMESPACE, "x".to_string()),
            (GROUP_NAMESPACE, "all".to_string()),
            (GROUP_NAMESPACE, "g".to_string()),
        ]
    );
}

/// `scan_for` keeps a subset of `scan` with everything planning needs
/// (the shared check: values that may hold, keys of a mapping where one
/// may), and every host or group name of a namespace where one may: a
/// rename onto any of them collides.
#[test]
fn scan_for_keeps_what_planning_needs() {
    type MayHold<'a> = &'a dyn Fn(&[u8]) -> bool;
    let preds: [MayHold; 4] = [
        &|b| b.windows(3).any(|w| w == b"pve"),
        &|b| b.windows(3).any(|w| w == b"web"),
        &|_| false,
        &|_| true,
    ];
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut texts: Vec<String> = ["ini-corpus", "ini-hostile"]
        .iter()
        .flat_map(|d| walk_files(&std::path::Path::new(fixtures).join(d)))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| Ini.scan(t).is_ok())
        .collect();
    assert!(texts.len() >= 5, "{} fixtures", texts.len());
    texts.push(DOC_EXAMPLE.to_string());
    texts.push("[a]\npve-shop\n[b]\nnas x=1\n[c:children]\na\n[b:vars]\nk=pve\n".into());
    for src in &texts {
        for may_hold in preds {
            crate::formats::keep_check::check(&Ini, src, may_hold)
                .unwrap_or_else(|e| panic!("{e}\n{src}"));
            let all = Ini.scan(src).unwrap().scalars;
            let some = Ini.scan_for(src, may_hold).unwrap().scalars;
            for ns in [HOST_NAMESPACE, GROUP_NAMESPACE] {
                let names = |v: &[Scalar]| {
                    v.iter()
                        .filter(|s| s.link().is_some_and(|l| l.namespace == ns))
                        .count()
                };
                let passing = all.iter().any(|s| {
                    s.link().is_some_and(|l| l.namespace == ns) && may_hold(s.value.as_bytes())
                });
                let want = if passing { names(&all) } else { 0 };
                assert!(names(&some) >= want, "{ns}: {src}");
            }
        }
    }
    // A file whose names hold nothing keeps none of them.
    let src = "[a]\nh1 x=pve\n[b]\nh2 y=z\n";
    let kept = Ini
        .scan_for(src, &|b: &[u8]| b.windows(3).any(|w| w == b"pve"))
        .unwrap()
        .scalars;
    let kept: Vec<&str> = kept.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(kept, ["pve"]);
}

/// Every file under `dir`.
fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
