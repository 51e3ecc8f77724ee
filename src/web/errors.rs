//! Errors as JS `Error`s with a stable `code` beside the message (the codes are
//! [`CminErrorCode`], listed in the README and the `.d.ts`), so an app can branch on what went
//! wrong without parsing text.

use std::fmt::Display;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use cmin_model::error::CminError;

use super::types::{self, CminErrorCode};

/// `new Error(message)` with `name = 'CminError'` and `code`.
pub(crate) fn coded(code: CminErrorCode, message: impl Display) -> JsValue {
    let error = js_sys::Error::new(&message.to_string());
    error.set_name("CminError");
    // Setting a property on a fresh Error cannot fail.
    let code = serde_wasm_bindgen::to_value(&code).unwrap_or(JsValue::UNDEFINED);
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &code);
    types::CminError(error.into()).into()
}

pub(crate) fn cmin_error(e: CminError) -> JsValue {
    coded(CminErrorCode::named(e.code()), &e)
}

/// For a file's errors: a malformed file is named by which file it was (`bad-weights`...).
pub(crate) fn file_error(code: CminErrorCode) -> impl Fn(CminError) -> JsValue {
    move |e| match CminErrorCode::named(e.code()) {
        CminErrorCode::BadFile => coded(code, &e),
        other => coded(other, &e),
    }
}

pub(crate) fn option_error(message: impl Into<String>) -> JsValue {
    cmin_error(CminError::Option(message.into()))
}

/// What should not happen (a JS object that cannot be built); kept as an error, not a panic.
pub(crate) fn internal(e: impl Display) -> JsValue {
    coded(CminErrorCode::Internal, e)
}

pub(crate) fn aborted() -> JsValue {
    coded(CminErrorCode::Aborted, "the call was aborted (its AbortSignal fired)")
}
