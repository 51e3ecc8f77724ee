//! CMIN (Zhang et al., SIGIR 2019), laid out like the paper's Figure 2: query encoder, video
//! encoder, cross-modal interaction, moment retrieval head. Backend-agnostic: every tensor
//! lives on the `Device` the model was built on.

pub mod batch;
pub mod gru;
pub mod head;
pub mod interaction;
pub mod layers;
pub mod query_encoder;
pub mod video_encoder;

use burn::module::Module;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor};

pub use batch::QueryBatch;
use head::{MomentHead, MomentHeadConfig};
pub use interaction::{InteractionStage, StageOutput, StageVideo};
use query_encoder::QueryEncoder;
use video_encoder::VideoEncoder;

use crate::config::CminConfig;

/// The whole model. Field names follow the reference state dict (see `weights.rs` for the
/// two renames: `stages.0.*` and `head.*` are top-level there).
#[derive(Module, Debug)]
pub struct Cmin {
    pub sentence_encoder: QueryEncoder,
    pub video_encoder: VideoEncoder,
    pub stages: Vec<InteractionStage>,
    pub head: MomentHead,
    #[module(skip)]
    pub config: CminConfig,
}

/// Everything one forward pass computes, batch first.
#[derive(Clone, Debug)]
pub struct CminOutput {
    /// `[batch, clips, d]`
    pub video_encoded: Tensor<3>,
    /// `[batch, words, d]`
    pub query_encoded: Tensor<3>,
    /// One entry per interaction stage; the last feeds the head.
    pub stages: Vec<StageOutput>,
    /// `[batch, clips, 3K]`: the head's output, per clip the K score logits then the (start,
    /// end) offsets of each anchor.
    pub proposals: Tensor<3>,
}

impl CminOutput {
    fn anchors(&self) -> usize {
        self.proposals.dims()[2] / 3
    }

    /// `[batch, clips, K]`: the scores before the sigmoid (for a stable loss).
    pub fn score_logits(&self) -> Tensor<3> {
        self.proposals.clone().narrow(2, 0, self.anchors())
    }

    /// `[batch, clips, K]`, in (0, 1).
    pub fn scores(&self) -> Tensor<3> {
        sigmoid(self.score_logits())
    }

    /// `[batch, clips, 2K]`: (start, end) offsets per anchor.
    pub fn offsets(&self) -> Tensor<3> {
        let k = self.anchors();
        self.proposals.clone().narrow(2, k, 2 * k)
    }

    pub fn last_stage(&self) -> &StageOutput {
        self.stages.last().expect("a model has at least one stage")
    }
}

impl CminConfig {
    /// A randomly initialised model (PyTorch's default initialisers). Call
    /// [`CminConfig::validate`] first; the weight loader does.
    pub fn init(&self, device: &Device) -> Cmin {
        Cmin {
            sentence_encoder: QueryEncoder::init(self, device),
            video_encoder: VideoEncoder::init(self, device),
            stages: (0..self.num_stages).map(|_| InteractionStage::init(self, device)).collect(),
            head: MomentHeadConfig::new(self.d_model, self.num_anchors()).init(device),
            config: self.clone(),
        }
    }
}

impl Cmin {
    pub fn config(&self) -> &CminConfig {
        &self.config
    }

    /// Lays every layer's weights out once for the forward pass (the BiGRUs' directions side
    /// by side and transposed, the GCN's blocks stacked with their relation-bias tables, the
    /// head's two convolutions as one product), for a model that serves queries and no longer
    /// changes. A model being trained lays them out in each forward instead, where the
    /// gradients reach the parameters through them.
    pub fn prepare_for_inference(&mut self) {
        self.sentence_encoder.prepare_for_inference();
        self.video_encoder.rnn.prepare_for_inference();
        self.stages.iter_mut().for_each(|stage| stage.rnn.prepare_for_inference());
        self.head.prepare_for_inference();
    }

    /// The query-independent part: encode once, localize many queries against it. Holds the
    /// video encoder's output and what the first interaction stage derives from it alone.
    ///
    /// # Shapes
    /// - frames: `[batch, clips, frame_dim]` (already resampled to `num_clips`)
    /// - output: every tensor `[batch, clips, d]`
    pub fn encode_video(&self, frames: Tensor<3>) -> StageVideo {
        let encoded = self.video_encoder.forward(frames);
        self.stages.first().expect("a model has at least one stage").prepare(encoded)
    }

    /// Everything after [`Self::encode_video`]; the video must have the query batch's size
    /// (see [`StageVideo::expand`]).
    pub fn forward_encoded(&self, video: &StageVideo, query: &QueryBatch) -> CminOutput {
        let query_encoded = self.sentence_encoder.forward(query);
        self.interact(video, query_encoded, query.word_logit_mask.clone())
    }

    /// [`Self::forward_encoded`] for a batch of one query against every row of `video` (the
    /// windows of a long video, the videos of a library): the query is encoded once.
    pub fn forward_encoded_one_query(&self, video: &StageVideo, query: &QueryBatch) -> CminOutput {
        let rows = video.batch();
        let query_encoded = self.sentence_encoder.forward(query).repeat_dim(0, rows);
        self.interact(video, query_encoded, query.word_logit_mask.clone().repeat_dim(0, rows))
    }

    /// The interaction stages and the moment head on an encoded query.
    fn interact(&self, video: &StageVideo, query_encoded: Tensor<3>, word_logit_mask: Tensor<3>) -> CminOutput {
        let mut stages: Vec<StageOutput> = Vec::with_capacity(self.stages.len());
        for stage in &self.stages {
            let later_stage_video;
            let input = match stages.last() {
                None => video,
                Some(previous) => {
                    later_stage_video = stage.prepare(previous.fused.clone());
                    &later_stage_video
                }
            };
            stages.push(stage.forward(input, query_encoded.clone(), word_logit_mask.clone()));
        }
        let proposals = self.head.forward(stages.last().expect("at least one stage").fused.clone());
        CminOutput { video_encoded: video.video.clone(), query_encoded, stages, proposals }
    }

    /// The full forward pass.
    pub fn forward(&self, frames: Tensor<3>, query: &QueryBatch) -> CminOutput {
        self.forward_encoded(&self.encode_video(frames), query)
    }
}
