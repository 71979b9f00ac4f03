//! Where a YAML stream's comments are.
//!
//! yaml-rust2 drops comments without a trace, so they are found in the
//! source: a comment starts at a `#` that begins a line (after indentation)
//! or follows a space or tab, and runs to the end of the line (YAML 1.2
//! §6.6). A `#` inside a quoted or block scalar is content, not a comment,
//! so the located scalars' ranges are skipped; a plain scalar can never hold
//! ` #` (it would end there), so plain scalars need no skipping.

use std::ops::Range;

/// Byte ranges of every comment of `text` (without the line break), given
/// the ranges of its quoted and block scalars (any order, may overlap).
pub(crate) fn comments(text: &str, mut scalars: Vec<Range<usize>>) -> Vec<Range<usize>> {
    scalars.sort_by_key(|r| r.start);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut covered = scalars.into_iter().peekable();
    // The end of the scalar text that covers the current position, if any.
    let mut inside_until = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        while let Some(r) = covered.next_if(|r| r.start <= i) {
            inside_until = inside_until.max(r.end);
        }
        if b == b'#' && i >= inside_until && starts_comment(bytes, i) {
            let end = line_end(bytes, i);
            out.push(i..end);
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// Whether a `#` at `i` starts a comment: first on its line or after a blank.
fn starts_comment(bytes: &[u8], i: usize) -> bool {
    match i.checked_sub(1).and_then(|p| bytes.get(p)) {
        None => true,
        Some(b) => matches!(b, b' ' | b'\t' | b'\n' | b'\r'),
    }
}

/// The offset of the line break (or end of text) at or after `i`.
fn line_end(bytes: &[u8], i: usize) -> usize {
    let rest = bytes.get(i..).unwrap_or_default();
    let n = rest
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(rest.len());
    i + n
}

#[cfg(test)]
mod tests {
    use crate::formats::Format;
    use crate::formats::yaml::Yaml;

    fn found(src: &str) -> Vec<&str> {
        let scan = Yaml.scan(src).unwrap();
        scan.comments.iter().map(|r| &src[r.clone()]).collect()
    }

    #[test]
    fn comments_outside_scalars_only() {
        let src = "# top\r\na: 'x # no' # yes\nb: \"#no\"\nc: |\n  # content\n  more\nd: e#f # g\n  # indented\n";
        assert_eq!(found(src), ["# top", "# yes", "# g", "# indented"]);
    }

    #[test]
    fn non_string_quoted_and_block_scalars_are_content_too() {
        let src = "a: !Sub |\n  #!/bin/bash\n  echo # hi\nb: !Ref 'x # y' # real\n";
        assert_eq!(found(src), ["# real"]);
    }

    #[test]
    fn flow_and_document_markers() {
        let src = "--- # doc\n[a, # one\n b] # two\n...\n";
        assert_eq!(found(src), ["# doc", "# one", "# two"]);
    }
}
