//! The account page's email address: where digests of what the bell did
//! not show in time go (Settings says which categories). A plain form.

use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

#[server(endpoint = "account/email", input = PostUrl, output = crate::codec::Json)]
pub async fn account_email() -> Result<Option<String>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.email(user.id).await }).await
}

/// Sets the address digests go to; empty removes it.
#[server(endpoint = "account/email/set", input = PostUrl, output = crate::codec::Json)]
pub async fn set_account_email(#[server(default)] email: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        let email = email.trim();
        if !email.is_empty() {
            herald::check_email(email).map_err(|m| AppError::invalid("email", m))?;
        }
        backend
            .set_email(user.id, (!email.is_empty()).then(|| email.to_owned()))
            .await
    })
    .await
}

/// The address form, showing `current` (as stored) to begin with.
#[component]
pub fn EmailSection(current: String) -> impl IntoView {
    let l = use_locale();
    let save = crate::forms::FormAction::<SetAccountEmail>::new();
    let result = save.value();
    let error_for = move |field| crate::forms::field_error(result, field);
    let outcome =
        move || crate::forms::form_outcome(result.get(), move |()| t!(l, "contact-saved"));
    view! {
        <h2>{t!(l, "contact-title")}</h2>
        <p class="muted">{t!(l, "contact-intro")}</p>
        <crate::forms::ServerForm action=save attr:class="form">
            <label>
                {t!(l, "contact-address")}
                <input type="email" name="email" autocomplete="email" value=current
                    placeholder=t!(l, "contact-placeholder")/>
                {error_for("email")}
            </label>
            <button type="submit" class="primary" disabled=move || save.pending().get()>{t!(l, "contact-save")}</button>
            {outcome}
        </crate::forms::ServerForm>
    }
}
