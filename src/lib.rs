//! driftfix: find non-canonical host labels (aliases) in YAML, JSON and TOML
//! inventories and rewrite them to their canonical names, byte for byte
//! preserving everything else.
//!
//! The pipeline reads top to bottom:
//! rules → walk → parse/locate ([`formats`]) → match → plan → report / patch / write.

pub mod formats;
pub mod matcher;
pub mod plan;
pub mod rules;
pub mod suggest;
pub mod text;
pub mod walk;
