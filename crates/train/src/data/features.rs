//! Clip features as one `.npy` file per video: a 2-D array `[clips, dim]` of float32 or
//! float64 (e.g. the C3D features released for TACoS and ActivityNet, or I3D for
//! Charades-STA, exported one file per video). For video id `v` the file is `<dir>/<v>.npy`,
//! or `<dir>/<stem of v>.npy` when the id carries an extension (`s30-d52.avi`).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::ReadNpyExt;

use cmin_model::error::CminError;

use crate::error::{Result, TrainError};

/// One video's features, row-major `[clips, dim]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClipFeatures {
    pub clips: usize,
    pub dim: usize,
    pub values: Vec<f32>,
}

/// Parses `.npy` bytes (float32 or float64, 2-D, C or Fortran order).
pub fn from_npy(bytes: &[u8], what: &str) -> Result<ClipFeatures> {
    let array: Array2<f32> = match Array2::<f32>::read_npy(Cursor::new(bytes)) {
        Ok(a) => a,
        Err(first) => match Array2::<f64>::read_npy(Cursor::new(bytes)) {
            Ok(a) => a.mapv(|v| v as f32),
            Err(_) => {
                return Err(CminError::malformed(
                    what,
                    format!("not a 2-D float32/float64 .npy array of [clips, dim] ({first})"),
                )
                .into());
            }
        },
    };
    let (clips, dim) = array.dim();
    if clips == 0 || dim == 0 {
        return Err(CminError::malformed(what, format!("empty feature array [{clips}, {dim}]")).into());
    }
    // Row-major whatever the file's order.
    let values: Vec<f32> = array.rows().into_iter().flat_map(|r| r.to_vec()).collect();
    if let Some(pos) = values.iter().position(|v| !v.is_finite()) {
        return Err(
            CminError::malformed(what, format!("clip {}, dim {} is {}", pos / dim, pos % dim, values[pos])).into()
        );
    }
    Ok(ClipFeatures { clips, dim, values })
}

/// Where the features of `video` live under `dir`.
pub fn path_for(dir: &Path, video: &str) -> PathBuf {
    let direct = dir.join(format!("{video}.npy"));
    if direct.exists() {
        return direct;
    }
    let stem = Path::new(video).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    dir.join(format!("{stem}.npy"))
}

/// Loads a video's features; a missing file or one of the wrong width is an error naming it.
pub fn load(dir: &Path, video: &str, expected_dim: Option<usize>) -> Result<ClipFeatures> {
    let path = path_for(dir, video);
    let bytes = std::fs::read(&path).map_err(|source| TrainError::MissingFeatures {
        video: video.to_string(),
        path: path.clone(),
        source,
    })?;
    let f = from_npy(&bytes, &path.display().to_string())?;
    if let Some(d) = expected_dim.filter(|&d| d != f.dim) {
        return Err(CminError::malformed(
            path.display().to_string(),
            format!("features are [{}, {}], the model reads dim {d}", f.clips, f.dim),
        )
        .into());
    }
    Ok(f)
}

/// Writes `[clips, dim]` float32 features as `.npy` (for tests and generated data).
pub fn to_npy(f: &ClipFeatures) -> Vec<u8> {
    use ndarray_npy::WriteNpyExt;
    let array = Array2::from_shape_vec((f.clips, f.dim), f.values.clone()).expect("clips x dim values");
    let mut out = Vec::new();
    array.write_npy(&mut out).expect("writing to memory cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_round_trip_and_errors() {
        let f = ClipFeatures { clips: 3, dim: 2, values: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0] };
        let bytes = to_npy(&f);
        assert_eq!(from_npy(&bytes, "x").unwrap(), f);
        let f64_bytes = {
            use ndarray_npy::WriteNpyExt;
            let mut out = Vec::new();
            Array2::from_shape_vec((1, 2), vec![0.5f64, 1.5]).unwrap().write_npy(&mut out).unwrap();
            out
        };
        assert_eq!(from_npy(&f64_bytes, "x").unwrap().values, [0.5, 1.5]);
        assert!(from_npy(b"not an npy", "feat.npy").unwrap_err().to_string().contains("feat.npy"));
        assert!(from_npy(&bytes[..bytes.len() - 3], "short.npy").is_err());
        let dir = std::env::temp_dir().join("cmin-features-test");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("s30-d52.npy"), &bytes).unwrap();
        assert_eq!(load(&dir, "s30-d52.avi", Some(2)).unwrap().clips, 3);
        let wrong = load(&dir, "s30-d52.avi", Some(500)).unwrap_err().to_string();
        assert!(wrong.contains("[3, 2]") && wrong.contains("500"), "{wrong}");
        let missing = load(&dir, "nope", None).unwrap_err().to_string();
        assert!(missing.contains("nope.npy"), "{missing}");
    }
}
