//! Eisner's (1996) algorithm: the highest-scoring projective tree over arc scores, with the
//! root taking exactly one dependent (a UD sentence has one `root`).

/// `scores[h * (n + 1) + d]` scores head `h` → dependent `d` over tokens `0..=n`, token 0
/// being the root. Returns the head of each of tokens `1..=n`. Non-finite scores are treated
/// as the lowest, so the result is always a tree.
pub fn decode(scores: &[f32], n: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let size = n + 1;
    assert_eq!(scores.len(), size * size, "scores must be (n + 1) x (n + 1)");
    let s = |h: usize, d: usize| {
        let v = scores[h * size + d];
        if v.is_finite() { v } else { -1e30 }
    };
    // Spans over the words 1..=n. complete[dir][i][j] / incomplete[dir][i][j]; dir 1 = the head
    // is the span's left end (arcs point right), 0 = its right end. Back-pointers store the
    // split point.
    let idx = |i: usize, j: usize| i * size + j;
    let neg = f32::NEG_INFINITY;
    let mut complete = [vec![neg; size * size], vec![neg; size * size]];
    let mut incomplete = [vec![neg; size * size], vec![neg; size * size]];
    let mut complete_split = [vec![0usize; size * size], vec![0usize; size * size]];
    let mut incomplete_split = [vec![0usize; size * size], vec![0usize; size * size]];
    for i in 1..=n {
        complete[0][idx(i, i)] = 0.0;
        complete[1][idx(i, i)] = 0.0;
    }
    for width in 1..n {
        for i in 1..=n - width {
            let j = i + width;
            // An arc between i and j over two facing complete halves.
            let (best, arg) = best_split(i..j, |k| complete[1][idx(i, k)] + complete[0][idx(k + 1, j)]);
            incomplete[0][idx(i, j)] = best + s(j, i);
            incomplete_split[0][idx(i, j)] = arg;
            incomplete[1][idx(i, j)] = best + s(i, j);
            incomplete_split[1][idx(i, j)] = arg;
            // Complete spans: an incomplete span extended by a complete one.
            let (best, arg) = best_split(i..j, |k| complete[0][idx(i, k)] + incomplete[0][idx(k, j)]);
            complete[0][idx(i, j)] = best;
            complete_split[0][idx(i, j)] = arg;
            let (best, arg) = best_split(i + 1..j + 1, |k| incomplete[1][idx(i, k)] + complete[1][idx(k, j)]);
            complete[1][idx(i, j)] = best;
            complete_split[1][idx(i, j)] = arg;
        }
    }
    // The root's single dependent r heads everything: words 1..r to its left, r..n to its right.
    let (_, root_child) = best_split(1..n + 1, |r| complete[0][idx(1, r)] + complete[1][idx(r, n)] + s(0, r));
    let mut heads = vec![0usize; size];
    heads[root_child] = 0;
    let mut stack = vec![(false, 0usize, 1, root_child), (false, 1, root_child, n)];
    // (incomplete?, dir, i, j)
    while let Some((inc, dir, i, j)) = stack.pop() {
        if i == j {
            continue;
        }
        if inc {
            let k = incomplete_split[dir][idx(i, j)];
            if dir == 1 {
                heads[j] = i;
            } else {
                heads[i] = j;
            }
            stack.push((false, 1, i, k));
            stack.push((false, 0, k + 1, j));
        } else {
            let k = complete_split[dir][idx(i, j)];
            if dir == 0 {
                stack.push((false, 0, i, k));
                stack.push((true, 0, k, j));
            } else {
                stack.push((true, 1, i, k));
                stack.push((false, 1, k, j));
            }
        }
    }
    heads.remove(0);
    heads
}

/// The highest `score(k)` over a non-empty range and its `k` (the first on ties).
fn best_split(range: std::ops::Range<usize>, score: impl Fn(usize) -> f32) -> (f32, usize) {
    let start = range.start;
    range.fold((f32::NEG_INFINITY, start), |(best, arg), k| {
        let v = score(k);
        if v > best { (v, k) } else { (best, arg) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cmin_random::Rng;

    fn score_of(scores: &[f32], heads: &[usize]) -> f32 {
        let size = heads.len() + 1;
        heads.iter().enumerate().map(|(d, &h)| scores[h * size + d + 1]).sum()
    }

    fn is_projective_single_root_tree(heads: &[usize]) -> bool {
        let n = heads.len();
        if heads.iter().filter(|&&h| h == 0).count() != 1 || heads.iter().any(|&h| h > n) {
            return false;
        }
        for d in 1..=n {
            let (mut x, mut steps) = (d, 0);
            while x != 0 {
                x = heads[x - 1];
                steps += 1;
                if steps > n {
                    return false;
                }
            }
        }
        // Projective: no two arcs cross.
        let arcs: Vec<(usize, usize)> = heads.iter().enumerate().map(|(d, &h)| (h.min(d + 1), h.max(d + 1))).collect();
        !arcs.iter().any(|&(a, b)| arcs.iter().any(|&(c, e)| a < c && c < b && b < e))
    }

    fn all_trees(n: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        let mut heads = vec![0usize; n];
        loop {
            if is_projective_single_root_tree(&heads) {
                out.push(heads.clone());
            }
            let mut i = 0;
            loop {
                if i == n {
                    return out;
                }
                heads[i] += 1;
                if heads[i] <= n {
                    break;
                }
                heads[i] = 0;
                i += 1;
            }
        }
    }

    #[test]
    fn finds_the_best_projective_tree_by_brute_force() {
        let mut rng = Rng::new(7);
        for n in 1..=6 {
            let trees = all_trees(n);
            for _ in 0..20 {
                let scores: Vec<f32> = (0..(n + 1) * (n + 1)).map(|_| rng.below(1000) as f32 / 100.0).collect();
                let heads = decode(&scores, n);
                assert!(is_projective_single_root_tree(&heads), "{heads:?}");
                let best = trees.iter().map(|t| score_of(&scores, t)).fold(f32::NEG_INFINITY, f32::max);
                assert!((score_of(&scores, &heads) - best).abs() < 1e-3, "n={n} {heads:?}");
            }
        }
    }

    #[test]
    fn non_finite_scores_still_give_a_tree() {
        let n = 5;
        let mut scores = vec![f32::NAN; 36];
        scores[3] = f32::INFINITY;
        scores[7] = f32::NEG_INFINITY;
        assert!(is_projective_single_root_tree(&decode(&scores, n)));
    }
}
