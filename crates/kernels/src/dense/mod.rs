//! Dense layers `y = W x + b` on the CPU (the query parser's neural scorer): weights packed in
//! blocks of outputs (f32, int8 with a scale per output, or half floats); the loops over them
//! are in `loops`.

mod loops;

#[cfg(target_arch = "x86_64")]
use crate::has_avx2_fma;

pub use loops::dot;
use loops::*;

/// `y = W x + b`. The weights are kept transposed in blocks of outputs, `[out / BLOCK][in]
/// [BLOCK]` (the last block zero-padded), so that the kernels broadcast one input against a
/// run of outputs: no horizontal sums, and enough independent accumulators to keep the
/// multiply-add units busy even for the one-row products of the recurrences.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub d_in: usize,
    pub d_out: usize,
    packed: Packed,
    /// Per output, padded like a block row: `y = bias + scale * (q x)`.
    scale: Vec<f32>,
    bias: Vec<f32>,
}

/// Weights as trained, or as the model file stores them: int8 with a scale per output. The
/// int8 form is the same function (`q * scale` is what the file means) in a quarter of the
/// memory.
#[derive(Clone, Debug, PartialEq)]
enum Packed {
    F32(Vec<f32>),
    I8(Vec<i8>),
    /// The int8 values as IEEE half floats (exact: they are integers below 2^11), for the
    /// one-row products of the recurrences on x86-64 with F16C: one conversion instruction per
    /// eight weights where int8 takes two, at half the memory traffic of f32.
    #[cfg(target_arch = "x86_64")]
    F16(Vec<u16>),
}

/// `[out][in]` values into the blocked layout.
fn pack<W: Copy + Default>(d_in: usize, d_out: usize, weight: &[W]) -> Vec<W> {
    let stride = d_out.div_ceil(BLOCK) * BLOCK;
    let mut packed = vec![W::default(); d_in * stride];
    for o in 0..d_out {
        for i in 0..d_in {
            packed[(o / BLOCK * d_in + i) * BLOCK + o % BLOCK] = weight[o * d_in + i];
        }
    }
    packed
}

fn unpack<W: Copy + Default>(d_in: usize, d_out: usize, packed: &[W]) -> Vec<W> {
    let mut w = vec![W::default(); d_out * d_in];
    for o in 0..d_out {
        for i in 0..d_in {
            w[o * d_in + i] = packed[(o / BLOCK * d_in + i) * BLOCK + o % BLOCK];
        }
    }
    w
}

fn padded(d_out: usize, values: &[f32]) -> Vec<f32> {
    let mut v = vec![0f32; d_out.div_ceil(BLOCK) * BLOCK];
    v[..d_out].copy_from_slice(&values[..d_out]);
    v
}

impl Dense {
    /// From `weight` stored `[out][in]` (PyTorch's layout) and `bias`.
    pub fn new(d_in: usize, d_out: usize, weight: &[f32], bias: &[f32]) -> Dense {
        Dense {
            d_in,
            d_out,
            packed: Packed::F32(pack(d_in, d_out, weight)),
            scale: padded(d_out, &vec![1.0; d_out]),
            bias: padded(d_out, bias),
        }
    }

    /// From int8 rows `q` (`[out][in]`) that mean `q * scale[out]`, the model file's form.
    pub fn quantized(d_in: usize, d_out: usize, q: &[i8], scale: &[f32], bias: &[f32]) -> Dense {
        Dense {
            d_in,
            d_out,
            packed: Packed::I8(pack(d_in, d_out, q)),
            scale: padded(d_out, scale),
            bias: padded(d_out, bias),
        }
    }

    /// The weights `[out][in]`, as values.
    pub fn weight(&self) -> Vec<f32> {
        match (&self.packed, self.int8()) {
            (Packed::F32(p), _) => unpack(self.d_in, self.d_out, p),
            (_, Some((q, scale))) => {
                q.iter().enumerate().map(|(k, &v)| v as f32 * scale[k / self.d_in.max(1)]).collect()
            }
            (_, None) => unreachable!("only f32 weights have no int8 form"),
        }
    }

    /// The int8 rows and their scales, where the weights are held that way.
    pub fn int8(&self) -> Option<(Vec<i8>, &[f32])> {
        let q = match &self.packed {
            Packed::F32(_) => return None,
            Packed::I8(p) => unpack(self.d_in, self.d_out, p),
            #[cfg(target_arch = "x86_64")]
            Packed::F16(p) => unpack(self.d_in, self.d_out, p).into_iter().map(|h| half_to_int(h) as i8).collect(),
        };
        Some((q, &self.scale[..self.d_out]))
    }

    /// The form fastest for one row at a time (the recurrences): int8 weights as half floats
    /// where the CPU converts those in one instruction.
    pub fn for_one_row(&self) -> Dense {
        #[cfg(target_arch = "x86_64")]
        if let Packed::I8(p) = &self.packed
            && has_avx2_fma()
            && std::arch::is_x86_feature_detected!("f16c")
        {
            let halves = p.iter().map(|&q| int_to_half(q)).collect();
            return Dense { packed: Packed::F16(halves), ..self.clone() };
        }
        self.clone()
    }

    pub fn bias(&self) -> &[f32] {
        &self.bias[..self.d_out]
    }

    /// `x`: `n` rows of `d_in`; returns `n` rows of `d_out`.
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        let mut y = vec![0f32; x.len() / self.d_in.max(1) * self.d_out];
        self.forward_into(x, &mut y);
        y
    }

    /// [`Dense::forward`] into a buffer of `rows * d_out`.
    pub fn forward_into(&self, x: &[f32], y: &mut [f32]) {
        let layer = &Layer { d_in: self.d_in, d_out: self.d_out, scale: &self.scale, bias: &self.bias };
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            // (F16 weights exist only where F16C was found too.)
            return unsafe {
                match &self.packed {
                    Packed::F32(p) => dense_rows_avx2_fma(layer, p, x, y),
                    Packed::I8(p) => dense_rows_avx2_fma(layer, p, x, y),
                    Packed::F16(p) => rows_f16(layer, p, x, y),
                }
            };
        }
        match &self.packed {
            Packed::F32(p) => dense_rows::<f32, false>(layer, p, x, y),
            Packed::I8(p) => dense_rows::<i8, false>(layer, p, x, y),
            #[cfg(target_arch = "x86_64")]
            Packed::F16(_) => unreachable!("half-float weights are made only where AVX2 and F16C are"),
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    #[test]
    fn int8_values_survive_half_floats() {
        assert_eq!(int_to_half(1), 0x3c00);
        assert_eq!(int_to_half(-2), 0xc000);
        assert_eq!(int_to_half(127), 0x57f0);
        for q in i8::MIN + 1..=i8::MAX {
            assert_eq!(half_to_int(int_to_half(q)), q as i32, "{q}");
        }
    }

    #[test]
    fn every_weight_form_computes_the_same_product() {
        let (d_in, d_out) = (37, 21);
        let q: Vec<i8> = (0..d_in * d_out).map(|k| ((k * 37 % 255) as i32 - 127) as i8).collect();
        let scale: Vec<f32> = (0..d_out).map(|o| 0.01 + o as f32 * 1e-3).collect();
        let bias: Vec<f32> = (0..d_out).map(|o| o as f32 * 0.1 - 1.0).collect();
        let quantized = Dense::quantized(d_in, d_out, &q, &scale, &bias);
        let float = Dense::new(d_in, d_out, &quantized.weight(), &bias);
        let one_row = quantized.for_one_row();
        assert_eq!(one_row.int8().expect("int8 form").0, q);
        for rows in [1, 3, 4, 9] {
            let x: Vec<f32> = (0..rows * d_in).map(|k| (k as f32 * 0.37).sin()).collect();
            let want: Vec<f32> = (0..rows * d_out)
                .map(|k| {
                    let (r, o) = (k / d_out, k % d_out);
                    bias[o] + (0..d_in).map(|i| q[o * d_in + i] as f32 * scale[o] * x[r * d_in + i]).sum::<f32>()
                })
                .collect();
            for d in [&quantized, &float, &one_row] {
                let got = d.forward(&x);
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() < 1e-4, "{rows} rows: {g} vs {w}");
                }
            }
        }
    }
}
