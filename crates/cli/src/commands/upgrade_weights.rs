//! `cmin upgrade-weights`: a weight file of cmin-wasm 0.1 (no format version) in this version's
//! format, its tensors and config unchanged.

use std::path::PathBuf;

use clap::Args;
use cmin_model::weights;

use crate::error::Result;
use crate::files;

#[derive(Args)]
pub struct UpgradeWeightsArgs {
    /// The old file.
    input: PathBuf,
    /// Where to write the upgraded one.
    output: PathBuf,
}

pub fn run(a: UpgradeWeightsArgs) -> Result<bool> {
    let upgraded = weights::upgrade(&files::read(&a.input)?)?;
    files::write(&a.output, &upgraded)?;
    println!("{}: cmin weight format {}", a.output.display(), weights::FORMAT_VERSION);
    Ok(true)
}
