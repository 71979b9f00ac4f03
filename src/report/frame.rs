//! Code frames under rule-file and parse errors (SPEC §13), drawn by
//! `annotate-snippets` (the renderer of rustc and cargo) so the gutter,
//! the caret and wide characters line up as in the tools people know:
//!
//! ```text
//! error: inv/a.yaml:2:7: yaml parse error: did not find expected ',' or ']'
//!   |
//! 2 | host: [pve-shop
//!   |       ^
//! ```
//!
//! The first line (`FILE:LINE:COL: message`) is printed by the caller and
//! never changes; the frame follows it, on stderr only, one per error. The
//! line is the one kept with the error ([`SourceLine`]): at most 50
//! characters either side of the column, `…` where it was cut, control
//! characters made visible (`\t`, `\u{1b}`) so that nothing the file holds
//! can move the cursor or hide the caret.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::text::SourceLine;

/// The frame of `source`, every line ending in a newline.
pub fn render(source: &SourceLine) -> String {
    let (text, caret) = shown(source);
    let report = [Group::with_level(Level::ERROR).element(
        Snippet::source(text.as_str())
            .line_start(source.line)
            .annotation(AnnotationKind::Primary.span(caret)),
    )];
    // The line is already cut to a window around the column: the renderer
    // must not cut it again (its own limit is a 140-column terminal).
    let mut out = Renderer::plain().term_width(usize::MAX / 4).render(&report);
    out.push('\n');
    out
}

/// The line as shown and the byte range of the caret in it: the character
/// at the column, or the empty range at the end when the column is past
/// the last character.
fn shown(source: &SourceLine) -> (String, std::ops::Range<usize>) {
    let mut text = String::new();
    if source.cut_before {
        text.push('…');
    }
    let mut caret = None;
    for (i, c) in source.text.chars().enumerate() {
        let start = text.len();
        push_visible(&mut text, c);
        if i + 1 == source.column {
            caret = Some(start..text.len());
        }
    }
    let caret = caret.unwrap_or(text.len()..text.len());
    if source.cut_after {
        text.push('…');
    }
    (text, caret)
}

/// `c`, or its escape when it is a control character.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str, line: usize, column: usize) -> String {
        render(&SourceLine::of(text, line, column).unwrap())
    }

    #[test]
    fn caret_under_the_column() {
        assert_eq!(
            frame("a: 1\nhost: [pve-shop\n", 2, 7),
            "  |\n2 | host: [pve-shop\n  |       ^\n"
        );
    }

    #[test]
    fn caret_past_the_end_of_the_line() {
        let f = frame("{\"a\": ", 1, 7);
        assert!(f.ends_with("1 | {\"a\": \n  |       ^\n"), "{f:?}");
    }

    #[test]
    fn control_characters_are_escaped_and_the_caret_follows() {
        let f = frame("\tk: \u{1b}[31mv\n", 1, 5);
        assert!(f.contains("1 | \\tk: \\u{1b}[31mv\n"), "{f:?}");
        assert!(f.ends_with("  |      ^^^^^^\n"), "{f:?}");
        assert!(!f.contains('\u{1b}'));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let f = frame(&line, 1, 5001);
        assert!(f.lines().all(|l| l.chars().count() < 200), "{f}");
        assert!(f.contains("…aaa") && f.contains("bbb…"), "{f}");
        let caret_line = f.lines().last().unwrap();
        let x_line = f.lines().nth(1).unwrap();
        let col = caret_line.find('^').unwrap();
        assert_eq!(x_line.chars().nth(col), Some('X'), "{f}");
    }

    #[test]
    fn wide_characters_keep_the_caret_aligned() {
        let f = frame("name: \"漢字\" x\n", 1, 11);
        // Each CJK character takes two columns.
        assert!(f.ends_with("  |             ^\n"), "{f:?}");
    }
}
