//! Applying plans: the unified diff, and the guarded atomic write.

pub mod patch;
pub mod preview;
mod signals;
pub mod write;
