//! `driftfix man [COMMAND]`: the manual page in roff, generated from the
//! same clap definition as `--help` (`clap_mangen`), so the two never
//! disagree. Sections: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, COMMANDS (for
//! driftfix(1)), EXIT STATUS and EXAMPLES (from [`crate::cli::EXIT_CODES`]
//! and [`crate::cli::EXAMPLES`], as man-pages(7) names them), VERSION.
//! `driftfix man scan` prints driftfix-scan(1), and so on.

use std::io::{self, Write};

use clap_mangen::Man;
use roff::{Roff, bold, roman};

use crate::cli::{EXAMPLES, EXIT_CODES};

/// Why there is no page.
#[derive(Debug, thiserror::Error)]
pub enum ManError {
    #[error("no man page for `{0}`")]
    Unknown(String),
    #[error("cannot write the man page: {0}")]
    Write(#[from] io::Error),
}

/// Writes the page of driftfix, or of its `command`, in plain ASCII: a
/// character beyond ASCII in a help text (`…`, `→`) becomes groff's
/// `\[uXXXX]` escape, since `groff` reads its input as Latin-1 unless
/// `preconv` runs first (as `man` does, but `groff -man` does not).
pub fn write(command: Option<&str>, out: &mut dyn Write) -> Result<(), ManError> {
    let mut roff = Vec::new();
    write_roff(command, &mut roff)?;
    out.write_all(ascii(&String::from_utf8_lossy(&roff)).as_bytes())?;
    Ok(())
}

/// `text` with every non-ASCII character as `\[uXXXX]`.
fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

/// The page as `clap_mangen` and `roff` render it.
fn write_roff(command: Option<&str>, out: &mut dyn Write) -> Result<(), ManError> {
    let mut top = crate::cli::command().disable_help_subcommand(true);
    top.build();
    let (page, prefix) = match command {
        None => (top, "driftfix".to_string()),
        Some(name) => (
            top.find_subcommand(name)
                .cloned()
                .ok_or_else(|| ManError::Unknown(name.to_string()))?,
            format!("driftfix {name}"),
        ),
    };
    let man = Man::new(page.clone())
        .source(format!("driftfix {}", env!("CARGO_PKG_VERSION")))
        .manual("driftfix manual");
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if page.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, what) in EXIT_CODES {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([roman(what)]);
    }
    let examples: Vec<_> = EXAMPLES
        .iter()
        .filter(|(cmd, _)| cmd.starts_with(&prefix))
        .collect();
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (cmd, what) in examples {
            roff.control("TP", []);
            roff.text([bold(*cmd)]);
            roff.text([roman(*what)]);
        }
    }
    roff.to_writer(out)?;
    if page.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(command: Option<&str>) -> String {
        let mut out = Vec::new();
        write(command, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pages_are_ascii() {
        assert_eq!(ascii("a … → b"), "a \\[u2026] \\[u2192] b");
        for name in [None, Some("scan"), Some("man")] {
            assert!(page(name).is_ascii(), "{name:?}");
        }
    }

    #[test]
    fn pages_have_the_sections() {
        let top = page(None);
        assert!(
            top.starts_with(".ie \\n(.g .ds Aq \\(aq") || top.contains(".TH driftfix 1"),
            "{top}"
        );
        for section in [
            "NAME",
            "SYNOPSIS",
            "OPTIONS",
            "SUBCOMMANDS",
            "EXIT STATUS",
            "EXAMPLES",
        ] {
            assert!(
                top.contains(&format!(".SH {section}"))
                    || top.contains(&format!(".SH \"{section}\"")),
                "{section}:\n{top}"
            );
        }
        let scan = page(Some("scan"));
        assert!(scan.contains("driftfix\\-scan"), "{scan}");
        assert!(scan.contains("\\-\\-statistics"), "{scan}");
        assert!(scan.contains("driftfix scan \\-\\-format github"), "{scan}");
        assert!(!scan.contains("driftfix fix \\-\\-apply"), "{scan}");
        assert!(matches!(
            write(Some("nope"), &mut Vec::new()),
            Err(ManError::Unknown(_))
        ));
    }
}
