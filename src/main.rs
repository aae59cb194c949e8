//! `capsim`: parse the command line and hand over to the library.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match capsim::cli::Cli::try_parse() {
        Ok(cli) => capsim::cli::main_with(cli),
        Err(e) => capsim::stdio::clap_exit(e),
    }
}
