//! Compose and send a notification to one user, several, a role or everyone.
// The send form has a field per argument (server functions take forms
// that way), and the `server` macro copies them into code of its own.
#![allow(clippy::too_many_arguments)]
use herald::admin::SendReport;
use leptos::prelude::*;

use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

use herald::User;

use herald::send::{EVERYONE, SEVERAL, TOPIC};

/// The users an admin can send to.
#[server(endpoint = "admin/recipients", output = crate::codec::Json)]
pub async fn recipients() -> Result<Vec<User>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.users().await }).await
}

#[server(endpoint = "admin/send", input = PostUrl, output = crate::codec::Json)]
pub async fn send_notification(
    // Missing fields are empty, so validation names them instead of the
    // request failing as a whole.
    #[server(default)] title: String,
    #[server(default)] body: String,
    #[server(default)] link: String,
    #[server(default)] recipient: String,
    #[server(default)] category: String,
    /// With recipient "several": usernames, separated by commas or spaces.
    #[server(default)]
    usernames: String,
    /// With recipient "topic": the topic's key.
    #[server(default)]
    topic: String,
    /// "on" to confirm a send to everyone or to a whole role.
    #[server(default)]
    confirm: String,
    /// never (or empty), hour, day or week (`herald::send::ExpiresIn`),
    /// counted from when it goes out.
    #[server(default)]
    expires_in: String,
    /// now (or empty), 5min, hour, day or week (`herald::send::SendIn`).
    #[server(default)]
    send_in: String,
) -> Result<SendReport, AppError> {
    use crate::backend::*;
    use herald::send::{Recipients, named_audience};
    use herald::{Draft, FieldErrors};
    as_admin(|backend, admin| async move {
        let mut errors = FieldErrors::default();
        let recipients = Recipients::parse(&recipient, &usernames, &topic, &mut errors);
        if recipients.as_ref().is_some_and(Recipients::is_broad) && confirm != "on" {
            errors.push("confirm", "Tick the box to confirm sending to all of them.");
        }
        let audience = match recipients {
            Some(Recipients::Named(names)) => {
                let found = backend.users_named(&names).await?;
                Some(named_audience(&names, &found, &mut errors))
            }
            Some(Recipients::Audience(audience)) => Some(audience),
            None => None,
        };
        let now = crate::state::now_ms();
        let expires = herald::send::ExpiresIn::parse(&expires_in);
        if expires.is_none() {
            errors.push("expires_in", "Must be never, hour, day or week.");
        }
        let send_at = match herald::send::SendIn::parse(&send_in) {
            Some(when) => when.at(now),
            None => {
                errors.push("send_in", "Must be now, 5min, hour, day or week.");
                None
            }
        };
        // The same rules as the integration API's (`herald::send`).
        let content = Draft {
            title,
            body,
            link: Some(link),
            category: Some(category),
            actor: None,
            expires_at: expires.and_then(|e| e.at(send_at.unwrap_or(now))),
            actions: Vec::new(),
            send_at,
            group_key: None,
        }
        .check(now, &mut errors);
        match (content, audience) {
            (Some(content), Some(audience)) => {
                backend
                    .send(&admin, audience, content.notification, content.send_at)
                    .await
            }
            _ => Err(AppError::Invalid(errors)),
        }
    })
    .await
}

#[component]
pub(super) fn ComposeCard(users: Resource<Result<Vec<User>, AppError>>) -> impl IntoView {
    let l = use_locale();
    view! {
        <section class="card compose">
            <h1>{t!(l, "admin-compose-title")}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! { <ComposeForm users/> }.into_any(),
                        Err(error) => view! { <p class="error">{error.message(l)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ComposeForm(users: Vec<User>) -> impl IntoView {
    let l = use_locale();
    let send = crate::forms::FormAction::<SendNotification>::new();
    let result = send.value();
    let error_for = move |field| crate::forms::field_error(result, field);
    let outcome =
        move || crate::forms::form_outcome(result.get(), move |r: SendReport| r.summary(l));
    // What the form says, for the preview and the confirmation box.
    let recipient = RwSignal::new(EVERYONE.to_owned());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let category = RwSignal::new(herald::Category::Info);
    let broad = move || recipient.with(|r| r == EVERYONE || r.starts_with("role:"));
    let audience_text = move || match recipient.get().as_str() {
        EVERYONE => t!(l, "admin-audience-everyone"),
        "role:admin" => t!(l, "admin-audience-admins"),
        "role:member" => t!(l, "admin-audience-members"),
        _ => String::new(),
    };
    view! {
        <div class="compose-grid">
        <crate::forms::ServerForm action=send attr:class="form">
            <label>
                {t!(l, "admin-recipient")}
                <select name="recipient" on:change=move |ev| recipient.set(event_target_value(&ev))>
                    <option value=EVERYONE>{t!(l, "admin-everyone")}</option>
                    <option value="role:admin">{t!(l, "admin-every-admin")}</option>
                    <option value="role:member">{t!(l, "admin-every-member")}</option>
                    <option value=SEVERAL>{t!(l, "admin-several-users")}</option>
                    <option value=TOPIC>{t!(l, "admin-topic-subscribers")}</option>
                    {users
                        .into_iter()
                        .map(|u| view! { <option value=u.id.to_string()>{u.username}</option> })
                        .collect_view()}
                </select>
                {error_for("recipient")}
            </label>
            <Show when=move || recipient.with(|r| r == TOPIC)>
                <label>
                    <span>{t!(l, "admin-topic")} " " <span class="muted">{t!(l, "admin-topic-hint")}</span></span>
                    <input type="text" name="topic" placeholder="project:42"/>
                    {error_for("topic")}
                </label>
            </Show>
            <Show when=move || recipient.with(|r| r == SEVERAL)>
                <label>
                    {t!(l, "admin-usernames")} " " <span class="muted">{t!(l, "admin-usernames-hint")}</span>
                    <input type="text" name="usernames" placeholder="alice, bob"/>
                    {error_for("usernames")}
                </label>
            </Show>
            <label>
                {t!(l, "admin-category")}
                <select
                    name="category"
                    on:change=move |ev| category.set(herald::Category::parse(&event_target_value(&ev)).unwrap_or_default())
                >
                    {herald::Category::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.as_str()>{c.label(l)}</option> })
                        .collect_view()}
                </select>
                {error_for("category")}
            </label>
            <label>
                {t!(l, "admin-title")}
                <input type="text" name="title" placeholder=t!(l, "admin-title-placeholder") on:input=move |ev| title.set(event_target_value(&ev))/>
                {error_for("title")}
            </label>
            <label>
                <span>{t!(l, "admin-body")} " " <span class="muted">{t!(l, "admin-optional-hint")}</span></span>
                <textarea name="body" rows="4" on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {error_for("body")}
            </label>
            <label>
                <span>{t!(l, "admin-link")} " " <span class="muted">{t!(l, "admin-link-hint")}</span></span>
                <input type="text" name="link" placeholder="/reports/42"/>
                {error_for("link")}
            </label>
            <label>
                {t!(l, "admin-send-when")}
                <select name="send_in">
                    {herald::send::SendIn::ALL
                        .into_iter()
                        .map(|e| view! { <option value=e.as_str()>{e.label(l)}</option> })
                        .collect_view()}
                </select>
                {error_for("send_in")}
            </label>
            <label>
                <span>{t!(l, "admin-expires")} " " <span class="muted">{t!(l, "admin-expires-hint")}</span></span>
                <select name="expires_in">
                    {herald::send::ExpiresIn::ALL
                        .into_iter()
                        .map(|e| view! { <option value=e.as_str()>{e.label(l)}</option> })
                        .collect_view()}
                </select>
                {error_for("expires_in")}
            </label>
            <Show when=broad>
                <label class="confirm">
                    <span>
                        <input type="checkbox" name="confirm"/>
                        " " {move || t!(l, "admin-confirm-send", audience = audience_text())}
                    </span>
                    {error_for("confirm")}
                </label>
            </Show>
            <button type="submit" class="primary" disabled=move || send.pending().get()>
                {t!(l, "admin-send")}
            </button>
            {outcome}
        </crate::forms::ServerForm>
        <aside class="preview" aria-label=t!(l, "admin-preview")>
            <p class="muted small">{t!(l, "admin-preview-in-bell")}</p>
            <ul class="feed">
                <li class="item unread">
                    <span class=move || format!("icon icon-{}", category.get().as_str())>
                        {move || crate::icons::icon(category.get())}
                    </span>
                    <div class="item-main">
                        <p class="item-title">
                            {move || title.with(|text| if text.trim().is_empty() { t!(l, "admin-your-title") } else { text.clone() })}
                        </p>
                        {move || body.with(|b| (!b.trim().is_empty()).then(|| view! { <p class="item-body">{b.clone()}</p> }))}
                        <p class="item-meta">{t!(l, "time-now")}</p>
                    </div>
                </li>
            </ul>
        </aside>
        </div>
    }
}
