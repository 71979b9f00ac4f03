//! The filesystem layer: how driftfix names paths and reads files. Issue
//! "writes that cannot escape" grows it into the directory-handle layer, so
//! this file holds module declarations only.

pub mod paths;
pub mod read;
