//! Why a file could not be planned, as data: the kind decides what happens
//! (a skip warns, anything else fails the run), the message is for people.

use std::fmt;

use crate::text::SourceLine;

/// A file that could not be planned: skipped, unreadable, not parseable, or
/// its edited text failed verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub kind: FileErrorKind,
    /// 1-based line and character column, when the problem has a place.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The line the position is on, for the code frame on stderr.
    pub source: Option<SourceLine>,
}

/// What went wrong with a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileErrorKind {
    /// Not read on purpose; a warning (SPEC §6), never an exit code.
    Skipped(SkipReason),
    /// Could not be read (vanished, permission denied).
    Unreadable,
    /// Not valid for its format (or a lone CR line ending).
    Invalid,
    /// The edited text failed verification: nothing is written.
    Unverified,
    /// A bug in driftfix (overlapping edits): nothing is written.
    Internal,
}

/// Why a file was skipped (SPEC §8: every skipped file is listed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// Included, but no `[types]` entry or built-in type names it.
    NoType,
    /// Larger than `--max-file-size`.
    TooLarge,
    NotUtf8,
    /// Holds NUL bytes.
    Binary,
    /// A FIFO, socket or device (or a directory swapped in).
    NotRegular,
    /// A root that `exclude` matches, or a symlink to an excluded file.
    Excluded,
    /// A dangling symlink or a symlink loop.
    BrokenLink,
    /// A JSON file whose top-level `"schema"` starts with `driftfix`: a
    /// report, baseline or discover output of driftfix itself.
    DriftfixOutput,
}

impl SkipReason {
    /// The `reason` of a `skipped[]` entry in reports.
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::NoType => "no file type",
            SkipReason::TooLarge => "larger than --max-file-size",
            SkipReason::NotUtf8 => "not UTF-8",
            SkipReason::Binary => "binary",
            SkipReason::NotRegular => "not a regular file",
            SkipReason::Excluded => "excluded",
            SkipReason::BrokenLink => "broken symlink",
            SkipReason::DriftfixOutput => "driftfix output",
        }
    }
}

impl FileError {
    fn new(kind: FileErrorKind, message: impl Into<String>) -> FileError {
        FileError {
            kind,
            line: None,
            column: None,
            message: message.into(),
            source: None,
        }
    }

    pub fn skipped(reason: SkipReason, message: impl Into<String>) -> FileError {
        FileError::new(FileErrorKind::Skipped(reason), message)
    }

    pub fn unreadable(message: impl Into<String>) -> FileError {
        FileError::new(FileErrorKind::Unreadable, message)
    }

    pub fn invalid(line: usize, column: usize, message: impl Into<String>) -> FileError {
        FileError {
            line: Some(line),
            column: Some(column),
            ..FileError::new(FileErrorKind::Invalid, message)
        }
    }

    pub fn unverified(message: impl Into<String>) -> FileError {
        FileError::new(FileErrorKind::Unverified, message)
    }

    pub fn internal(message: impl Into<String>) -> FileError {
        FileError::new(FileErrorKind::Internal, message)
    }

    /// With the source line of its position in `text` (for the code frame).
    pub fn in_text(mut self, text: &str) -> FileError {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            self.source = SourceLine::of(text, line, column);
        }
        self
    }

    /// A skip warns; anything else is an error (exit 2).
    pub fn is_skip(&self) -> bool {
        matches!(self.kind, FileErrorKind::Skipped(_))
    }

    /// The reason of a skip.
    pub fn skip_reason(&self) -> Option<SkipReason> {
        match self.kind {
            FileErrorKind::Skipped(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for FileError {}
