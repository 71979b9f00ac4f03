//! Color on the terminal: decided once per run ([`Paint::for_stdout`]) and
//! passed down to whatever prints.

use std::io::IsTerminal as _;

use anstyle::{AnsiColor, Style};

use crate::rules::Severity;

/// When to use color (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Paints text when color is on; a no-op otherwise.
#[derive(Clone, Copy, Debug)]
pub struct Paint {
    pub color: bool,
}

impl Paint {
    /// Color on stdout: never into a file, never with `NO_COLOR` set
    /// (non-empty, as no-color.org defines it; SPEC §3 puts it above
    /// `--color always`), never with `--color never`; `always` forces it
    /// into pipes too, `auto` colors a terminal only.
    pub fn for_stdout(when: ColorWhen, to_file: bool) -> Paint {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !to_file
            && !no_color
            && match when {
                ColorWhen::Always => true,
                ColorWhen::Never => false,
                ColorWhen::Auto => std::io::stdout().is_terminal(),
            };
        Paint { color }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    pub fn severity(&self, s: Severity) -> String {
        let color = match s {
            Severity::Critical => AnsiColor::Magenta,
            Severity::High => AnsiColor::Red,
            Severity::Medium => AnsiColor::Yellow,
            Severity::Low => AnsiColor::Blue,
        };
        self.paint(
            Style::new().fg_color(Some(color.into())).bold(),
            &s.name().to_uppercase(),
        )
    }
}
