//! Unified diffs (`--- a/PATH` / `+++ b/PATH`, 3 lines of context) that
//! `git apply` and `patch -p1` apply from the base directory to give exactly
//! what `--apply` writes: `fix --format patch` (the default), and the diffs
//! of `fix --preview` and of the markdown report.

use anstyle::{AnsiColor, Style};
use similar::TextDiff;

use super::{Paint, Report};
use crate::run::Run;

/// `fix --format patch`: the patch of every file with fixes, colored for a
/// terminal.
pub fn render(r: &Report<'_>) -> String {
    colorize(&full_patch(r.run), r.paint)
}

/// The patch of every file with fixes, in path order.
pub fn full_patch(r: &Run) -> String {
    r.patches()
        .map(|(path, p, new)| file_diff(path, &p.original, new))
        .collect()
}

/// The diff of one file from `old` to `new`; empty when equal.
pub fn file_diff(rel_path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&header_name("a/", rel_path), &header_name("b/", rel_path))
        .to_string()
}

/// A file name for a `---`/`+++` line, spelled as git spells it so that
/// `git apply` and `patch -p1` both read it back: C-quoted
/// (`"a/tab\tname.yaml"`) when it holds a control character, `"` or `\`;
/// followed by a tab when it holds a space (the tab ends the name).
fn header_name(prefix: &str, path: &str) -> String {
    let name = format!("{prefix}{path}");
    if name
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        let mut q = String::from("\"");
        for c in name.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\t' => q.push_str("\\t"),
                '\n' => q.push_str("\\n"),
                '\r' => q.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        q.push_str(&format!("\\{b:03o}"));
                    }
                }
                c => q.push(c),
            }
        }
        q.push('"');
        q
    } else if name.contains(' ') {
        name + "\t"
    } else {
        name
    }
}

/// Colors a unified diff line by line (headers bold, hunks cyan, `-` red,
/// `+` green); returns it unchanged when color is off.
pub fn colorize(diff: &str, paint: Paint) -> String {
    if !paint.color {
        return diff.to_string();
    }
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        // The color ends before a CRLF file's `\r`, not after it.
        let (body, nl) = match line.strip_suffix("\r\n") {
            Some(b) => (b, "\r\n"),
            None => match line.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (line, ""),
            },
        };
        let style = if body.starts_with("+++") || body.starts_with("---") {
            Style::new().bold()
        } else if body.starts_with("@@") {
            Style::new().fg_color(Some(AnsiColor::Cyan.into()))
        } else if body.starts_with('+') {
            Style::new().fg_color(Some(AnsiColor::Green.into()))
        } else if body.starts_with('-') {
            Style::new().fg_color(Some(AnsiColor::Red.into()))
        } else {
            Style::new()
        };
        out.push_str(&paint.paint(style, body));
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_a_b_headers_and_context() {
        let d = file_diff(
            "x/y.yaml",
            "a: 1\nb: pve-shop\nc: 3\n",
            "a: 1\nb: pve\nc: 3\n",
        );
        assert!(d.starts_with("--- a/x/y.yaml\n+++ b/x/y.yaml\n@@ -1,3 +1,3 @@\n"));
        assert!(d.contains("-b: pve-shop\n+b: pve\n"));
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let d = file_diff("f.json", "{\"h\": \"pve-shop\"}", "{\"h\": \"pve\"}");
        assert!(d.contains("\\ No newline at end of file"));
    }

    #[test]
    fn color_ends_before_a_crlf() {
        let d = colorize("-a\r\n+b\n", Paint { color: true });
        assert!(d.contains("a\u{1b}[0m\r\n"), "{d:?}");
        assert!(d.ends_with("b\u{1b}[0m\n"), "{d:?}");
        assert_eq!(colorize("-a\r\n", Paint { color: false }), "-a\r\n");
    }

    #[test]
    fn equal_texts_give_no_diff() {
        assert_eq!(file_diff("f", "a\n", "a\n"), "");
    }
}
