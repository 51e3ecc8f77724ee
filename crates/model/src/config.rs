//! The one CMIN configuration type, with the presets of `cmin.md`.

use serde::{Deserialize, Serialize};

use crate::error::{CminError, Result};

/// How the gated clip and gated aggregate are fused before the interaction BiGRU (spec §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fusion {
    /// `[f' ; a']` (2d wide): what the released code computes.
    Concat,
    /// `P(ReLU(U f' * V a'))` (d wide): the paper's low-rank bilinear fusion.
    Bilinear,
    /// The paper's fusion with each projection standardised over its features first,
    /// `P(ReLU(norm(U f') * norm(V a')))`: the same weights, a product that starts at unit
    /// scale (BENCHMARKS.md, why bilinear fusion does not learn).
    BilinearNorm,
}

/// Every dimension and switch of the model. Serialized with trained weights, so a checkpoint
/// always carries the exact architecture that produced it. Fields missing from a serialized
/// config take their `reference_tacos` values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CminConfig {
    /// `n`: clips after resampling.
    pub num_clips: usize,
    /// Seconds of video per clip in training (the training videos' median duration over
    /// `num_clips`). A longer video is read as overlapping windows of `num_clips` clips at this
    /// scale ([`crate::windows`]); `None`: every video is resampled to `num_clips` whatever its
    /// length, as the reference does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_seconds: Option<f64>,
    /// `d_v`: clip feature width.
    pub frame_dim: usize,
    /// `d_w`: word vector width.
    pub word_dim: usize,
    /// `d`: model width (each BiGRU direction has `d / 2`).
    pub d_model: usize,
    /// Heads of the video self-attention (`frame_dim` must divide by it).
    pub num_heads: usize,
    /// Syntactic GCN layers (ignored when `use_gcn` is false).
    pub num_gcn_layers: usize,
    /// Self-attention layers (ignored when `use_self_attention` is false).
    pub num_attn_layers: usize,
    /// Each clip attends to this many neighbours on each side.
    pub attention_band: usize,
    /// Longest query; longer ones are truncated.
    pub max_words: usize,
    /// Anchor widths in clips (spec §5).
    pub anchor_widths: Vec<usize>,
    /// Stacked cross-modal interaction stages (reference: 1).
    pub num_stages: usize,
    /// Fusion of the gated features.
    pub fusion: Fusion,
    /// Ablation switch (paper Table 4): syntactic GCN on the query.
    pub use_gcn: bool,
    /// Ablation switch: multi-head self-attention on the video.
    pub use_self_attention: bool,
    /// Ablation switch: the cross gate.
    pub use_cross_gate: bool,
    /// Baseline switch: the query is the mean of its word vectors, projected to `d` (no word
    /// order, no syntax; the GCN and the query BiGRU are not built).
    pub bag_of_words: bool,
    /// Dropout probability during training (spec §7).
    pub dropout: f64,
}

impl Default for CminConfig {
    fn default() -> Self {
        Self::reference_tacos()
    }
}

impl CminConfig {
    /// Exactly the released code on TACoS.
    pub fn reference_tacos() -> Self {
        CminConfig {
            num_clips: 200,
            clip_seconds: None,
            frame_dim: 500,
            word_dim: 300,
            d_model: 512,
            num_heads: 4,
            num_gcn_layers: 2,
            num_attn_layers: 2,
            attention_band: 3,
            max_words: 20,
            anchor_widths: vec![6, 18, 32],
            num_stages: 1,
            fusion: Fusion::Concat,
            use_gcn: true,
            use_self_attention: true,
            use_cross_gate: true,
            bag_of_words: false,
            dropout: 0.2,
        }
    }

    /// Exactly the released code on ActivityNet Captions.
    pub fn reference_activitynet() -> Self {
        CminConfig { anchor_widths: vec![16, 32, 64, 96, 128, 160, 192], ..Self::reference_tacos() }
    }

    /// The paper's model: bilinear fusion and stacked interaction stages.
    pub fn paper(num_stages: usize) -> Self {
        CminConfig { num_stages, fusion: Fusion::Bilinear, ..Self::reference_activitynet() }
    }

    /// Config from a reference `*-meta.json` (its `args` and `anchors`).
    pub fn from_reference_meta(json: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Args {
            max_num_frames: usize,
            max_num_words: usize,
            d_model: usize,
            num_heads: usize,
            dropout: f64,
            word_dim: usize,
            frame_dim: usize,
            num_gcn_layers: usize,
            num_attn_layers: usize,
        }
        #[derive(Deserialize)]
        struct Meta {
            args: Args,
            anchors: Vec<[f64; 2]>,
        }
        let meta: Meta = serde_json::from_str(json).map_err(|e| CminError::malformed("reference meta", e))?;
        // The reference stores anchor templates as inclusive [start, end] around one centre.
        let anchor_widths = meta.anchors.iter().map(|[s, e]| (e - s + 1.0).round() as usize).collect();
        let a = meta.args;
        let config = CminConfig {
            num_clips: a.max_num_frames,
            frame_dim: a.frame_dim,
            word_dim: a.word_dim,
            d_model: a.d_model,
            num_heads: a.num_heads,
            num_gcn_layers: a.num_gcn_layers,
            num_attn_layers: a.num_attn_layers,
            max_words: a.max_num_words,
            anchor_widths,
            dropout: a.dropout,
            ..Self::reference_tacos()
        };
        config.validate()?;
        Ok(config)
    }

    /// Anchors per clip (`K`).
    pub fn num_anchors(&self) -> usize {
        self.anchor_widths.len()
    }

    /// Width of the interaction BiGRU's input.
    pub fn fusion_dim(&self) -> usize {
        match self.fusion {
            Fusion::Concat => 2 * self.d_model,
            Fusion::Bilinear | Fusion::BilinearNorm => self.d_model,
        }
    }

    /// Rejects configs that would build a broken model.
    pub fn validate(&self) -> Result<()> {
        let fail = |m: String| Err(CminError::Config(m));
        if self.num_clips < 2 {
            return fail(format!("num_clips must be at least 2, got {}", self.num_clips));
        }
        for (name, v) in [
            ("frame_dim", self.frame_dim),
            ("word_dim", self.word_dim),
            ("d_model", self.d_model),
            ("num_heads", self.num_heads),
            ("max_words", self.max_words),
            ("num_stages", self.num_stages),
        ] {
            if v == 0 {
                return fail(format!("{name} must be positive"));
            }
        }
        // Upper bounds well above every dataset's sizes, so a config from an untrusted file or
        // page is refused before it sizes an allocation (in wasm a failed one kills the module).
        for (name, v, max) in [
            ("num_clips", self.num_clips, 2048),
            ("frame_dim", self.frame_dim, 8192),
            ("word_dim", self.word_dim, 2048),
            ("d_model", self.d_model, 2048),
            ("num_heads", self.num_heads, 64),
            ("max_words", self.max_words, 512),
            ("num_stages", self.num_stages, 16),
            ("anchor_widths (entries)", self.anchor_widths.len(), 64),
        ] {
            if v > max {
                return fail(format!("{name} is {v}, above the limit of {max}"));
            }
        }
        for (name, v, max) in [
            ("num_gcn_layers", self.num_gcn_layers, 16),
            ("num_attn_layers", self.num_attn_layers, 16),
            ("attention_band", self.attention_band, self.num_clips),
        ] {
            if v > max {
                return fail(format!("{name} is {v}, above the limit of {max}"));
            }
        }
        if let Some(w) = self.anchor_widths.iter().find(|&&w| w > self.num_clips) {
            return fail(format!("anchor width {w} is above num_clips {}", self.num_clips));
        }
        let cost = self.cost();
        for (name, v, max) in [
            ("parameters", cost.parameters, MAX_PARAMETERS),
            ("bytes for one video's encoding", cost.encoding_bytes, MAX_ENCODING_BYTES),
            ("bytes for one query", cost.query_bytes, MAX_QUERY_BYTES),
        ] {
            if v > max {
                return fail(format!("the config needs about {v} {name}, above the limit of {max}"));
            }
        }
        if self.d_model % 2 != 0 {
            return fail(format!("d_model must be even (two GRU directions), got {}", self.d_model));
        }
        if self.frame_dim % self.num_heads != 0 {
            return fail(format!("frame_dim {} must be divisible by num_heads {}", self.frame_dim, self.num_heads));
        }
        if self.anchor_widths.is_empty() || self.anchor_widths.contains(&0) {
            return fail("anchor_widths must be a non-empty list of positive widths".into());
        }
        if self.anchor_widths.iter().all(|&w| w > self.num_clips) {
            return fail(format!(
                "every anchor width exceeds num_clips {}: no proposal would be legal",
                self.num_clips
            ));
        }
        if let Some(s) = self.clip_seconds.filter(|s| !(s.is_finite() && *s > 0.0 && *s <= 3600.0)) {
            return fail(format!("clip_seconds must be a positive number of seconds (at most 3600), got {s}"));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return fail(format!("dropout must be in [0, 1), got {}", self.dropout));
        }
        Ok(())
    }
}

/// Budgets a config must fit before anything is allocated for it: about 12 times the
/// reference TACoS model's parameters, and room for every dataset's videos and queries.
pub const MAX_PARAMETERS: u64 = 200_000_000;
pub const MAX_ENCODING_BYTES: u64 = 1 << 30;
pub const MAX_QUERY_BYTES: u64 = 1 << 30;

/// What a config costs, as upper estimates from its sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cost {
    pub parameters: u64,
    /// f32 bytes of the largest intermediates of one video's encoding.
    pub encoding_bytes: u64,
    /// f32 bytes of the largest intermediates of one query on an encoded video.
    pub query_bytes: u64,
}

impl CminConfig {
    /// Upper estimates of the parameters and of the memory one encoding and one query take,
    /// computed from the sizes alone (saturating, so a hostile config cannot overflow them).
    pub fn cost(&self) -> Cost {
        let u = |v: usize| v as u64;
        let (n, d, m) = (u(self.num_clips), u(self.d_model), u(self.max_words));
        let (heads, anchors) = (u(self.num_heads), u(self.anchor_widths.len()));
        let sq = |v: u64| v.saturating_mul(v);
        // Projections and GRUs of both encoders, each attention and GCN layer, each stage's
        // interaction, the head.
        let parameters =
            u(self.frame_dim)
                .saturating_mul(d)
                .saturating_add(u(self.word_dim).saturating_mul(d).saturating_mul(3))
                .saturating_add(sq(d).saturating_mul(
                    4 * u(self.num_attn_layers) + 4 * u(self.num_gcn_layers) + 12 * u(self.num_stages) + 8,
                ))
                .saturating_add(d.saturating_mul(anchors).saturating_mul(3));
        // Attention logits per head over the clips, beside a few [clips, d] activations.
        let encoding = heads.saturating_mul(sq(n)).saturating_add(n.saturating_mul(d).saturating_mul(16));
        // The GCN's messages ([3, words, words, d]), clip-by-word attention, and the
        // interaction's [clips, d] activations per stage.
        let query = sq(m)
            .saturating_mul(d)
            .saturating_mul(3)
            .saturating_add(n.saturating_mul(m).saturating_mul(heads.max(1)))
            .saturating_add(n.saturating_mul(d).saturating_mul(16).saturating_mul(u(self.num_stages)));
        Cost { parameters, encoding_bytes: encoding.saturating_mul(4), query_bytes: query.saturating_mul(4) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Configs from a hostile file: each is refused with a message naming its limit, before
    /// anything is allocated.
    #[test]
    fn hostile_configs_are_refused_by_name() {
        let base = CminConfig::reference_tacos();
        let with = |f: &dyn Fn(&mut CminConfig)| {
            let mut c = base.clone();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert!(with(&|c| c.num_attn_layers = 1 << 31).contains("num_attn_layers"));
        assert!(with(&|c| c.num_gcn_layers = 1 << 31).contains("num_gcn_layers"));
        assert!(with(&|c| c.attention_band = 1 << 40).contains("attention_band"));
        assert!(with(&|c| c.anchor_widths = vec![6, 100_000]).contains("anchor width"));
        // Within every per-field limit, but a gigabyte of attention logits per video.
        let e = with(&|c| {
            c.num_clips = 2048;
            c.num_heads = 64;
            c.frame_dim = 4096;
        });
        assert!(e.contains("bytes for one video's encoding"), "{e}");
        let e = with(&|c| {
            c.max_words = 512;
            c.d_model = 2048;
        });
        assert!(e.contains("above the limit"), "{e}");
        // The shipped and reference models sit far inside the budgets.
        for c in [CminConfig::reference_tacos(), CminConfig::reference_activitynet()] {
            let cost = c.cost();
            assert!(cost.parameters * 10 < MAX_PARAMETERS, "{cost:?}");
            assert!(
                cost.encoding_bytes * 100 < MAX_ENCODING_BYTES && cost.query_bytes * 10 < MAX_QUERY_BYTES,
                "{cost:?}"
            );
        }
    }

    #[test]
    fn presets_are_valid() {
        for c in [CminConfig::reference_tacos(), CminConfig::reference_activitynet(), CminConfig::paper(3)] {
            c.validate().unwrap();
        }
        assert_eq!(CminConfig::paper(3).fusion_dim(), 512);
        assert_eq!(CminConfig::reference_tacos().fusion_dim(), 1024);
    }

    #[test]
    fn invalid_configs_are_rejected_with_reason() {
        let odd = CminConfig { d_model: 63, ..CminConfig::reference_tacos() };
        assert!(odd.validate().unwrap_err().to_string().contains("even"));
        let heads = CminConfig { num_heads: 7, ..CminConfig::reference_tacos() };
        assert!(heads.validate().unwrap_err().to_string().contains("divisible"));
        let huge = CminConfig { d_model: 1 << 20, ..CminConfig::reference_tacos() };
        assert_eq!(
            huge.validate().unwrap_err().to_string(),
            "invalid config: d_model is 1048576, above the limit of 2048"
        );
        let anchors = CminConfig { anchor_widths: vec![1; 65], ..CminConfig::reference_tacos() };
        assert!(anchors.validate().unwrap_err().to_string().contains("anchor_widths (entries) is 65"));
    }

    #[test]
    fn partial_configs_default_to_reference_tacos_and_typos_are_rejected() {
        let c: CminConfig = serde_json::from_str(r#"{"num_clips": 64, "fusion": "bilinear"}"#).unwrap();
        assert_eq!(c, CminConfig { num_clips: 64, fusion: Fusion::Bilinear, ..CminConfig::reference_tacos() });
        assert!(serde_json::from_str::<CminConfig>(r#"{"num_clip": 64}"#).is_err());
    }

    #[test]
    fn meta_anchor_templates_become_widths() {
        let json = r#"{"args":{"max_num_frames":64,"max_num_words":20,"d_model":64,"num_heads":4,
            "dropout":0.2,"word_dim":48,"frame_dim":64,"num_gcn_layers":2,"num_attn_layers":2},
            "anchors":[[5.0,10.0],[-1.0,16.0],[-8.0,23.0]]}"#;
        let c = CminConfig::from_reference_meta(json).unwrap();
        assert_eq!(c.anchor_widths, vec![6, 18, 32]);
        assert_eq!(c.num_clips, 64);
    }
}
