//! Json support (being written).

use super::{Edit, Format, ParseError, Replacement, Scalar, Substitution};

/// The json format engine.
pub struct Json;

impl Format for Json {
    fn scan(&self, _src: &str) -> Result<Vec<Scalar>, ParseError> {
        Err(ParseError {
            line: 1,
            column: 1,
            message: "json support is not built yet".into(),
        })
    }

    fn edits(
        &self,
        _src: &str,
        _scalar: &Scalar,
        _replacements: &[Replacement],
    ) -> Result<Vec<Edit>, String> {
        Err("json support is not built yet".into())
    }

    fn verify(&self, _old: &str, _new: &str, _subs: &[Substitution]) -> Result<(), String> {
        Err("json support is not built yet".into())
    }
}
