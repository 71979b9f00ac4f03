use clap::Parser;

fn main() {
    let cli = driftfix::cli::Cli::parse();
    std::process::exit(driftfix::app::main(cli));
}
