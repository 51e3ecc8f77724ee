//! A trained network as the parser crate's plain-Rust [`NeuralParser`].

use burn::tensor::Tensor;

use cmin_parser::neural::{Dense, GruDirection, NeuralParser, Table};
use cmin_parser::neural_inputs::Lexicon;

use super::network::BiaffineNetwork;
use cmin_model::model::gru::BiGru;
use cmin_model::model::layers::Linear;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().unwrap_or_default()
}

fn dense(l: &Linear) -> Dense {
    let [d_out, d_in] = l.weight.dims();
    Dense::new(d_in, d_out, &values(l.weight.val()), &l.bias.as_ref().map_or(vec![0.0; d_out], |b| values(b.val())))
}

fn table(t: &burn::module::Param<Tensor<2>>) -> Table {
    Table { dim: t.dims()[1], values: values(t.val()) }
}

fn gru(g: &BiGru) -> [GruDirection; 2] {
    let w = &g.gru;
    let part = |weight: &burn::module::Param<Tensor<2>>, bias: &burn::module::Param<Tensor<1>>| {
        let [d_out, d_in] = weight.dims();
        Dense::new(d_in, d_out, &values(weight.val()), &values(bias.val()))
    };
    [
        GruDirection { input: part(&w.weight_ih_l0, &w.bias_ih_l0), hidden: part(&w.weight_hh_l0, &w.bias_hh_l0) },
        GruDirection {
            input: part(&w.weight_ih_l0_reverse, &w.bias_ih_l0_reverse),
            hidden: part(&w.weight_hh_l0_reverse, &w.bias_hh_l0_reverse),
        },
    ]
}

pub fn to_neural_parser(net: &BiaffineNetwork, lexicon: &Lexicon, labels: &[String]) -> NeuralParser {
    let a = net.arc_bilinear.dims()[0];
    NeuralParser {
        lexicon: lexicon.clone(),
        labels: labels.to_vec(),
        words: table(&net.words),
        clusters: table(&net.clusters),
        tags: table(&net.tags),
        suffixes: table(&net.suffixes),
        rnn: net.rnn.iter().map(gru).collect(),
        arc_dep: dense(&net.arc_dep),
        arc_head: dense(&net.arc_head),
        label_dep: dense(&net.label_dep),
        label_head: dense(&net.label_head),
        // Dense computes W x; the network computes dep · U, so W = U^T.
        arc_bilinear_t: Dense::new(a, a, &values(net.arc_bilinear.val().transpose()), &vec![0.0; a]),
        arc_head_bias: values(net.arc_head_bias.val()),
        label_out: dense(&net.label_out),
        prepared: Default::default(),
    }
}
