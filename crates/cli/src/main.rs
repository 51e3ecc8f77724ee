//! The `cmin` command-line tool.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod dataset_args;
mod error;
mod files;
mod progress;
mod query_inputs;

use commands::{check_parity, eval, parser, search, train, upgrade_weights, world};

#[derive(Parser)]
#[command(name = "cmin", version, about = "CMIN moment retrieval: parity checks, query parser, inference tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compare our model with a reference vector set: loads `<prefix>-weights.safetensors`,
    /// `<prefix>-io.safetensors`, `<prefix>-meta.json` (and `<prefix>-grads.safetensors` if
    /// present), prints max abs/rel difference per tensor, exits 1 above tolerance.
    CheckParity(check_parity::CheckParityArgs),
    /// R@{1,5} x IoU {0.1,0.3,0.5,0.7} and mIoU on an annotated dataset with clip features.
    Eval(eval::EvalArgs),
    /// Search a library of videos at once: one sentence's best moments across them, or how
    /// often each annotated sentence finds its own moment first.
    Search(search::SearchArgs),
    /// Train CMIN on annotations with clip features; validates each epoch, keeps the best.
    Train(train::TrainArgs),
    /// Write a synthetic-world dataset (features, 2D-TAN annotations, query metadata).
    World(world::WorldArgs),
    /// Rewrite a weight file of cmin-wasm 0.1 in this version's format (tensors unchanged).
    UpgradeWeights(upgrade_weights::UpgradeWeightsArgs),
    /// The query parser: train, eval, agreement, parse.
    #[command(subcommand)]
    Parser(parser::ParserCommand),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::CheckParity(args) => check_parity::run(args),
        Command::Parser(command) => parser::run(command),
        Command::Eval(args) => eval::run(args),
        Command::Search(args) => search::run(args),
        Command::World(args) => world::run(args),
        Command::Train(args) => train::run(args),
        Command::UpgradeWeights(args) => upgrade_weights::run(args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
