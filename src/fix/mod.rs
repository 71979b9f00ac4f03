//! Applying plans: the review session and the guarded atomic write.

pub mod preview;
mod signals;
pub mod write;
