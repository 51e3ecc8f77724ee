//! The parser's word classes: word vectors clustered by spherical k-means at two granularities.

use cmin_parser::words::Clusters;
use cmin_random::Rng;

/// Clusters word vectors with k-means (cosine, deterministic by seed) at two granularities.
pub fn clusters_from_vectors(
    words: &[String],
    vectors: &[f32],
    dim: usize,
    coarse: usize,
    fine: usize,
    seed: u64,
) -> Clusters {
    let unit: Vec<f32> = vectors
        .chunks(dim)
        .flat_map(|v| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-8);
            v.iter().map(move |x| x / n)
        })
        .collect();
    let a = kmeans(&unit, dim, coarse, 12, seed);
    let b = kmeans(&unit, dim, fine, 12, seed.wrapping_add(1));
    let map = words.iter().enumerate().map(|(i, w)| (w.to_lowercase(), (a[i] as u16, b[i] as u16))).collect();
    Clusters { map }
}

/// Spherical k-means; returns each point's cluster.
fn kmeans(points: &[f32], dim: usize, k: usize, iterations: usize, seed: u64) -> Vec<usize> {
    let n = points.len() / dim;
    let k = k.min(n).max(1);
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let mut centres: Vec<f32> = order[..k].iter().flat_map(|&i| points[i * dim..(i + 1) * dim].to_vec()).collect();
    let mut assign = vec![0usize; n];
    for _ in 0..iterations {
        for (i, a) in assign.iter_mut().enumerate() {
            let p = &points[i * dim..(i + 1) * dim];
            let mut best = (f32::MIN, 0);
            for c in 0..k {
                let dot: f32 = p.iter().zip(&centres[c * dim..(c + 1) * dim]).map(|(x, y)| x * y).sum();
                if dot > best.0 {
                    best = (dot, c);
                }
            }
            *a = best.1;
        }
        let mut sums = vec![0f32; k * dim];
        for (i, &a) in assign.iter().enumerate() {
            for d in 0..dim {
                sums[a * dim + d] += points[i * dim + d];
            }
        }
        for c in 0..k {
            let s = &sums[c * dim..(c + 1) * dim];
            let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                for d in 0..dim {
                    centres[c * dim + d] = s[d] / norm;
                }
            }
        }
    }
    assign
}

#[cfg(test)]
mod tests {
    #[test]
    fn similar_vectors_share_a_cluster() {
        let c = super::clusters_from_vectors(
            &["up".into(), "down".into(), "cat".into(), "dog".into()],
            &[1.0, 0.0, 0.9, 0.1, 0.0, 1.0, 0.1, 0.9],
            2,
            2,
            2,
            7,
        );
        let (up, down, cat) = (c.map["up"], c.map["down"], c.map["cat"]);
        assert_eq!(up.0, down.0);
        assert_ne!(up.0, cat.0);
        assert_eq!(c.atom("Up").coarse, up.0 as u64);
    }
}
