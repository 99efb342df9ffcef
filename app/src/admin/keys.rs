//! API keys: create (the secret shown once), list with last use, revoke.
use herald::admin::ApiKeyInfo;
use leptos::prelude::*;

use super::ADMIN;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;

#[server(endpoint = "admin/api-keys")]
pub async fn api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.api_keys().await }).await
}

/// Creates a key; the secret in the answer is shown once, never again.
#[server(endpoint = "admin/api-keys/create", input = PostUrl)]
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

#[server(endpoint = "admin/api-keys/revoke", input = PostUrl)]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.revoke_api_key(&admin, id).await }).await
}

#[component]
pub(super) fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| api_keys(),
    );
    let live = expect_context::<crate::state::PageState>();
    let created = move || {
        create.value().get().map(|result| match result {
            Ok(secret) => view! {
                <div class="secret" role="status">
                    <p>"Copy this key now: it will not be shown again."</p>
                    <code data-testid="new-api-key">{secret}</code>
                </div>
            }
            .into_any(),
            Err(error) => view! { <p class="error" role="alert">{error.field("name").unwrap_or(error.to_string())}</p> }.into_any(),
        })
    };
    view! {
        <section class="card keys">
            <h2>"API keys"</h2>
            <p class="muted">
                "Applications create notifications with "
                <code>"POST /api/v1/notifications"</code>
                " and a key sent as "
                <code>"Authorization: Bearer …"</code>
                ". Only a hash of each key is kept; revoking one takes effect at once."
            </p>
            <ActionForm action=create attr:class="form inline">
                <input type="text" name="name" placeholder="Key name, e.g. Django production" aria-label="Key name"/>
                <button type="submit" class="primary">"Create key"</button>
            </ActionForm>
            {created}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) if keys.is_empty() => view! { <p class="muted empty">"No keys yet."</p> }.into_any(),
                        Ok(keys) => view! {
                            <table class="keys-table">
                                <thead><tr><th>"Name"</th><th>"Key"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                                <tbody>
                                    {keys.into_iter().map(|k| {
                                        let now = live.now.get_untracked();
                                        let used = k.last_used_at.map_or("never".to_owned(), |t| crate::i18n::relative(ADMIN, t, now));
                                        view! {
                                            <tr class:revoked=k.revoked_at.is_some()>
                                                <td>{k.name}</td>
                                                <td><code>{format!("{}_…", k.prefix)}</code></td>
                                                <td>{crate::i18n::relative(ADMIN, k.created_at, now)}</td>
                                                <td>{used}</td>
                                                <td>
                                                    {match k.revoked_at {
                                                        Some(_) => view! { <span class="muted">"Revoked"</span> }.into_any(),
                                                        None => view! {
                                                            <ActionForm action=revoke>
                                                                <input type="hidden" name="id" value=k.id/>
                                                                <button type="submit" class="link danger">"Revoke"</button>
                                                            </ActionForm>
                                                        }.into_any(),
                                                    }}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
