//! Errors as JS `Error`s with a stable `code` beside the message (the codes are listed in the
//! README and in the `.d.ts`), so an app can branch on what went wrong without parsing text.

use std::fmt::Display;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use cmin_model::error::CminError;

/// `new Error(message)` with `name = 'CminError'` and `code`.
pub(crate) fn coded(code: &str, message: impl Display) -> JsValue {
    let error = js_sys::Error::new(&message.to_string());
    error.set_name("CminError");
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

pub(crate) fn cmin_error(e: CminError) -> JsValue {
    coded(e.code(), &e)
}

/// For a file's errors: a malformed file is named by which file it was (`bad-weights`...).
pub(crate) fn file_error(code: &'static str) -> impl Fn(CminError) -> JsValue {
    move |e| coded(if e.code() == "bad-file" { code } else { e.code() }, &e)
}

pub(crate) fn option_error(message: impl Into<String>) -> JsValue {
    cmin_error(CminError::Option(message.into()))
}

/// What should not happen (a JS object that cannot be built); kept as an error, not a panic.
pub(crate) fn internal(e: impl Display) -> JsValue {
    coded("internal", e)
}

pub(crate) fn aborted() -> JsValue {
    coded("aborted", "the call was aborted (its AbortSignal fired)")
}
