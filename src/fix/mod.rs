//! Applying plans: the review session and the guarded atomic write.

pub mod preview;
pub(crate) mod signals;
pub mod write;
