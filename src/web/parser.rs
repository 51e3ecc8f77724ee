//! The query parser in JavaScript: `Parser.load(bytes)` and `parser.parse(text)`.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::results::{Analysis, to_js};
use super::types::CminErrorCode;
use super::{bytes_of, coded};
use cmin_query::parsing::ParserModel;

/// The English tokenizer, tagger and dependency parser. Create with `Parser.load(bytes)`.
#[wasm_bindgen]
pub struct Parser {
    pub(crate) model: Rc<ParserModel>,
}

#[wasm_bindgen]
impl Parser {
    /// Reads a parser model file (`parser-en-ewt.safetensors`); a damaged file is an error.
    pub fn load(
        #[wasm_bindgen(unchecked_param_type = "ArrayBuffer | Uint8Array")] bytes: JsValue,
    ) -> Result<Parser, JsValue> {
        super::run_static_constructors();
        let bytes = bytes_of(&bytes, "parser model")?;
        let model = ParserModel::from_bytes(&bytes).map_err(|e| coded(CminErrorCode::BadParser, e))?;
        Ok(Parser { model: Rc::new(model) })
    }

    /// Tokenises, tags and parses English text. Never throws on any string: empty text gives
    /// empty lists.
    #[wasm_bindgen(js_name = parse, unchecked_return_type = "Analysis")]
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
    to_js(&analysis_js(&model.analyze(text), text))
}

/// The parser's analysis of `text` as JavaScript sees it: offsets in UTF-16 code units.
pub(crate) fn analysis_js(a: &cmin_query::parsing::Analysis, text: &str) -> Analysis {
    let utf16 = utf16_offsets(text);
    Analysis {
        tokens: a.tokens.clone(),
        upos: a.upos.clone(),
        heads: a.heads.clone(),
        deprels: a.deprels.clone(),
        offsets: a.offsets.iter().map(|&[s, e]| [utf16[s], utf16[e]]).collect(),
        sentences: a.sentences.clone(),
    }
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
