//! Training targets and losses (spec §6).

use burn::tensor::activation::log_sigmoid;
use burn::tensor::{Device, Int, Tensor, TensorData};

use cmin_model::anchors::Anchors;
use cmin_model::model::CminOutput;

/// Labels below this fraction of the best IoU are zeroed.
const LABEL_FLOOR: f32 = 0.3;
/// PyTorch's BCE clamps each log term here.
const LOG_CLAMP: f32 = -100.0;
/// Weight of the regression loss in the total.
pub const REGRESSION_WEIGHT: f32 = 0.001;

/// Temporal IoU on the clip grid with the reference's inclusive formula, clipped at 0.
pub fn iou_inclusive(a: (f32, f32), b: (f32, f32)) -> f32 {
    let inter = a.1.min(b.1) - a.0.max(b.0) + 1.0;
    let union = a.1.max(b.1) - a.0.min(b.0) + 1.0;
    (inter / union).max(0.0)
}

/// Soft IoU labels of every proposal against the ground truth `(start, end)` in grid units:
/// illegal proposals 0, values under 0.3 x max zeroed, then divided by the max.
pub fn soft_labels(anchors: &Anchors, gt: (f32, f32)) -> Vec<f32> {
    let mut labels: Vec<f32> = (0..anchors.len())
        .map(|i| if anchors.is_legal(i) { iou_inclusive(anchors.proposal(i), gt) } else { 0.0 })
        .collect();
    let max = labels.iter().cloned().fold(0.0f32, f32::max);
    if max > 0.0 {
        for l in &mut labels {
            *l = if *l < LABEL_FLOOR * max { 0.0 } else { *l / max };
        }
    }
    labels
}

/// Index of the first maximum (NumPy/PyTorch `argmax` tie rule).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Which proposal the regression loss refines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegressionTarget {
    /// The best soft label (training).
    Label,
    /// The best legal predicted score (evaluation).
    Prediction,
}

/// Per-batch targets on the device.
#[derive(Clone, Debug)]
pub struct Targets {
    /// `[batch, n*K]` soft labels.
    pub labels: Tensor<2>,
    /// `[batch, 2]` ground truth (start, end) in grid units.
    pub gt: Tensor<2>,
    /// Argmax of each row of the labels.
    pub label_argmax: Vec<usize>,
    /// `[batch, 1]`: 1 where a row has an answer to regress to, 0 where it has none; `None`
    /// when every row has one (the reference's loss exactly).
    regressed: Option<Tensor<2>>,
    /// `[1, n*K]` legal mask and `[n*K, 2]` proposal bounds.
    legal: Tensor<2>,
    proposals: Tensor<2>,
}

impl Targets {
    /// Builds targets from host labels (`[batch, n*K]`, e.g. from [`soft_labels`]) and ground truth.
    pub fn new(anchors: &Anchors, labels: Vec<f32>, gt: &[(f32, f32)], device: &Device) -> Self {
        let (batch, len) = (gt.len(), anchors.len());
        assert_eq!(labels.len(), batch * len, "labels are [batch, n*K]");
        let label_argmax = labels.chunks(len).map(argmax).collect();
        let proposals: Vec<f32> = (0..len).flat_map(|i| <[f32; 2]>::from(anchors.proposal(i))).collect();
        let gt_flat: Vec<f32> = gt.iter().flat_map(|&(s, e)| [s, e]).collect();
        Targets {
            labels: Tensor::from_data(TensorData::new(labels, [batch, len]), device),
            gt: Tensor::from_data(TensorData::new(gt_flat, [batch, 2]), device),
            label_argmax,
            regressed: None,
            legal: Tensor::from_data(TensorData::new(anchors.legal_mask(), [1, len]), device),
            proposals: Tensor::from_data(TensorData::new(proposals, [len, 2]), device),
        }
    }

    /// Soft labels computed from grid ground truth.
    pub fn from_ground_truth(anchors: &Anchors, gt: &[(f32, f32)], device: &Device) -> Self {
        let labels = gt.iter().flat_map(|&g| soft_labels(anchors, g)).collect();
        Self::new(anchors, labels, gt, device)
    }

    /// Soft labels where a row has an answer; all-zero labels and no regression where it has
    /// none.
    pub fn from_answers(anchors: &Anchors, answers: &[Option<(f32, f32)>], device: &Device) -> Self {
        if let Some(gt) = answers.iter().copied().collect::<Option<Vec<_>>>() {
            return Self::from_ground_truth(anchors, &gt, device);
        }
        let labels =
            answers.iter().flat_map(|a| a.map_or_else(|| vec![0.0; anchors.len()], |g| soft_labels(anchors, g)));
        let gt: Vec<(f32, f32)> = answers.iter().map(|a| a.unwrap_or((0.0, 0.0))).collect();
        let mask: Vec<f32> = answers.iter().map(|a| a.is_some() as u8 as f32).collect();
        let mut targets = Self::new(anchors, labels.collect(), &gt, device);
        targets.regressed = Some(Tensor::from_data(TensorData::new(mask, [answers.len(), 1]), device));
        targets
    }
}

/// The three loss values (each `[1]`).
#[derive(Clone, Debug)]
pub struct Losses {
    pub total: Tensor<1>,
    pub alignment: Tensor<1>,
    pub regression: Tensor<1>,
}

/// Alignment (BCE of legal-masked scores against soft labels, mean over all `batch x n x K`)
/// plus `0.001 x` Smooth-L1 regression of the chosen proposal's refined bounds.
pub fn cmin_loss(output: &CminOutput, targets: &Targets, regression: RegressionTarget) -> Losses {
    let [batch, clips, k] = output.scores().dims();
    let device = output.proposals.device();
    let alignment = alignment_loss(output.score_logits().reshape([batch, clips * k]), targets);
    let index: Tensor<1, Int> = match regression {
        RegressionTarget::Label => Tensor::from_data(
            TensorData::new(targets.label_argmax.iter().map(|&i| i as i64).collect(), [batch]),
            &device,
        ),
        RegressionTarget::Prediction => {
            (output.scores().reshape([batch, clips * k]) * targets.legal.clone()).argmax(1).reshape([batch])
        }
    };
    let regression = regression_loss(output.offsets(), index, targets);
    Losses { total: alignment.clone() + regression.clone() * REGRESSION_WEIGHT, alignment, regression }
}

/// BCE from logits: `log p = log_sigmoid(x)`, `log(1-p) = log_sigmoid(-x)`, each clamped at
/// -100 like PyTorch. An illegal proposal's score is 0, so it costs `100 * label` (its label
/// is 0 in practice). Working from logits keeps gradients finite where `p` saturates.
fn alignment_loss(logits: Tensor<2>, targets: &Targets) -> Tensor<1> {
    let y = targets.labels.clone();
    let legal = targets.legal.clone();
    let log_p = log_sigmoid(logits.clone()).clamp_min(LOG_CLAMP);
    let log_not_p = log_sigmoid(logits.neg()).clamp_min(LOG_CLAMP);
    let legal_term = (y.clone() * log_p + (y.clone().neg() + 1.0) * log_not_p).neg();
    let illegal_term = y * (-LOG_CLAMP);
    (legal_term * legal.clone() + illegal_term * (legal.neg() + 1.0)).mean()
}

/// Smooth-L1 (beta 1) between `proposal[i] + offset[i]` and the ground truth, mean over
/// `batch x 2`.
fn regression_loss(offsets: Tensor<3>, index: Tensor<1, Int>, targets: &Targets) -> Tensor<1> {
    let [batch, clips, two_k] = offsets.dims();
    let pairs = offsets.reshape([batch, clips * two_k / 2, 2]);
    let gather_index = index.clone().reshape([batch, 1, 1]).expand([batch, 1, 2]);
    let offset = pairs.gather(1, gather_index).reshape([batch, 2]);
    let refined = targets.proposals.clone().select(0, index) + offset;
    let diff = (refined - targets.gt.clone()).abs();
    // 0.5 d^2 below 1, d - 0.5 above: written branch-free.
    let loss = diff.clone().clamp_max(1.0).square() * 0.5 + (diff - 1.0).clamp_min(0.0);
    match &targets.regressed {
        None => loss.mean(),
        // The mean over the rows with an answer (none: zero).
        Some(mask) => {
            let count = mask.clone().sum().clamp_min(1.0) * 2.0;
            (loss * mask.clone()).sum() / count
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_inclusive_formula() {
        assert_eq!(iou_inclusive((0.0, 9.0), (0.0, 9.0)), 1.0);
        // (min(e) - max(s) + 1) / (max(e) - min(s) + 1) = (5 - 3 + 1) / (9 - 0 + 1)
        assert_eq!(iou_inclusive((0.0, 5.0), (3.0, 9.0)), 0.3);
        // Adjacent clips overlap by 0 on the inclusive grid: (4 - 5 + 1) / 10.
        assert_eq!(iou_inclusive((0.0, 4.0), (5.0, 9.0)), 0.0);
        assert_eq!(iou_inclusive((0.0, 1.0), (5.0, 9.0)), 0.0);
        assert!((iou_inclusive((53.5, 58.5), (54.0, 59.0)) - 5.5 / 6.5).abs() < 1e-6);
    }

    #[test]
    fn soft_labels_floor_and_normalise() {
        let a = Anchors::new(64, &[6, 18, 32]);
        let l = soft_labels(&a, (54.0, 59.0));
        assert_eq!(l.iter().cloned().fold(0.0, f32::max), 1.0);
        assert!(l.iter().all(|&v| v == 0.0 || v >= 0.3));
        assert!((0..a.len()).all(|i| a.is_legal(i) || l[i] == 0.0));
        assert_eq!(argmax(&l), 56 * 3);
    }

    #[test]
    fn argmax_takes_the_first_maximum() {
        assert_eq!(argmax(&[0.0, 1.0, 1.0, 0.5]), 1);
        assert_eq!(argmax(&[2.0]), 0);
    }
}
