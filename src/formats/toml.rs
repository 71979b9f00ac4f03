//! Toml support (being written).

use super::{Edit, Format, ParseError, Replacement, Scalar, Substitution};

/// The toml format engine.
pub struct Toml;

impl Format for Toml {
    fn scan(&self, _src: &str) -> Result<Vec<Scalar>, ParseError> {
        Err(ParseError {
            line: 1,
            column: 1,
            message: "toml support is not built yet".into(),
        })
    }

    fn edits(
        &self,
        _src: &str,
        _scalar: &Scalar,
        _replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String> {
        Err("toml support is not built yet".into())
    }

    fn verify(&self, _old: &str, _new: &str, _subs: &[Substitution]) -> Result<(), String> {
        Err("toml support is not built yet".into())
    }
}
