//! The independent check with Ansible itself (SPEC §9's bar): for every
//! INI corpus and hostile file, `ansible-inventory -i FILE --list --export`
//! before and after a fix must differ by exactly the planned renames.
//!
//! Labels are chosen from Ansible's own output (not from our reader): every
//! label-like host name, group name (one run) and string variable value
//! (another run) `l` becomes `l-cn`. The expected output is Ansible's
//! original output with the renames the plan made applied to host names,
//! group names (keys, `children` and `hosts` lists) or variable values.
//! Every file Ansible reads must be read by driftfix too, and the other way
//! round.
//!
//! Without `ansible-inventory` on the PATH (when the crate was built) the
//! test is *ignored* with `NOTICE: ansible-inventory not found` (build.rs's
//! `no_ansible_inventory` cfg), never passed; should the program vanish
//! after the build, the test prints the notice and returns, or fails with
//! `DRIFTFIX_REQUIRE_ANSIBLE=1` (CI sets it when it installed ansible-core).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use driftfix::formats::{FileType, Format, ini::Ini};
use driftfix::plan::{Action, plan_bytes};
use driftfix::rules::{Role, RuleSet};
use serde_json::Value;

fn have_ansible() -> bool {
    let found = Command::new("ansible-inventory")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var_os("DRIFTFIX_REQUIRE_ANSIBLE").is_some() {
            panic!("DRIFTFIX_REQUIRE_ANSIBLE is set but ansible-inventory is not installed");
        }
        println!("NOTICE: ansible-inventory not found; skipped");
        eprintln!("NOTICE: ansible-inventory not found; skipped (pip install ansible-core)");
    }
    found
}

/// Ansible's reading of an INI file, or its error.
fn ansible_list(path: &Path, home: &Path) -> Result<Value, String> {
    let out = Command::new("ansible-inventory")
        .args(["-i"])
        .arg(path)
        .args(["--list", "--export"])
        .env("ANSIBLE_INVENTORY_ENABLED", "ini")
        .env("ANSIBLE_INVENTORY_UNPARSED_FAILED", "true")
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_HOME", home)
        .env("ANSIBLE_LOCAL_TEMP", home)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

fn files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = common::files_under(&root.join("ini-corpus"), &|p| {
        !matches!(
            p.file_name().and_then(|n| n.to_str()),
            Some("LICENSE" | "SOURCES.md")
        )
    });
    files.extend(common::files_under(&root.join("ini-hostile"), &|_| true));
    files
}

fn is_label(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|c| c.is_ascii_alphabetic())
        && c.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn groups(inv: &Value) -> impl Iterator<Item = (&String, &Value)> {
    inv.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "_meta")
}

/// Host and group names (`names`) or string variable values in Ansible's output.
fn labels(inv: &Value, names: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let hostvars = inv.pointer("/_meta/hostvars").and_then(Value::as_object);
    if names {
        for (g, body) in groups(inv) {
            out.insert(g.clone());
            for h in body
                .get("hosts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.extend(h.as_str().map(str::to_string));
            }
        }
        out.extend(hostvars.into_iter().flatten().map(|(h, _)| h.clone()));
    } else {
        let vars = groups(inv)
            .filter_map(|(_, b)| b.get("vars"))
            .chain(hostvars.into_iter().flatten().map(|(_, v)| v));
        for v in vars.filter_map(Value::as_object) {
            out.extend(v.values().filter_map(Value::as_str).map(str::to_string));
        }
    }
    out.remove("all");
    out.remove("ungrouped");
    let all = out.clone();
    out.into_iter()
        .filter(|l| is_label(l) && !all.contains(&format!("{l}-cn")))
        .collect()
}

fn rules(labels: &BTreeSet<String>, names: bool) -> RuleSet {
    let mut text = String::new();
    for l in labels {
        text.push_str(&format!(
            "[[canonical]]\nname = {:?}\naliases = [{:?}]\n",
            format!("{l}-cn"),
            l
        ));
    }
    text.push_str(if names {
        "[[field]]\ntypes = [\"ini\"]\nkeys_of = [\"**.hosts\", \".\"]\n"
    } else {
        "[[field]]\ntypes = [\"ini\"]\nselect = [\"**\"]\n"
    });
    RuleSet::from_toml_str(&text, Path::new("ansible.toml")).expect("rules")
}

/// Ansible's output with `map` applied to names or to variable values.
fn renamed(inv: &Value, map: &BTreeMap<String, String>, names: bool) -> Value {
    let r = |s: &str| map.get(s).cloned().unwrap_or_else(|| s.to_string());
    let rename_list = |v: &Value| match v.as_array() {
        Some(a) => Value::Array(
            a.iter()
                .map(|x| x.as_str().map_or(x.clone(), |s| Value::String(r(s))))
                .collect(),
        ),
        None => v.clone(),
    };
    let rename_vars = |v: &Value| match v.as_object() {
        Some(o) => Value::Object(
            o.iter()
                .map(|(k, x)| {
                    let x = match x.as_str() {
                        Some(s) if !names => Value::String(r(s)),
                        _ => x.clone(),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        None => v.clone(),
    };
    let mut out = serde_json::Map::new();
    for (g, body) in inv.as_object().into_iter().flatten() {
        if g == "_meta" {
            let mut meta = body.clone();
            if let Some(hv) = body.get("hostvars").and_then(Value::as_object) {
                let hv: serde_json::Map<String, Value> = hv
                    .iter()
                    .map(|(h, v)| (if names { r(h) } else { h.clone() }, rename_vars(v)))
                    .collect();
                meta["hostvars"] = Value::Object(hv);
            }
            out.insert(g.clone(), meta);
            continue;
        }
        let mut b = serde_json::Map::new();
        for (k, v) in body.as_object().into_iter().flatten() {
            let v = match k.as_str() {
                "hosts" | "children" if names => rename_list(v),
                "vars" => rename_vars(v),
                _ => v.clone(),
            };
            b.insert(k.clone(), v);
        }
        out.insert(if names { r(g) } else { g.clone() }, Value::Object(b));
    }
    Value::Object(out)
}

#[derive(Default)]
struct Tally {
    checked: usize,
    both_fail: usize,
    renames: usize,
    failures: Vec<String>,
}

fn check_files(paths: &[PathBuf]) -> Tally {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (mut checked, mut both_fail, mut renames) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).expect("read");
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        let ours = Ini.scan(&text);
        let before = ansible_list(path, tmp.path());
        let before = match (before, &ours) {
            (Ok(b), Ok(_)) => b,
            (Err(_), Err(_)) => {
                both_fail += 1;
                continue;
            }
            (Ok(_), Err(e)) => {
                failures.push(format!("{name}: Ansible reads it, driftfix does not: {e}"));
                continue;
            }
            (Err(e), Ok(_)) => {
                failures.push(format!("{name}: driftfix reads it, Ansible does not: {e}"));
                continue;
            }
        };
        for names in [true, false] {
            let labels = labels(&before, names);
            if labels.is_empty() {
                continue;
            }
            let plan = match plan_bytes(
                "inv.ini",
                FileType::Ini,
                Role::Editable,
                &bytes,
                &rules(&labels, names),
            ) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            let Some(new) = &plan.new_text else {
                continue;
            };
            let map: BTreeMap<String, String> = plan
                .findings
                .iter()
                .filter(|f| f.action == Action::Fix)
                .filter_map(|f| Some((f.actual.to_string(), f.expected.as_ref()?.to_string())))
                .collect();
            renames += map.len();
            let edited = tmp.path().join("edited.ini");
            std::fs::write(&edited, new).expect("write");
            let after = match ansible_list(&edited, tmp.path()) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{name}: Ansible cannot read the edited file: {e}"));
                    continue;
                }
            };
            let expected = renamed(&before, &map, names);
            if after != expected {
                failures.push(format!(
                    "{name} ({}): Ansible's reading differs from the planned renames\nexpected {expected}\nfound    {after}",
                    if names { "names" } else { "values" }
                ));
            }
            checked += 1;
        }
    }
    Tally {
        checked,
        both_fail,
        renames,
        failures,
    }
}

#[test]
#[cfg_attr(
    no_ansible_inventory,
    ignore = "NOTICE: ansible-inventory not found; skipped"
)]
fn ansible_inventory_sees_exactly_the_planned_renames() {
    if !have_ansible() {
        return;
    }
    // ansible-inventory takes a second or two to start, about 165 runs for
    // the whole corpus: `cargo test` checks every fourth file (a fixed
    // sample, under a minute), `.ci/run`'s corpus step all of them
    // (DRIFTFIX_ANSIBLE_ALL=1). Two workers.
    let every = if std::env::var_os("DRIFTFIX_ANSIBLE_ALL").is_some() {
        1
    } else {
        4
    };
    let all: Vec<PathBuf> = files().into_iter().step_by(every).collect();
    let results: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> = all
            .chunks(all.len().div_ceil(2).max(1))
            .map(|chunk| scope.spawn(move || check_files(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut checked = 0;
    let mut both_fail = 0;
    let mut renames = 0;
    let mut failures = Vec::new();
    for t in results {
        checked += t.checked;
        both_fail += t.both_fail;
        renames += t.renames;
        failures.extend(t.failures);
    }
    println!(
        "ansible-inventory check ({} of the corpus files): {checked} fixed files read by Ansible exactly as planned ({renames} distinct renames); {both_fail} files refused by both; {} failures",
        all.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0);
}
