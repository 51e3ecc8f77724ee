//! Word vectors: our packaged safetensors file (vocabulary + f16/f32 vectors) or the standard
//! GloVe text format (`word v1 v2 ... vd` per line), so researchers can bring 300-d vectors.
//!
//! The safetensors file holds `vectors` (`[count, dim]`, F16 or F32) and `vocabulary` (U8: the
//! UTF-8 words joined by `\n`), with the metadata `format` = `cmin-embeddings` and
//! `format_version` = `1`. Words are looked up lower-cased (GloVe 6B is lower-case); a word not
//! in the vocabulary gets the zero vector and is reported, never an error.

use std::collections::HashMap;

use cmin_model::error::{CminError, Result};
use cmin_model::limits;

/// The `format` metadata of a word-vector file, and the version this code reads and writes.
pub const FORMAT: &str = "cmin-embeddings";
pub const FORMAT_VERSION: &str = "1";
/// The first bytes of the compact format this package read before version 0.2.
const OLD_MAGIC: &[u8; 8] = b"CMINEMB1";

/// A vocabulary and its vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct Embeddings {
    dim: usize,
    index: HashMap<String, usize>,
    words: Vec<String>,
    vectors: Vec<f32>,
}

/// Vectors for a sentence, with the words that had none.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    /// Row-major `[words, dim]`.
    pub vectors: Vec<f32>,
    /// Indices (into the looked-up words) of out-of-vocabulary words.
    pub unknown: Vec<usize>,
}

impl Embeddings {
    /// Builds from words and row-major vectors; rejects duplicates, empty words and
    /// non-finite values.
    pub fn new(words: Vec<String>, vectors: Vec<f32>, dim: usize) -> Result<Self> {
        let bad = |m: String| Err(CminError::malformed("embeddings", m));
        if dim == 0 || words.is_empty() {
            return bad("no words or zero dimension".into());
        }
        if vectors.len() != words.len() * dim {
            return bad(format!("{} values for {} words of dim {dim}", vectors.len(), words.len()));
        }
        if let Some(pos) = vectors.iter().position(|v| !v.is_finite()) {
            return bad(format!("word {:?} has a non-finite value", words[pos / dim]));
        }
        let mut index = HashMap::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            if w.is_empty() || w.chars().any(char::is_whitespace) {
                return bad(format!("word {i} is empty or contains whitespace"));
            }
            if index.insert(w.clone(), i).is_some() {
                return bad(format!("word {w:?} appears twice"));
            }
        }
        Ok(Embeddings { dim, index, words, vectors })
    }

    /// Parses either format: a file that reads as safetensors is ours, anything else GloVe text.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        limits::file("the word-vector file", bytes.len() as u64)?;
        if bytes.starts_with(OLD_MAGIC) {
            return Err(CminError::malformed(
                "word-vector file",
                "it is in the compact format of cmin-wasm before 0.2 (CMINEMB1), no longer read: rebuild it with \
                 scripts/build_embeddings.py (safetensors), or pass the vectors as GloVe text",
            ));
        }
        if looks_like_safetensors(bytes) { Self::from_safetensors(bytes) } else { Self::from_glove_text(bytes) }
    }

    fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let bad = |m: String| CminError::malformed("word-vector file", m);
        let (_, metadata) = safetensors::SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
        let info = metadata.metadata().as_ref();
        let field = |name: &str| info.and_then(|m| m.get(name)).map(String::as_str);
        if field("format") != Some(FORMAT) {
            return Err(bad(format!("a safetensors file without the metadata format = {FORMAT:?}: not word vectors")));
        }
        if field("format_version") != Some(FORMAT_VERSION) {
            return Err(bad(format!(
                "format version {:?}; this version of cmin-wasm reads version {FORMAT_VERSION}",
                field("format_version").unwrap_or("(none)")
            )));
        }
        let shape = metadata.info("vectors").map(|info| info.shape.clone()).unwrap_or_default();
        let &[count, dim] = &shape[..] else {
            return Err(bad(format!("vectors has shape {shape:?}, expected [words, dim]")));
        };
        table_size(count, dim)?;
        let file = safetensors::SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
        let tensor = |name: &str| file.tensor(name).map_err(|_| bad(format!("no tensor {name:?}")));
        let (vocabulary, table) = (tensor("vocabulary")?, tensor("vectors")?);
        if vocabulary.dtype() != safetensors::Dtype::U8 {
            return Err(bad("vocabulary must be U8 (UTF-8 words joined by newlines)".into()));
        }
        let vocab = std::str::from_utf8(vocabulary.data()).map_err(|_| bad("vocabulary is not UTF-8".into()))?;
        let words: Vec<String> = vocab.split('\n').map(str::to_string).collect();
        if words.len() != count {
            return Err(bad(format!("vectors has {count} rows, the vocabulary {} words", words.len())));
        }
        let data = table.data();
        let vectors = match table.dtype() {
            safetensors::Dtype::F16 => {
                data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
            }
            safetensors::Dtype::F32 => {
                data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
            }
            other => return Err(bad(format!("vectors must be F16 or F32, not {other:?}"))),
        };
        Self::new(words, vectors, dim)
    }

    fn from_glove_text(bytes: &[u8]) -> Result<Self> {
        limits::file("the word-vector file", bytes.len() as u64)?;
        let text = std::str::from_utf8(bytes).map_err(|_| CminError::malformed("GloVe text", "not UTF-8"))?;
        let (mut words, mut vectors, mut dim) = (Vec::new(), Vec::new(), 0);
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let mut parts = line.split_whitespace();
            let word = parts.next().expect("non-empty line").to_string();
            let before = vectors.len();
            for p in parts {
                let v: f32 = p.parse().map_err(|_| {
                    CminError::malformed("GloVe text", format!("line {}: {p:?} is not a number", n + 1))
                })?;
                vectors.push(v);
                if vectors.len() - before > limits::MAX_WORD_DIM as usize {
                    table_size(1, vectors.len() - before)?;
                }
            }
            let d = vectors.len() - before;
            if dim == 0 {
                dim = d;
            }
            table_size(words.len() + 1, d)?;
            if d != dim || d == 0 {
                return Err(CminError::malformed("GloVe text", format!("line {}: {d} values, expected {dim}", n + 1)));
            }
            words.push(word);
        }
        Self::new(words, vectors, dim)
    }

    /// The packaged safetensors file, with f16 or f32 vectors.
    pub fn to_safetensors(&self, f16: bool) -> Vec<u8> {
        let vocabulary = self.words.join("\n").into_bytes();
        let (dtype, table): (_, Vec<u8>) = if f16 {
            (safetensors::Dtype::F16, self.vectors.iter().flat_map(|v| half::f16::from_f32(*v).to_le_bytes()).collect())
        } else {
            (safetensors::Dtype::F32, self.vectors.iter().flat_map(|v| v.to_le_bytes()).collect())
        };
        let view = |dtype, shape, data| safetensors::tensor::TensorView::new(dtype, shape, data).expect("sizes agree");
        let tensors = [
            ("vectors", view(dtype, vec![self.words.len(), self.dim], &table[..])),
            ("vocabulary", view(safetensors::Dtype::U8, vec![vocabulary.len()], &vocabulary[..])),
        ];
        let metadata =
            [("format", FORMAT), ("format_version", FORMAT_VERSION)].map(|(k, v)| (k.to_string(), v.to_string()));
        let bytes =
            safetensors::serialize(tensors, Some(metadata.into_iter().collect())).expect("in-memory tensors serialise");
        cmin_parser::tensor_file::with_sorted_header(&bytes)
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Row-major `[len, dim]`.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The vector of a word (lower-cased), if known.
    /// The vector of a word, case-insensitively. A word missing from a vocabulary subset
    /// falls back to its stem without an inflectional ending ("shrinks" -> "shrink",
    /// "carries" -> "carry", "nudged" -> "nudge", "hopping" -> "hop"), which sits close to
    /// it in GloVe space.
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        let word = word.to_lowercase();
        let i = self.index.get(&word).or_else(|| stems(&word).iter().find_map(|s| self.index.get(s)))?;
        Some(&self.vectors[i * self.dim..(i + 1) * self.dim])
    }

    /// Vectors for a sentence; unknown words get zeros and are listed.
    pub fn lookup<S: AsRef<str>>(&self, words: &[S]) -> Lookup {
        let mut vectors = Vec::with_capacity(words.len() * self.dim);
        let mut unknown = Vec::new();
        for (i, w) in words.iter().enumerate() {
            match self.get(w.as_ref()) {
                Some(v) => vectors.extend_from_slice(v),
                None => {
                    vectors.extend(std::iter::repeat_n(0.0, self.dim));
                    unknown.push(i);
                }
            }
        }
        Lookup { vectors, unknown }
    }
}

/// Candidate stems of an English inflected form (-s, -es, -ies, -ed, -ing), most specific
/// first; each at least three letters long.
fn stems(word: &str) -> Vec<String> {
    let mut stems = Vec::new();
    if word.len() > 4 {
        if let Some(stem) = word.strip_suffix("ies") {
            stems.push(format!("{stem}y"));
        }
    }
    if word.len() > 3 {
        if let Some(stem) = word.strip_suffix("es") {
            stems.push(stem.to_string());
        }
        if let Some(stem) = word.strip_suffix('s').filter(|s| !s.ends_with('s')) {
            stems.push(stem.to_string());
        }
    }
    // "nudged" -> "nudge", "blinked" -> "blink", "hopped" -> "hop"; "nudging" -> "nudg" is no
    // word, so "-ing" also tries "-e"; "hopping" -> "hop".
    for (suffix, with_e) in [("ed", false), ("ing", true)] {
        let Some(stem) = word.strip_suffix(suffix).filter(|s| s.len() >= 3) else { continue };
        if suffix == "ed" {
            stems.push(format!("{stem}e"));
        }
        stems.push(stem.to_string());
        if with_e {
            stems.push(format!("{stem}e"));
        }
        let b = stem.as_bytes();
        if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] {
            stems.push(stem[..stem.len() - 1].to_string());
        }
    }
    stems.retain(|s| s.len() >= 3);
    stems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Embeddings {
        Embeddings::new(vec!["the".into(), "knife".into()], vec![0.5, -1.0, 0.25, 2.0], 2).unwrap()
    }

    #[test]
    fn safetensors_round_trip_f32_and_f16() {
        let e = sample();
        assert_eq!(Embeddings::from_bytes(&e.to_safetensors(false)).unwrap(), e);
        // These values are exact in f16.
        assert_eq!(Embeddings::from_bytes(&e.to_safetensors(true)).unwrap(), e);
    }

    /// A safetensors file of `vectors` (F32, `shape`, zeros) with the given metadata; the data
    /// is left out unless `whole`.
    fn file_of(shape: [usize; 2], metadata: &str, whole: bool) -> Vec<u8> {
        let header = format!(
            r#"{{"__metadata__":{metadata},"vectors":{{"dtype":"F32","shape":[{},{}],"data_offsets":[0,{}]}}}}"#,
            shape[0],
            shape[1],
            shape[0] * shape[1] * 4
        );
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(header.as_bytes());
        if whole {
            bytes.resize(bytes.len() + shape[0] * shape[1] * 4, 0);
        }
        bytes
    }

    #[test]
    fn old_and_foreign_files_are_refused_with_what_they_are() {
        let old = Embeddings::from_bytes(b"CMINEMB1\x02\x00\x00\x00").unwrap_err().to_string();
        assert!(old.contains("CMINEMB1") && old.contains("build_embeddings.py"), "{old}");
        let ours = r#"{"format":"cmin-embeddings","format_version":"1"}"#;
        let foreign = Embeddings::from_bytes(&file_of([1, 2], r#"{"format":"other"}"#, true)).unwrap_err().to_string();
        assert!(foreign.contains("not word vectors"), "{foreign}");
        let newer = file_of([1, 2], r#"{"format":"cmin-embeddings","format_version":"2"}"#, true);
        let newer = Embeddings::from_bytes(&newer).unwrap_err().to_string();
        assert!(newer.contains("version \"2\"") && newer.contains("reads version 1"), "{newer}");
        let truncated = Embeddings::from_bytes(&file_of([1, 2], ours, false)).unwrap_err().to_string();
        assert!(truncated.contains("word-vector file"), "no data for the vectors: {truncated}");
        let no_vocabulary = Embeddings::from_bytes(&file_of([1, 2], ours, true)).unwrap_err().to_string();
        assert!(no_vocabulary.contains("no tensor \"vocabulary\""), "{no_vocabulary}");
    }

    #[test]
    fn tables_above_the_limits_are_refused_before_they_are_allocated() {
        // A header announcing 2^20 words of 2^10 values (4 GiB as f32) in 150 bytes: safetensors
        // refuses a header whose tensors the file does not hold, before anything is allocated.
        let ours = r#"{"format":"cmin-embeddings","format_version":"1"}"#;
        let e = Embeddings::from_bytes(&file_of([1 << 20, 1 << 10], ours, false)).unwrap_err();
        assert_eq!(e.code(), "bad-file", "{e}");
        assert!(e.to_string().contains("word-vector file"), "{e}");
        // A GloVe line wider than any word vector.
        let line = format!("x{}\n", " 1".repeat(limits::MAX_WORD_DIM as usize + 1));
        let e = Embeddings::from_bytes(line.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("width") && e.code() == "too-large", "{e}");
    }

    #[test]
    fn inflected_forms_fall_back_to_their_stem() {
        let e = Embeddings::from_bytes(b"shrink 1 0\ncarry 0 1\nbox 1 1\ngas 2 2\n").unwrap();
        assert_eq!(e.get("Shrinks"), Some(&[1.0, 0.0][..]));
        assert_eq!(e.get("carries"), Some(&[0.0, 1.0][..]));
        assert_eq!(e.get("boxes"), Some(&[1.0, 1.0][..]));
        assert_eq!(e.get("gas"), Some(&[2.0, 2.0][..]));
        assert_eq!(e.get("glass"), None, "no stem 'glas' from a double s");
        assert_eq!(e.get("is"), None, "short words are left alone");
        let e = Embeddings::from_bytes(b"nudge 1 0\nblink 0 1\nhop 1 1\nrotate 2 0\n").unwrap();
        assert_eq!(e.get("nudged"), Some(&[1.0, 0.0][..]));
        assert_eq!(e.get("nudging"), Some(&[1.0, 0.0][..]));
        assert_eq!(e.get("blinked"), Some(&[0.0, 1.0][..]));
        assert_eq!(e.get("Blinking"), Some(&[0.0, 1.0][..]));
        assert_eq!(e.get("hopped"), Some(&[1.0, 1.0][..]));
        assert_eq!(e.get("hopping"), Some(&[1.0, 1.0][..]));
        assert_eq!(e.get("rotating"), Some(&[2.0, 0.0][..]));
        assert_eq!(e.get("red"), None, "no stem shorter than three letters");
    }

    #[test]
    fn glove_text_and_lookup() {
        let e = Embeddings::from_bytes(b"the 0.5 -1\nknife 0.25 2\n\n").unwrap();
        assert_eq!(e, sample());
        let l = e.lookup(&["The", "spork", "knife"]);
        assert_eq!(l.vectors, vec![0.5, -1.0, 0.0, 0.0, 0.25, 2.0]);
        assert_eq!(l.unknown, vec![1]);
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(Embeddings::from_bytes(b"").is_err());
        assert!(Embeddings::from_bytes(b"the 0.5 x\n").is_err());
        assert!(Embeddings::from_bytes(b"the 0.5 1\nknife 2\n").is_err());
        assert!(Embeddings::from_bytes(b"the 1\nthe 2\n").is_err());
        assert!(Embeddings::from_bytes(b"the NaN\n").is_err());
        let mut c = sample().to_safetensors(true);
        c.pop();
        assert!(Embeddings::from_bytes(&c).is_err());
        assert!(Embeddings::from_bytes(&c[..10]).is_err());
        assert!(Embeddings::from_bytes(&[0xff, 0xfe, 0x00]).is_err());
    }
}

/// Whether `bytes` start as a safetensors file does: a header length that fits the file, then a
/// JSON object. GloVe text starts with a word.
fn looks_like_safetensors(bytes: &[u8]) -> bool {
    let Some(length) = bytes.get(..8) else { return false };
    let length = u64::from_le_bytes(length.try_into().expect("eight bytes"));
    length < bytes.len() as u64 && bytes.get(8) == Some(&b'{')
}

/// Refuses a table of `words x dim` values above the limits, before it is allocated: a file
/// of a few hundred megabytes could otherwise expand past wasm32's 4 GiB.
fn table_size(words: usize, dim: usize) -> Result<()> {
    limits::at_most("the word-vector width", dim as u64, limits::MAX_WORD_DIM, "values")?;
    let values = (words as u64).saturating_mul(dim as u64);
    limits::at_most("the word-vector table (words x dim)", values, limits::MAX_EMBEDDING_VALUES, "values")
}
