//! The `cmin` command-line tool.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// Reads .npy features from disk: native only (a wasm build of this binary has no use for it).
#[cfg(not(target_family = "wasm"))]
mod eval_cli;
// Trains the parser's neural scorer with autodiff: native only, like `cmin train`.
#[cfg(not(target_family = "wasm"))]
mod biaffine_cli;
mod parser_cli;
#[cfg(not(target_family = "wasm"))]
mod progress;
#[cfg(not(target_family = "wasm"))]
mod query_inputs;
#[cfg(not(target_family = "wasm"))]
mod train_cli;
#[cfg(not(target_family = "wasm"))]
mod world_cli;

use cmin::parity::{Comparison, ReferenceSet, check_forward, check_gradients};
use cmin::{device, weights};

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
    CheckParity {
        /// e.g. ../shared/reference/tacos
        prefix: PathBuf,
        /// cpu or wgpu
        #[arg(long, default_value = "cpu")]
        device: String,
        /// An element passes within this absolute difference ...
        #[arg(long, default_value_t = 1e-4)]
        atol: f32,
        /// ... or within this relative difference.
        #[arg(long, default_value_t = 1e-3)]
        rtol: f32,
        /// Skip the gradient check even if a grads file exists.
        #[arg(long)]
        no_grads: bool,
    },
    /// R@{1,5} x IoU {0.1,0.3,0.5,0.7} and mIoU on an annotated dataset with clip features.
    #[cfg(not(target_family = "wasm"))]
    Eval(eval_cli::EvalArgs),
    /// Train CMIN on annotations with clip features; validates each epoch, keeps the best.
    #[cfg(not(target_family = "wasm"))]
    Train(train_cli::TrainArgs),
    /// Write a synthetic-world dataset (features, 2D-TAN annotations, query metadata).
    #[cfg(not(target_family = "wasm"))]
    World(world_cli::WorldArgs),
    /// The query parser: train, eval, agreement, parse.
    #[command(subcommand)]
    Parser(parser_cli::ParserCommand),
}

fn print_table(title: &str, rows: &[Comparison]) {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(6).max(6);
    println!("{title}");
    println!("  {:<width$} {:>10} {:>10}", "tensor", "max abs", "max rel");
    for r in rows {
        println!(
            "  {:<width$} {:>10.3e} {:>10.3e}  {}",
            r.name,
            r.max_abs,
            r.max_rel,
            if r.ok { "ok" } else { "FAIL" }
        );
    }
}

fn check_parity(prefix: PathBuf, device: String, atol: f32, rtol: f32, no_grads: bool) -> cmin::Result<bool> {
    let device = device::by_name(&device)?;
    let set = ReferenceSet::load(&prefix)?;
    let model = weights::load(&set.weights, Some(&set.config), &device)?;
    let forward = check_forward(&model, &set, &device, atol, rtol)?;
    print_table(&format!("forward ({}; atol {atol:e}, rtol {rtol:e})", prefix.display()), &forward);
    let mut ok = forward.iter().all(|r| r.ok);
    if set.grads.is_some() && !no_grads {
        let grads = check_gradients(&set, &device, atol, rtol)?;
        let worst = grads.iter().filter(|r| !r.ok).cloned().collect::<Vec<_>>();
        let max_abs = grads.iter().map(|r| r.max_abs).fold(0.0, f32::max);
        println!(
            "gradients: {} parameters, max abs diff {max_abs:.3e}, {} outside tolerance",
            grads.len(),
            worst.len()
        );
        if !worst.is_empty() {
            print_table("gradients outside tolerance", &worst);
        }
        ok &= worst.is_empty();
    }
    println!("{}", if ok { "PARITY OK" } else { "PARITY FAILED" });
    Ok(ok)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::CheckParity { prefix, device, atol, rtol, no_grads } => {
            check_parity(prefix, device, atol, rtol, no_grads)
        }
        Command::Parser(command) => parser_cli::run(command),
        #[cfg(not(target_family = "wasm"))]
        Command::Eval(args) => eval_cli::run(args),
        #[cfg(not(target_family = "wasm"))]
        Command::World(args) => world_cli::run(args),
        #[cfg(not(target_family = "wasm"))]
        Command::Train(args) => train_cli::run(args),
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
