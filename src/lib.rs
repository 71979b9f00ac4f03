//! driftfix: find non-canonical host labels (aliases) in YAML, JSON and TOML
//! inventories and rewrite them to their canonical names, byte for byte
//! preserving everything else.
//!
//! The pipeline reads top to bottom:
//! [`rules`] → [`walk`] → [`formats`] (parse, locate) → [`matcher`] →
//! [`plan`] → [`report`] / [`fix`] (patch, preview, write), driven by
//! [`run`] and the commands in [`app`].

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod app;
pub mod cli;
pub mod fix;
pub mod formats;
pub mod fs;
pub mod matcher;
pub mod plan;
pub mod report;
pub mod rules;
pub mod run;
pub mod suggest;
pub mod text;
pub mod walk;
