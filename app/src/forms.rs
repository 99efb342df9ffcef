//! Forms posting to server functions ([`ServerForm`]) and what they show
//! once sent: each field's error beside that field, and one line saying how
//! it went.

use std::marker::PhantomData;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

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

/// What a [`ServerForm`] sends to the server function `S`, and what came
/// back: Leptos's `ServerAction<S>`, but it posts the form's own fields,
/// URL-encoded as the plain form would. `ServerAction` decodes them into
/// `S`'s arguments and encodes them again (serde_qs both ways, for every
/// form), which was most of the forms' code in the browser.
pub struct FormAction<S: ServerFn> {
    action: Action<String, Result<S::Output, AppError>>,
    server_fn: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: ServerFn> Copy for FormAction<S> {}

impl<S> FormAction<S>
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    /// On the server, after a plain form's post failed, the page it was
    /// sent back to shows the error (as `ServerAction` does).
    #[track_caller]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        use leptos::server::ServerActionError;
        use leptos::server_fn::error::ServerFnUrlError;
        let failed = use_context::<ServerActionError>()
            .filter(|e| e.path() == S::PATH)
            .map(|e| Err(ServerFnUrlError::<AppError>::decode_err(e.err())));
        let action = Action::new_with_value(failed, |body: &String| {
            send_wrapper::SendWrapper::new(post::<S::Output>(S::url(), body.clone()))
        });
        FormAction {
            action,
            server_fn: PhantomData,
        }
    }
}

impl<S: ServerFn> FormAction<S>
where
    S::Output: Send + Sync + 'static,
{
    /// The last reply, if any.
    pub fn value(&self) -> MappedSignal<Option<Result<S::Output, AppError>>> {
        self.action.value()
    }

    /// Whether a post is on its way.
    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }

    /// How many posts were sent.
    pub fn version(&self) -> RwSignal<usize> {
        self.action.version()
    }
}

/// Calls the server function `S` with `args`, URL-encoded as its plain
/// form would post them, and reads the reply as a form's is. The islands
/// on every page call theirs this way: server_fn's own client would bring
/// its request and streaming machinery (the `http` crate, wasm-streams)
/// into every page's WASM. From the browser only.
pub async fn call<S>(args: S) -> Result<S::Output, AppError>
where
    S: ServerFn<Error = AppError> + serde::Serialize,
    S::Output: DeserializeOwned,
{
    let body = serde_qs::to_string(&args).map_err(|e| AppError::Unreachable(e.to_string()))?;
    post(S::url(), body).await
}

/// Posts `body` (a form's fields, URL-encoded) to the server function at
/// `url` as Leptos's own client does, and reads the reply: JSON, or on a
/// 4xx/5xx the error; a server function's redirect (logging in) is a full
/// page load.
async fn post<T: DeserializeOwned>(url: &'static str, body: String) -> Result<T, AppError> {
    use leptos::server_fn::Decodes;
    let reply = send(url, body).await?;
    crate::codec::JsonText::decode(reply).map_err(|e| AppError::Unreachable(e.to_string()))
}

/// [`post`]'s request and its answer's body, the same whatever the reply's
/// type (so in the WASM once, not once per type).
async fn send(url: &'static str, body: String) -> Result<leptos::server_fn::Bytes, AppError> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::server_fn::error::FromServerFnError;
        let unreachable = |e: gloo_net::Error| AppError::Unreachable(e.to_string());
        let response = gloo_net::http::Request::post(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body)
            .map_err(unreachable)?
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let redirect = response.headers().get("serverfnredirect").is_some();
        let location = response.headers().get("Location");
        let bytes = leptos::server_fn::Bytes::from(response.binary().await.map_err(unreachable)?);
        if (400..600).contains(&status) {
            return Err(AppError::de(bytes));
        }
        if redirect || (300..400).contains(&status) {
            let _ = window()
                .location()
                .set_href(location.as_deref().unwrap_or("/"));
        }
        Ok(bytes)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        // Forms are sent from the browser only.
        let _ = (url, body);
        Err(AppError::Internal)
    }
}

/// A form posting to the server function `S`: a plain form without WASM
/// (the server sends the browser back), sent through `action` without a
/// reload once hydrated. Leptos's `ActionForm`, but its children keep
/// their type (an erased view, which `ActionForm` takes, puts a second,
/// async copy of the form's whole subtree into the WASM), and it posts
/// the form's own fields ([`FormAction`]).
#[component]
pub fn ServerForm<S, C>(
    action: FormAction<S>,
    #[prop(optional)] node_ref: Option<NodeRef<leptos::html::Form>>,
    children: TypedChildren<C>,
) -> impl IntoView
where
    S: ServerFn + 'static,
    S::Output: Send + Sync + 'static,
    C: IntoView + 'static,
{
    let submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if ev.default_prevented() {
                return;
            }
            // Its fields as the plain form would post them; should the
            // browser not give them, the plain form posts.
            let fields = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                .and_then(|form| web_sys::FormData::new_with_form(&form).ok())
                .and_then(|data| {
                    web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
                });
            if let Some(fields) = fields {
                ev.prevent_default();
                action.action.dispatch(String::from(fields.to_string()));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, action);
    };
    let node_ref = node_ref.unwrap_or_default();
    let children = children.into_inner();
    view! {
        <form action=S::url() method="post" on:submit=submit node_ref=node_ref>
            {children()}
        </form>
    }
}
