//! Settings' language picker: the user's own choice beats their browser's.
//! A plain form that reloads the page, since every word on it changes
//! (and `<html lang>` with them).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{Locale, t, use_locale};

/// The language the user chose, if any (else the browser's is used).
#[server(endpoint = "settings/language", input = PostUrl, output = crate::codec::Json)]
pub async fn chosen_language() -> Result<Option<Locale>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.locale(user.id).await }).await
}

/// Chooses `locale` (a tag Herald speaks, or empty for the browser's).
#[server(endpoint = "settings/language/set", input = PostUrl, output = crate::codec::Json)]
pub async fn set_language(#[server(default)] locale: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        let chosen = match locale.trim() {
            "" => None,
            tag => Some(
                Locale::ALL
                    .into_iter()
                    .find(|l| l.tag() == tag)
                    .ok_or_else(|| AppError::invalid("locale", LOCALE_RULE))?,
            ),
        };
        backend.set_locale(user.id, chosen).await?;
        leptos_axum::redirect("/settings");
        Ok(())
    })
    .await
}

/// What `locale` may be, as a refusal says it (names the field's values).
#[cfg(feature = "ssr")]
const LOCALE_RULE: &str = "must be \"en\", \"de\", or empty for the browser's language";

#[component]
pub fn LanguageSection() -> impl IntoView {
    let l = use_locale();
    let chosen = Resource::new(|| (), |_| chosen_language());
    view! {
        <h2 id="language">{t!(l, "language-title")}</h2>
        <Suspense fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
            {move || Suspend::new(async move {
                let current = chosen.await.ok().flatten();
                view! {
                    <form method="post" action=SetLanguage::url() class="form language">
                        <label>
                            {t!(l, "language-label")}
                            <select name="locale">
                                <option value="" selected=current.is_none()>{t!(l, "language-automatic")}</option>
                                {Locale::ALL
                                    .map(|each| {
                                        // Each language in its own words, marked as such.
                                        view! {
                                            <option value=each.tag() lang=each.tag() selected=current == Some(each)>
                                                {each.native_name()}
                                            </option>
                                        }
                                    })}
                            </select>
                        </label>
                        <button type="submit" class="link">{t!(l, "language-save")}</button>
                    </form>
                }
            })}
        </Suspense>
    }
}
