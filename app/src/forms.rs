//! What every form shows once it is sent: each field's error beside that
//! field, and one line saying how it went.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

/// `field`'s error in a form's `result`, to show beside the field.
pub fn field_error<T, S>(
    result: S,
    field: &'static str,
) -> impl Fn() -> Option<AnyView> + Copy + Send + Sync + 'static
where
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    move || {
        result
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field(field))
            .map(|m| view! { <span class="field-error" data-field=field>{m}</span> }.into_any())
    }
}

/// How a sent form went, in one line: `success`'s text, "correct the
/// marked fields" (each named beside its field), or what went wrong. Called
/// within a component, whose language it speaks.
pub fn form_outcome<T>(
    result: Option<Result<T, AppError>>,
    success: impl FnOnce(T) -> String,
) -> Option<AnyView> {
    let l = use_locale();
    result.map(|r| match r {
        Ok(value) => view! { <p class="success" role="status">{success(value)}</p> }.into_any(),
        Err(AppError::Invalid(_)) => {
            view! { <p class="error" role="alert">{t!(l, "form-correct-fields")}</p> }.into_any()
        }
        Err(error) => view! { <p class="error" role="alert">{error.message(l)}</p> }.into_any(),
    })
}
