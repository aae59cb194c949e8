//! `capsim`: parse the command line and hand over to the library.
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    capsim::cli::main_with(capsim::cli::Cli::parse())
}
