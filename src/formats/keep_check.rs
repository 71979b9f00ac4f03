//! The check every engine's [`Format::scan_for`] passes (tests only):
//! its scalars are a subset of [`Format::scan`]'s, in order and equal in
//! every field, holding every value whose decoded text passes `may_hold`
//! and every key of a mapping (a document and path) where some key passes;
//! its comments are `scan`'s.

use std::collections::HashSet;

use super::{Format, Scalar, ScalarKind, Seg};

/// What of a scalar must be the same in both scans.
fn fields(s: &Scalar) -> String {
    format!(
        "{:?}",
        (
            (s.document, &s.path, s.kind, &s.value, &s.span, &s.content),
            (s.style, &s.pieces, s.in_flow, s.share, &s.rare),
            (s.not_string, s.typed_by_text),
        )
    )
}

/// Checks `format.scan_for(src, may_hold)` against `format.scan(src)`;
/// `Ok(n)`: `n` scalars were kept that planning does not need.
pub(crate) fn check(
    format: &dyn Format,
    src: &str,
    may_hold: &dyn Fn(&[u8]) -> bool,
) -> Result<usize, String> {
    let all = format.scan(src).map_err(|e| format!("scan: {e}"))?;
    let some = format
        .scan_for(src, may_hold)
        .map_err(|e| format!("scan_for: {e}"))?;
    if all.comments != some.comments {
        return Err(format!(
            "comments differ: {:?} / {:?}",
            all.comments, some.comments
        ));
    }
    if all.parsed.is_some() != some.parsed.is_some() {
        return Err("one scan keeps its parse, the other not".into());
    }
    let holding: HashSet<(usize, &[Seg])> = all
        .scalars
        .iter()
        .filter(|s| s.kind == ScalarKind::Key && may_hold(s.value.as_bytes()))
        .filter_map(|s| Some((s.document, s.path.split_last()?.1)))
        .collect();
    let needed = |s: &Scalar| match s.kind {
        ScalarKind::Key => s
            .path
            .split_last()
            .is_some_and(|(_, p)| holding.contains(&(s.document, p))),
        _ => may_hold(s.value.as_bytes()),
    };
    let mut kept = some.scalars.iter().map(fields).peekable();
    let mut extra = 0;
    for s in &all.scalars {
        let f = fields(s);
        let here = kept.peek() == Some(&f);
        if here {
            kept.next();
            extra += usize::from(!needed(s));
        } else if needed(s) {
            return Err(format!("left out, or out of order: {f}"));
        }
    }
    match kept.next() {
        Some(f) => Err(format!("not in scan, or out of order: {f}")),
        None => Ok(extra),
    }
}

/// The texts of the shipped example's files named `*.{ext}`.
pub(crate) fn fixture_texts(ext: &str) -> Vec<String> {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/homelab");
    let mut dirs = vec![std::path::PathBuf::from(fixtures)];
    let mut out = Vec::new();
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(std::fs::read_to_string(p).unwrap());
            }
        }
    }
    assert!(!out.is_empty(), "no .{ext} fixture");
    out
}
