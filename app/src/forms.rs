//! Forms posting to server functions ([`ServerForm`]) and what they show
//! once sent: each field's error beside that field, and one line saying how
//! it went.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

/// Whether this island runs in the browser yet (effects run only there).
/// A lazy island's code arrives after the page's, so until then its forms
/// are plain forms; its root says `data-hydrated="true"` once it is in.
pub fn hydrated() -> ReadSignal<bool> {
    let (hydrated, set) = signal(false);
    Effect::new(move |_| set.set(true));
    hydrated
}

/// `field`'s error in a form's `result`, shown beside the field.
pub fn field_error<T, S>(result: S, field: &'static str) -> impl IntoView + use<T, S>
where
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    T: 'static,
{
    move || {
        result
            .get()
            .and_then(Result::err)
            .and_then(|e| e.field(field))
            .map(|m| view! { <span class="field-error" data-field=field>{m}</span> })
    }
}

/// How a sent form went, in one line: `success`'s text, "correct the
/// marked fields" (each named beside its field), or what went wrong. Called
/// within a component, whose language it speaks.
pub fn form_outcome<T>(
    result: Option<Result<T, AppError>>,
    success: impl FnOnce(T) -> String,
) -> Option<impl IntoView> {
    let l = use_locale();
    result.map(|r| {
        // One element whatever the outcome: no erased view (see ServerForm).
        let (class, role, text) = match r {
            Ok(value) => ("success", "status", success(value)),
            Err(AppError::Invalid(_)) => ("error", "alert", t!(l, "form-correct-fields")),
            Err(error) => ("error", "alert", error.message(l)),
        };
        view! { <p class=class role=role>{text}</p> }
    })
}

/// A form posting to the server function `S`: a plain form without WASM
/// (the server sends the browser back), sent through `action` without a
/// reload once hydrated. Leptos's `ActionForm`, but its children keep
/// their type: an erased view, which `ActionForm` takes, puts a second,
/// async copy of the form's whole subtree into the WASM.
#[component]
pub fn ServerForm<S, C>(
    action: ServerAction<S>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Form>>,
    children: TypedChildren<C>,
) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError>
        + serde::de::DeserializeOwned
        + Clone
        + Send
        + Sync
        + 'static,
    S::Output: Send + Sync + 'static,
    C: IntoView + 'static,
{
    // A server function's redirect (logging in) is a full page load.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        let _ = window().location().set_href(location);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        match S::from_event(&ev) {
            Ok(input) => {
                action.dispatch(input);
            }
            Err(error) => {
                use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
                let error = ServerFnErrorErr::Serialization(error.to_string());
                action
                    .value()
                    .set(Some(Err(AppError::from_server_fn_error(error))));
            }
        }
    };
    let node_ref = node_ref.unwrap_or_default();
    let children = children.into_inner();
    view! {
        <form action=S::url() method="post" on:submit=submit node_ref=node_ref>
            {children()}
        </form>
    }
}
