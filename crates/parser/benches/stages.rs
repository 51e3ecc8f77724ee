use cmin_parser::Model;
use std::time::Instant;
fn main() {
    let bytes =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/assets/parser-en-ewt.safetensors")).unwrap();
    let m = Model::from_bytes(&bytes).unwrap();
    let q = "the person takes a knife out of the drawer and cuts bread";
    let forms: Vec<String> = q.split(' ').map(String::from).collect();
    let n = 20000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(cmin_parser::tokenize(q));
    }
    println!("tokenize {:.1} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(m.clusters.atoms(&forms));
    }
    println!("atoms {:.1} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let atoms = m.clusters.atoms(&forms);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(m.tagger.tag(&atoms, &forms));
    }
    println!("tag {:.1} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    let tags = m.tagger.tag(&atoms, &forms);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(m.parse_tagged(&atoms, &tags));
    }
    println!("transition parser {:.1} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
    if let Some(nn) = &m.neural {
        let time = |name: &str, f: &dyn Fn()| {
            let n = 2000;
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            println!("{name} {:.1} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
        };
        let ids = nn.lexicon.token_ids(&m.clusters, &forms, &tags);
        // The first parse derives the merged and precomputed products; keep that out of the timings.
        let started = Instant::now();
        std::hint::black_box(nn.scores(&ids));
        println!("neural: first parse (derives the merged products) {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
        time("neural: ids", &|| {
            std::hint::black_box(nn.lexicon.token_ids(&m.clusters, &forms, &tags));
        });
        time("neural: BiGRU + arc scores", &|| {
            std::hint::black_box(nn.scores(&ids));
        });
        let gru = &nn.rnn[nn.rnn.len() - 1][0];
        let state = vec![0.1f32; gru.hidden.d_in];
        time("neural: one recurrent product (x 4 per word)", &|| {
            std::hint::black_box(gru.hidden.forward(&state));
        });
        let one_row = gru.hidden.for_one_row();
        time("neural: the same in its one-row form (as the parser runs it)", &|| {
            std::hint::black_box(one_row.forward(&state));
        });
        let x = vec![0.1f32; gru.input.d_in * ids.len()];
        time("neural: last layer's input product, one direction", &|| {
            std::hint::black_box(gru.input.forward(&x));
        });
        let (arcs, _, _) = nn.scores(&ids);
        time("neural: Eisner", &|| {
            std::hint::black_box(cmin_parser::eisner::decode(&arcs, forms.len()));
        });
        time("neural: whole parse (scores, Eisner, labels)", &|| {
            std::hint::black_box(nn.parse(&ids));
        });
    }
    println!(
        "tagger rows {} entries {}; parser rows {} entries {}",
        m.tagger.weights.keys.len(),
        m.tagger.weights.num_entries(),
        m.parser.weights.keys.len(),
        m.parser.weights.num_entries()
    );
}
