//! `cmin check-parity`: our model against a reference vector set from the authors' code.

use std::path::PathBuf;

use clap::Args;
use cmin_model::weights;
use cmin_train::device;
use cmin_train::parity::{Comparison, ReferenceSet, check_forward, check_gradients};

#[derive(Args)]
pub struct CheckParityArgs {
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

pub fn run(args: CheckParityArgs) -> crate::error::Result<bool> {
    let CheckParityArgs { prefix, device, atol, rtol, no_grads } = args;
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
