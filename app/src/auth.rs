//! Logging in and out, and who is logged in.

use herald::User;
use herald::wire::Transport;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{t, use_locale};

/// The logged-in user and their unread count, rendered into every page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user: User,
    pub unread: i64,
    /// The sequence number `unread` is valid at.
    pub seq: i64,
    /// How the page should keep its live connection.
    pub transport: Transport,
}

/// Who is logged in, with their unread count; `None` when nobody is.
#[server(endpoint = "me", output = crate::codec::Json)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    use crate::backend::*;
    respond(
        async {
            let Some(user) = current_user().await? else {
                return Ok(None);
            };
            let backend = backend()?;
            let herald::Counts { unread, seq } = backend.unread(user.id).await?;
            Ok(Some(Me {
                user,
                unread,
                seq,
                transport: backend.transport(),
            }))
        }
        .await,
    )
}

#[server(endpoint = "login", input = PostUrl, output = crate::codec::Json)]
pub async fn login(
    #[server(default)] username: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let request = use_context::<axum::http::request::Parts>()
                .ok_or_else(|| internal("request parts missing from context"))?;
            backend()?
                .log_in(&session().await?, &request, username.trim(), &password)
                .await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "logout", input = PostUrl, output = crate::codec::Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            backend()?.log_out(&session().await?).await?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Replaces the logged-in user's password; every other session of theirs
/// (other browsers, other devices) is logged out.
#[server(endpoint = "account/password", input = PostUrl, output = crate::codec::Json)]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
    #[server(default)] confirm_password: String,
) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        if new_password != confirm_password {
            return Err(AppError::invalid(
                "confirm_password",
                "The two new passwords differ.",
            ));
        }
        backend
            .change_password(&session().await?, &user, &current_password, &new_password)
            .await
    })
    .await
}

/// The account page, drawn by the server around its forms.
#[component]
pub fn AccountPage() -> impl IntoView {
    let l = use_locale();
    let email = Resource::new(|| (), |_| crate::contact::account_email());
    view! {
        <section class="card account-page">
            <h1>{t!(l, "account-title")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
                {move || Suspend::new(async move {
                    let email = email.await.ok().flatten().unwrap_or_default();
                    view! { <AccountForms email/> }
                })}
            </Suspense>
        </section>
    }
}

/// An island: change your password, set your email (`email`, as stored).
/// Lazy under `split`: a chunk only this page fetches. It takes the
/// address as a prop, so no resource comes to the browser.
#[cfg_attr(feature = "split", island(lazy))]
#[cfg_attr(not(feature = "split"), island)]
fn AccountForms(email: String) -> impl IntoView {
    let l = use_locale();
    let change = crate::forms::FormAction::<ChangePassword>::new();
    let result = change.value();
    let error_for = move |field| crate::forms::field_error(result, field);
    let outcome = move || {
        crate::forms::form_outcome(result.get(), move |()| t!(l, "account-password-changed"))
    };
    let hydrated = crate::forms::hydrated();
    view! {
        <div class="account-forms" data-hydrated=move || hydrated.get().then_some("true")>
            <crate::forms::ServerForm action=change attr:class="form">
                <label>
                    {t!(l, "account-current-password")}
                    <input type="password" name="current_password" autocomplete="current-password" required/>
                    {error_for("current_password")}
                </label>
                <label>
                    <span>{t!(l, "account-new-password") + " "} <span class="muted">{t!(l, "account-password-length")}</span></span>
                    <input type="password" name="new_password" autocomplete="new-password" required minlength="12" maxlength="256"/>
                    {error_for("new_password")}
                </label>
                <label>
                    {t!(l, "account-new-password-again")}
                    <input type="password" name="confirm_password" autocomplete="new-password" required/>
                    {error_for("confirm_password")}
                </label>
                <button type="submit" class="primary" disabled=move || change.pending().get()>{t!(l, "account-change-password")}</button>
                {outcome}
            </crate::forms::ServerForm>
            <crate::contact::EmailSection current=email/>
        </div>
    }
}

/// An island: a refusal is said without a reload; success goes to `/`.
/// Lazy under `split`: a chunk only the login page fetches; before it
/// arrives the form posts as a plain form.
#[cfg_attr(feature = "split", island(lazy))]
#[cfg_attr(not(feature = "split"), island)]
pub fn LoginPage() -> impl IntoView {
    let l = use_locale();
    let login = crate::forms::FormAction::<Login>::new();
    let error = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message(l))
    };
    let hydrated = crate::forms::hydrated();
    view! {
        <section class="card login" data-hydrated=move || hydrated.get().then_some("true")>
            <h1>{t!(l, "login-title")}</h1>
            <crate::forms::ServerForm action=login attr:class="form">
                <label>
                    {t!(l, "login-username")}
                    <input type="text" name="username" autocomplete="username" required autofocus/>
                </label>
                <label>
                    {t!(l, "login-password")}
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <p class="error" role="alert">{error}</p>
                <button type="submit" class="primary">{t!(l, "login-submit")}</button>
            </crate::forms::ServerForm>
        </section>
    }
}

/// Who is logged in, as loaded for this page; shared as context.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, AppError>>);
