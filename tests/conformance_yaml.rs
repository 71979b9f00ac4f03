//! YAML conformance: yaml-test-suite and real-world files, rewritten through
//! the YAML engine (scan → edits → apply_edits → verify), then checked
//! independently: the data re-read by yaml-rust2's loader (and the suite's
//! `in.json`) is the old data with exactly the renamed strings, and every byte
//! outside the edited ranges is unchanged. The same rename then runs through
//! the real pipeline (`driftfix::plan::plan_bytes`) and must give the same
//! bytes.

mod common;
#[path = "yaml_support/mod.rs"]
mod support;

use std::path::Path;

use driftfix::formats::Format;
use driftfix::formats::yaml::Yaml;

/// Valid cases that went through `plan_bytes` with at least one rename.
static PIPED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Cases we cannot pass, with the reason. Everything else must pass.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn cn(v: &str) -> String {
    format!("{v}-cn")
}

fn read(p: &Path) -> Option<String> {
    String::from_utf8(std::fs::read(p).ok()?).ok()
}

/// The case id of a case folder, relative to the suite (`229Q`, `VJP3/00`).
fn case_id(suite: &Path, dir: &Path) -> String {
    dir.strip_prefix(suite)
        .unwrap_or(dir)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The real pipeline must give exactly the Format-level result.
fn through_pipeline(src: &str, rw: &support::Rewrite) -> Result<bool, String> {
    if rw.renamed.is_empty() {
        return Ok(false);
    }
    let (new, findings) = support::plan(src, &rw.renamed)?;
    if new != rw.new {
        return Err(format!(
            "pipeline output differs:\n{new}\n---- expected\n{}",
            rw.new
        ));
    }
    if findings < rw.edits.len().min(1) {
        return Err("pipeline found nothing".into());
    }
    Ok(true)
}

/// An error case whose text holds a rule alias is refused with a position,
/// at the Format level and through the pipeline, and never gives output.
fn check_error_case(src: &str) -> Result<(), String> {
    match Yaml.scalars(src) {
        Err(e) if e.line >= 1 && e.column >= 1 => {}
        Err(e) => return Err(format!("error without position: {e:?}")),
        Ok(s) => return Err(format!("invalid YAML accepted ({} scalars)", s.len())),
    }
    let renamed = support::words(src)
        .into_iter()
        .map(|w| (w.clone(), cn(&w)))
        .collect();
    match support::plan(src, &renamed) {
        Err(e) if has_position(&e) => Ok(()),
        Err(e) => Err(format!("unexpected pipeline error: {e}")),
        Ok((new, n)) if renamed.is_empty() && n == 0 && new == src => Ok(()),
        Ok(_) => Err("the pipeline planned output for invalid YAML".into()),
    }
}

/// `plan: LINE:COLUMN: message`
fn has_position(e: &str) -> bool {
    let mut parts = e.strip_prefix("plan: ").unwrap_or("").splitn(3, ':');
    let mut num = || {
        parts
            .next()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    num() && num()
}

fn check_valid_case(dir: &Path) -> Result<&'static str, String> {
    let src = read(&dir.join("in.yaml")).ok_or("in.yaml unreadable")?;
    let rw = support::rewrite(&src, &cn)?;
    support::outside_unchanged(&src, &rw.new, &rw.edits)?;
    support::data_renamed(&src, &rw.new, &rw.renamed)?;
    if through_pipeline(&src, &rw)? {
        PIPED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let Some(json) = read(&dir.join("in.json")) else {
        return Ok("no in.json");
    };
    let expected: Vec<_> = support::json_stream(&json)?
        .iter()
        .map(|d| support::rename_strings(d, &rw.renamed))
        .collect();
    let ours = support::load(&rw.new)?;
    if expected == ours {
        return Ok("in.json");
    }
    // yaml-rust2's loader may read a case differently from the suite (that is
    // not our bug): then the renamed old reading must still match.
    let Ok(theirs_old) = support::load(&src) else {
        return Ok("yaml-rust2's loader rejects it");
    };
    let suite_old = support::json_stream(&json)?;
    if theirs_old != suite_old {
        return Ok("in.json differs from yaml-rust2's own reading");
    }
    Err(format!(
        "data differs from in.json:\nexpected {expected:?}\nfound    {ours:?}"
    ))
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn yaml_test_suite() {
    let suite = common::conformance_suite("yaml-test-suite");
    let cases = common::files_under(&suite, &|p| p.file_name().is_some_and(|n| n == "in.yaml"));
    let (mut valid, mut valid_ok, mut errors, mut errors_ok) = (0, 0, 0, 0);
    let mut notes: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut failures = Vec::new();
    for file in &cases {
        let dir = file.parent().unwrap_or(&suite);
        let id = case_id(&suite, dir);
        let known = KNOWN_FAILURES.iter().any(|(k, _)| *k == id);
        if dir.join("error").exists() {
            errors += 1;
            let Some(src) = read(file) else { continue };
            match std::panic::catch_unwind(|| check_error_case(&src)) {
                Ok(Ok(())) => errors_ok += 1,
                Ok(Err(_)) if known => {}
                Ok(Err(e)) => failures.push(format!("{id}: {e}")),
                Err(_) => failures.push(format!("{id}: panic")),
            }
            continue;
        }
        valid += 1;
        match std::panic::catch_unwind(|| check_valid_case(dir)) {
            Ok(Ok(note)) => {
                valid_ok += 1;
                *notes.entry(note).or_default() += 1;
                if known {
                    failures.push(format!("{id}: listed in KNOWN_FAILURES but passes"));
                }
            }
            Ok(Err(_)) if known => {}
            Ok(Err(e)) => failures.push(format!("{id}: {e}")),
            Err(_) => failures.push(format!("{id}: panic")),
        }
    }
    let piped = PIPED.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "yaml-test-suite: valid {valid_ok}/{valid} rewritten and verified (Format level, then plan_bytes: {piped} with findings); error {errors_ok}/{errors} rejected with a position"
    );
    println!(
        "yaml-test-suite: data checks {notes:?}; known failures {}",
        KNOWN_FAILURES.len()
    );
    assert!(
        valid > 300 && errors > 90,
        "suite incomplete: {valid} valid, {errors} error cases"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
#[cfg_attr(no_conformance, ignore = "NOTICE: conformance corpus not found")]
fn realworld_yaml() {
    let root = common::conformance_suite("realworld");
    let files = common::files_under(&root, &|p| {
        p.extension().is_some_and(|e| e == "yaml" || e == "yml")
    });
    let (mut ok, mut noop_ok, mut renamed, mut blocked) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let Some(src) = read(f) else {
            failures.push(format!("{name}: not UTF-8"));
            continue;
        };
        // No-op: a rule whose aliases match nothing leaves the file as it is.
        match support::rewrite_some(&src, &|_| false, &cn) {
            Ok(rw) if rw.new == src && rw.edits.is_empty() => noop_ok += 1,
            Ok(_) => failures.push(format!("{name}: no-op changed the file")),
            Err(e) => failures.push(format!("{name}: no-op: {e}")),
        }
        let res = support::rewrite(&src, &cn).and_then(|rw| {
            support::outside_unchanged(&src, &rw.new, &rw.edits)?;
            support::data_renamed(&src, &rw.new, &rw.renamed)?;
            through_pipeline(&src, &rw)?;
            Ok(rw)
        });
        match res {
            Ok(rw) => {
                ok += 1;
                renamed += rw.substituted;
                blocked += rw.blocked;
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "realworld YAML: {ok}/{} rewritten and verified, Format level and plan_bytes ({renamed} scalars renamed, {blocked} blocked); no-op {noop_ok}/{}",
        files.len(),
        files.len()
    );
    assert!(files.len() > 200, "only {} files", files.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
