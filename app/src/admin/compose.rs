//! Compose and send a notification to one user, several, a role or everyone.
// The send form has a field per argument (server functions take forms
// that way), and the `server` macro copies them into code of its own.
#![allow(clippy::too_many_arguments)]
use herald::admin::SendReport;
use leptos::prelude::*;

use super::ADMIN;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;

use herald::User;

use herald::send::{EVERYONE, SEVERAL, TOPIC};

/// The users an admin can send to.
#[server(endpoint = "admin/recipients")]
pub async fn recipients() -> Result<Vec<User>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.users().await }).await
}

#[server(endpoint = "admin/send", input = PostUrl)]
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
    view! {
        <section class="card compose">
            <h1>"Send a notification"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! { <ComposeForm users/> }.into_any(),
                        Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ComposeForm(users: Vec<User>) -> impl IntoView {
    let send = ServerAction::<SendNotification>::new();
    let result = send.value();
    let error_for = move |field| crate::forms::field_error(result, field);
    let outcome = move || crate::forms::form_outcome(result.get(), |r: SendReport| r.summary());
    // What the form says, for the preview and the confirmation box.
    let recipient = RwSignal::new(EVERYONE.to_owned());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let category = RwSignal::new(herald::Category::Info);
    let broad = move || recipient.with(|r| r == EVERYONE || r.starts_with("role:"));
    let audience_text = move || match recipient.get().as_str() {
        EVERYONE => "every user".to_owned(),
        "role:admin" => "every admin".to_owned(),
        "role:member" => "every member".to_owned(),
        _ => String::new(),
    };
    view! {
        <div class="compose-grid">
        <ActionForm action=send attr:class="form">
            <label>
                "Recipient"
                <select name="recipient" on:change=move |ev| recipient.set(event_target_value(&ev))>
                    <option value=EVERYONE>"Everyone"</option>
                    <option value="role:admin">"Every admin"</option>
                    <option value="role:member">"Every member"</option>
                    <option value=SEVERAL>"Several users…"</option>
                    <option value=TOPIC>"A topic's subscribers…"</option>
                    {users
                        .into_iter()
                        .map(|u| view! { <option value=u.id.to_string()>{u.username}</option> })
                        .collect_view()}
                </select>
                {error_for("recipient")}
            </label>
            <Show when=move || recipient.with(|r| r == TOPIC)>
                <label>
                    <span>"Topic " <span class="muted">"(its subscribers, as your apps set them)"</span></span>
                    <input type="text" name="topic" placeholder="project:42"/>
                    {error_for("topic")}
                </label>
            </Show>
            <Show when=move || recipient.with(|r| r == SEVERAL)>
                <label>
                    "Usernames " <span class="muted">"(separated by commas)"</span>
                    <input type="text" name="usernames" placeholder="alice, bob"/>
                    {error_for("usernames")}
                </label>
            </Show>
            <label>
                "Category"
                <select
                    name="category"
                    on:change=move |ev| category.set(herald::Category::parse(&event_target_value(&ev)).unwrap_or_default())
                >
                    {herald::Category::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.as_str()>{c.label(ADMIN)}</option> })
                        .collect_view()}
                </select>
                {error_for("category")}
            </label>
            <label>
                "Title"
                <input type="text" name="title" placeholder="Your export is ready" on:input=move |ev| title.set(event_target_value(&ev))/>
                {error_for("title")}
            </label>
            <label>
                <span>"Body " <span class="muted">"(optional)"</span></span>
                <textarea name="body" rows="4" on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {error_for("body")}
            </label>
            <label>
                <span>"Link " <span class="muted">"(optional: https://… or /path)"</span></span>
                <input type="text" name="link" placeholder="/reports/42"/>
                {error_for("link")}
            </label>
            <label>
                "Send"
                <select name="send_in">
                    {herald::send::SendIn::ALL
                        .into_iter()
                        .map(|e| view! { <option value=e.as_str()>{e.label()}</option> })
                        .collect_view()}
                </select>
                {error_for("send_in")}
            </label>
            <label>
                <span>"Expires " <span class="muted">"(after it goes out, it then leaves every inbox and count)"</span></span>
                <select name="expires_in">
                    {herald::send::ExpiresIn::ALL
                        .into_iter()
                        .map(|e| view! { <option value=e.as_str()>{e.label()}</option> })
                        .collect_view()}
                </select>
                {error_for("expires_in")}
            </label>
            <Show when=broad>
                <label class="confirm">
                    <span>
                        <input type="checkbox" name="confirm"/>
                        " Yes, send this to " {audience_text}
                    </span>
                    {error_for("confirm")}
                </label>
            </Show>
            <button type="submit" class="primary" disabled=move || send.pending().get()>
                "Send"
            </button>
            {outcome}
        </ActionForm>
        <aside class="preview" aria-label="Preview">
            <p class="muted small">"Preview in the bell"</p>
            <ul class="feed">
                <li class="item unread">
                    <span class=move || format!("icon icon-{}", category.get().as_str())>
                        {move || crate::icons::icon(category.get())}
                    </span>
                    <div class="item-main">
                        <p class="item-title">
                            {move || title.with(|t| if t.trim().is_empty() { "Your title".to_owned() } else { t.clone() })}
                        </p>
                        {move || body.with(|b| (!b.trim().is_empty()).then(|| view! { <p class="item-body">{b.clone()}</p> }))}
                        <p class="item-meta">"just now"</p>
                    </div>
                </li>
            </ul>
        </aside>
        </div>
    }
}
