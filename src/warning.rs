//! Warnings: something was passed over and the run goes on (a skipped file,
//! a glob that matches nothing). They reach stderr and the reports' notes;
//! "warning: " is added here and nowhere else.

use std::fmt;

/// One warning; its `Display` is the line people read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Warning {
    message: String,
}

impl Warning {
    pub fn new(message: impl Into<String>) -> Warning {
        Warning {
            message: message.into(),
        }
    }

    /// The text after "warning: ".
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: {}", self.message)
    }
}
