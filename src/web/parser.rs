//! The query parser in JavaScript: `Parser.load(bytes)` and `parser.parse(text)`.

use std::rc::Rc;

use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::{bytes_of, coded, internal, set};
use cmin_query::parsing::{Analysis, ParserModel};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** `parser.parse(text)`: usable as the `query` argument of `Cmin.localize`. */
export interface ParseResult {
  tokens: string[];
  /** Universal POS tags. */
  upos: string[];
  /** 0 for a sentence root, else the 1-based index of the token's head. */
  heads: number[];
  /** UD v2 relations (CMIN maps them to its v1 ids). */
  deprels: string[];
  /** [start, end) of each token in the input, in UTF-16 code units (`text.slice(start, end)`). */
  offsets: [number, number][];
  /** [start, end) token ranges of the sentences; each sentence is one tree. */
  sentences: [number, number][];
}
"#;

/// The English tokenizer, tagger and dependency parser. Create with `Parser.load(bytes)`.
#[wasm_bindgen]
pub struct Parser {
    pub(crate) model: Rc<ParserModel>,
}

#[wasm_bindgen]
impl Parser {
    /// Reads a parser model file (`parser-en-ewt.cminparse`); a damaged file is an error.
    pub fn load(
        #[wasm_bindgen(unchecked_param_type = "ArrayBuffer | Uint8Array")] bytes: JsValue,
    ) -> Result<Parser, JsValue> {
        super::run_static_constructors();
        let bytes = bytes_of(&bytes, "parser model")?;
        let model = ParserModel::from_bytes(&bytes).map_err(|e| coded("bad-parser", e))?;
        Ok(Parser { model: Rc::new(model) })
    }

    /// Tokenises, tags and parses English text. Never throws on any string: empty text gives
    /// empty lists.
    #[wasm_bindgen(js_name = parse, unchecked_return_type = "ParseResult")]
    pub fn parse_js(&self, #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> Result<JsValue, JsValue> {
        self.parse(&super::text_of(&text)?)
    }
}

impl Parser {
    pub fn parse(&self, text: &str) -> Result<JsValue, JsValue> {
        analysis_to_js(&self.model, text)
    }
}

pub(crate) fn analysis_to_js(model: &ParserModel, text: &str) -> Result<JsValue, JsValue> {
    analysis_js(&model.analyze(text), text)
}

/// A `ParseResult` for JavaScript from the analysis of `text`.
pub(crate) fn analysis_js(a: &Analysis, text: &str) -> Result<JsValue, JsValue> {
    let utf16 = utf16_offsets(text);
    let out = Object::new();
    let strings = |v: &[String]| serde_wasm_bindgen::to_value(v).map_err(internal);
    set(&out, "tokens", strings(&a.tokens)?)?;
    set(&out, "upos", strings(&a.upos)?)?;
    set(&out, "heads", serde_wasm_bindgen::to_value(&a.heads).map_err(internal)?)?;
    set(&out, "deprels", strings(&a.deprels)?)?;
    let offsets: Vec<[usize; 2]> = a.offsets.iter().map(|&[s, e]| [utf16[s], utf16[e]]).collect();
    set(&out, "offsets", serde_wasm_bindgen::to_value(&offsets).map_err(internal)?)?;
    set(&out, "sentences", serde_wasm_bindgen::to_value(&a.sentences).map_err(internal)?)?;
    Ok(out.into())
}

/// UTF-16 position of every byte offset of `text` (char boundaries and the end).
fn utf16_offsets(text: &str) -> Vec<usize> {
    let mut map = vec![0; text.len() + 1];
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        for b in byte..byte + c.len_utf8() {
            map[b] = units;
        }
        units += c.len_utf16();
    }
    map[text.len()] = units;
    map
}
