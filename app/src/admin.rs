//! The admin page: compose and send a notification.

use herald::User;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The recipient form value meaning "every user".
pub const EVERYONE: &str = "everyone";

/// What happened to a sent notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReport {
    /// The title as stored (trimmed).
    pub title: String,
    /// How many users it was stored for.
    pub recipients: usize,
    /// How many of them had a live connection when it was published.
    pub online: usize,
}

/// The users an admin can send to.
#[server(endpoint = "admin/recipients")]
pub async fn recipients() -> Result<Vec<User>, AppError> {
    use crate::backend::*;
    respond(
        async {
            require_admin().await?;
            backend()?.users().await
        }
        .await,
    )
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
) -> Result<SendReport, AppError> {
    use crate::backend::*;
    use herald::{Audience, Category, FieldErrors, NewNotification};
    respond(
        async {
            let admin = require_admin().await?;
            let kind = match category.trim() {
                "" => Some(Category::Info),
                name => Category::parse(name),
            };
            let content = NewNotification {
                title,
                body,
                link: Some(link),
                category: kind.unwrap_or_default(),
            }
            .validate();
            let audience = match recipient.trim() {
                EVERYONE => Some(Audience::Everyone),
                id => id.parse().ok().map(|id| Audience::User { id }),
            };
            // Report every bad field at once, recipient included.
            let (content, audience) = match (content, audience, kind) {
                (Ok(content), Some(audience), Some(_)) => (content, audience),
                (content, audience, kind) => {
                    let mut errors = content.err().unwrap_or_else(FieldErrors::default);
                    if audience.is_none() {
                        errors.push("recipient", "Choose a recipient.");
                    }
                    if kind.is_none() {
                        errors.push("category", "Choose a known category.");
                    }
                    return Err(AppError::Invalid(errors));
                }
            };
            backend()?.send(&admin, audience, content).await
        }
        .await,
    )
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| recipients());
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
    let error_for = move |field: &'static str| {
        move || {
            result
                .get()
                .and_then(Result::err)
                .and_then(|e| e.field(field))
                .map(
                    |message| view! { <span class="field-error" data-field=field>{message}</span> },
                )
        }
    };
    let outcome = move || {
        result.get().map(|r| match r {
            Ok(report) => view! {
                <p class="success" role="status">
                    {format!(
                        "Sent “{}” to {} recipient{}; {} online now.",
                        report.title,
                        report.recipients,
                        if report.recipients == 1 { "" } else { "s" },
                        report.online,
                    )}
                </p>
            }
            .into_any(),
            Err(AppError::Invalid(_)) => {
                view! { <p class="error" role="alert">"Please correct the marked fields."</p> }
                    .into_any()
            }
            Err(error) => {
                view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
            }
        })
    };
    view! {
        <ActionForm action=send attr:class="form">
            <label>
                "Recipient"
                <select name="recipient">
                    <option value=EVERYONE>"Everyone"</option>
                    {users
                        .into_iter()
                        .map(|u| view! { <option value=u.id.to_string()>{u.username}</option> })
                        .collect_view()}
                </select>
                {error_for("recipient")}
            </label>
            <label>
                "Category"
                <select name="category">
                    {herald::Category::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.as_str()>{c.label()}</option> })
                        .collect_view()}
                </select>
                {error_for("category")}
            </label>
            <label>
                "Title"
                <input type="text" name="title" placeholder="Your export is ready"/>
                {error_for("title")}
            </label>
            <label>
                <span>"Body " <span class="muted">"(optional)"</span></span>
                <textarea name="body" rows="4"></textarea>
                {error_for("body")}
            </label>
            <label>
                <span>"Link " <span class="muted">"(optional: https://… or /path)"</span></span>
                <input type="text" name="link" placeholder="/reports/42"/>
                {error_for("link")}
            </label>
            <button type="submit" class="primary" disabled=move || send.pending().get()>
                "Send"
            </button>
            {outcome}
        </ActionForm>
    }
}
