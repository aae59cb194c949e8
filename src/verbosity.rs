//! `--quiet` and `--verbose`, taken by every subcommand (global flags), with one meaning:
//!
//! - `--quiet` (`-q`): stdout holds only what a script reads (`run`: the report directory;
//!   `check`: only scenarios that fail, with their failing checks; `validate`: nothing when all
//!   is well; `new`: nothing), and no progress is drawn. Errors, warnings that change money
//!   (an overload, an unpriced component) and exit codes are unchanged.
//! - `--verbose` (`-v`): also, on stderr, what each run does before it starts (seed,
//!   replications, threads, estimated events and memory) and how long it took; `check` lists
//!   every check, passed ones too.
//!
//! `plans`, `schema` and `completions` print the data asked for either way.

/// How much capsim says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::Args)]
pub struct Verbosity {
    /// Print only what a script needs (e.g. the report directory); no progress. Errors and
    /// money-changing warnings still go to stderr.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print, on stderr, each run's settings, estimated work and time taken (and, for
    /// check, every check that passed).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}
