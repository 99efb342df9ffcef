//! API keys: create (the secret shown once), list with last use, revoke.
use herald::admin::ApiKeyInfo;
use leptos::prelude::*;

use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{relative, t, use_locale};

#[server(endpoint = "admin/api-keys", output = crate::codec::Json)]
pub async fn api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.api_keys().await }).await
}

/// Creates a key; the secret in the answer is shown once, never again.
#[server(endpoint = "admin/api-keys/create", input = PostUrl, output = crate::codec::Json)]
pub async fn create_api_key(#[server(default)] name: String) -> Result<String, AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::invalid(
                "name",
                "Give the key a name of 1 to 100 characters.",
            ));
        }
        backend.create_api_key(&admin, name).await
    })
    .await
}

#[server(endpoint = "admin/api-keys/revoke", input = PostUrl, output = crate::codec::Json)]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.revoke_api_key(&admin, id).await }).await
}

#[component]
pub(super) fn ApiKeys() -> impl IntoView {
    let l = use_locale();
    let create = crate::forms::FormAction::<CreateApiKey>::new();
    let revoke = crate::forms::FormAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| api_keys(),
    );
    let live = crate::state::use_page_state();
    let created = move || {
        create.value().get().map(|result| match result {
            Ok(secret) => view! {
                <div class="secret" role="status">
                    <p>{t!(l, "admin-key-shown-once")}</p>
                    <code data-testid="new-api-key">{secret}</code>
                </div>
            }
            .into_any(),
            Err(error) => view! { <p class="error" role="alert">{error.field("name").unwrap_or_else(|| error.message(l))}</p> }.into_any(),
        })
    };
    view! {
        <section class="card keys">
            <h2>{t!(l, "admin-keys-title")}</h2>
            <p class="muted">
                {t!(l, "admin-keys-intro-with")} " "
                <code>"POST /api/v1/notifications"</code>
                " " {t!(l, "admin-keys-intro-key")} " "
                <code>"Authorization: Bearer …"</code>
                {t!(l, "admin-keys-intro-hash")}
            </p>
            <crate::forms::ServerForm action=create attr:class="form inline">
                <input type="text" name="name" placeholder=t!(l, "admin-key-name-placeholder") aria-label=t!(l, "admin-key-name")/>
                <button type="submit" class="primary">{t!(l, "admin-create-key")}</button>
            </crate::forms::ServerForm>
            {created}
            <Suspense fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) if keys.is_empty() => view! { <p class="muted empty">{t!(l, "admin-no-keys")}</p> }.into_any(),
                        Ok(keys) => view! {
                            <table class="keys-table">
                                <thead>
                                    <tr>
                                        <th>{t!(l, "admin-column-name")}</th><th>{t!(l, "admin-column-key")}</th>
                                        <th>{t!(l, "admin-column-created")}</th><th>{t!(l, "admin-column-last-used")}</th><th></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {keys.into_iter().map(move |k| {
                                        let now = live.now.get_untracked();
                                        let used = k.last_used_at.map_or_else(|| t!(l, "admin-never-used"), |at| relative(l, at, now));
                                        view! {
                                            <tr class:revoked=k.revoked_at.is_some()>
                                                <td>{k.name}</td>
                                                <td><code>{format!("{}_…", k.prefix)}</code></td>
                                                <td>{relative(l, k.created_at, now)}</td>
                                                <td>{used}</td>
                                                <td>
                                                    {match k.revoked_at {
                                                        Some(_) => view! { <span class="muted">{t!(l, "admin-revoked")}</span> }.into_any(),
                                                        None => view! {
                                                            <crate::forms::ServerForm action=revoke>
                                                                <input type="hidden" name="id" value=k.id/>
                                                                <button type="submit" class="link danger">{t!(l, "admin-revoke")}</button>
                                                            </crate::forms::ServerForm>
                                                        }.into_any(),
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error">{error.message(l)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
