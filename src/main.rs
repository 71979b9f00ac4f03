fn main() {
    let cli = driftfix::cli::Cli::parse_args();
    std::process::exit(driftfix::app::main(cli).code());
}
