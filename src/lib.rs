//! driftfix: find non-canonical host labels (aliases) in YAML, JSON and TOML
//! inventories and rewrite them to their canonical names, byte for byte
//! preserving everything else.
//!
//! The pipeline reads top to bottom:
//! [`rules`] → [`walk`] → [`formats`] (parse, locate) → [`matcher`] →
//! [`plan`] → [`report`] (the output formats, patch included) / [`fix`]
//! (preview, write), driven by [`run`] and the commands in [`app`], which
//! start from [`setup`] and end in an [`exit`] code. [`fs`], below all of
//! them, is the directory-handle layer every read and write of a target,
//! a rule file and `--output` goes through.

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
pub mod discover;
pub mod exit;
pub mod fix;
pub mod formats;
pub mod fs;
pub mod journal;
pub mod man;
pub mod matcher;
pub mod plan;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod run;
pub mod setup;
pub mod since;
pub mod suggest;
pub mod suppress;
pub mod text;
pub mod token;
pub mod undo;
pub mod walk;
pub mod warning;
