//! Interactive preview (being written).

use crate::app::Setup;
use crate::cli::Cli;
use crate::run::Run;

/// `fix --preview`.
pub fn run(_cli: &Cli, _setup: &Setup, _run: &Run) -> Result<i32, String> {
    Err("--preview is not built yet".into())
}
