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

/// An integration API key as the admin console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    /// The public start of the key, to tell keys apart.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[server(endpoint = "admin/api-keys")]
pub async fn api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    use crate::backend::*;
    respond(
        async {
            require_admin().await?;
            backend()?.api_keys().await
        }
        .await,
    )
}

/// Creates a key; the secret in the answer is shown once, never again.
#[server(endpoint = "admin/api-keys/create", input = PostUrl)]
pub async fn create_api_key(#[server(default)] name: String) -> Result<String, AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(AppError::invalid(
                    "name",
                    "Give the key a name of 1 to 100 characters.",
                ));
            }
            backend()?.create_api_key(&admin, name).await
        }
        .await,
    )
}

#[server(endpoint = "admin/api-keys/revoke", input = PostUrl)]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            backend()?.revoke_api_key(&admin, id).await
        }
        .await,
    )
}

/// One send in the admin console's list, with how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendSummary {
    pub id: i64,
    pub title: String,
    pub audience: String,
    pub sender: String,
    pub recipients: i64,
    /// Recipients with a live connection when it went out.
    pub delivered: i64,
    pub seen: i64,
    pub read: i64,
    pub created_at: i64,
    pub retracted: bool,
}

/// A user as the admin console lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub role: herald::Role,
    pub unread: i64,
    pub online: bool,
    pub active: bool,
}

#[server(endpoint = "admin/users", input = PostUrl)]
pub async fn user_list(#[server(default)] search: String) -> Result<Vec<UserSummary>, AppError> {
    use crate::backend::*;
    respond(
        async {
            require_admin().await?;
            backend()?.user_list(&search).await
        }
        .await,
    )
}

/// Creates a user who logs in with `password` (at least 12 characters).
#[server(endpoint = "admin/users/create", input = PostUrl)]
pub async fn create_user(
    #[server(default)] username: String,
    #[server(default)] password: String,
    #[server(default)] role: String,
) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            let mut errors = herald::FieldErrors::default();
            let username = username.trim().to_owned();
            if let Err(problem) = herald::check_username(&username) {
                errors.push("username", problem);
            }
            if let Err(problem) = herald::check_password(&password) {
                errors.push("password", problem);
            }
            let role = herald::Role::parse(role.trim());
            if role.is_none() {
                errors.push("role", "Choose admin or member.");
            }
            match (errors.is_empty(), role) {
                (true, Some(role)) => {
                    backend()?
                        .create_user(&admin, &username, &password, role)
                        .await
                }
                _ => Err(AppError::Invalid(errors)),
            }
        }
        .await,
    )
}

/// Deactivates a user: logged out everywhere, at once.
#[server(endpoint = "admin/users/deactivate", input = PostUrl)]
pub async fn deactivate_user(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            if admin.id == id {
                return Err(AppError::Conflict("You cannot deactivate yourself.".into()));
            }
            backend()?.deactivate_user(&admin, id).await
        }
        .await,
    )
}

/// Lets a deactivated user log in again.
#[server(endpoint = "admin/users/reactivate", input = PostUrl)]
pub async fn reactivate_user(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            backend()?.reactivate_user(&admin, id).await
        }
        .await,
    )
}

/// Makes a user an admin or a member.
#[server(endpoint = "admin/users/role", input = PostUrl)]
pub async fn set_role(id: i64, #[server(default)] role: String) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            let role = herald::Role::parse(role.trim())
                .ok_or_else(|| AppError::invalid("role", "Choose admin or member."))?;
            backend()?.set_role(&admin, id, role).await
        }
        .await,
    )
}

/// One entry of the audit log as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditInfo {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// How many audit entries a page of the list holds.
const AUDIT_PAGE: i64 = 50;

#[server(endpoint = "admin/audit", input = PostUrl)]
pub async fn audit_log(
    #[server(default)] search: String,
    before: Option<i64>,
) -> Result<Vec<AuditInfo>, AppError> {
    use crate::backend::*;
    respond(
        async {
            require_admin().await?;
            backend()?.audit_log(&search, before, AUDIT_PAGE).await
        }
        .await,
    )
}

/// How many sends a page of the list holds.
const SENDS_PAGE: i64 = 20;

#[server(endpoint = "admin/sent", input = PostUrl)]
pub async fn sent_list(
    #[server(default)] search: String,
    before: Option<i64>,
) -> Result<Vec<SendSummary>, AppError> {
    use crate::backend::*;
    respond(
        async {
            require_admin().await?;
            backend()?.sends(&search, before, SENDS_PAGE).await
        }
        .await,
    )
}

#[server(endpoint = "admin/retract", input = PostUrl)]
pub async fn retract_send(id: i64) -> Result<usize, AppError> {
    use crate::backend::*;
    respond(
        async {
            let admin = require_admin().await?;
            backend()?.retract_send(&admin, id).await
        }
        .await,
    )
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

/// The recipient value meaning "the users named in `usernames`".
pub const SEVERAL: &str = "several";

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
    /// "on" to confirm a send to everyone or to a whole role.
    #[server(default)]
    confirm: String,
) -> Result<SendReport, AppError> {
    use crate::backend::*;
    use herald::send::check_recipient_count;
    use herald::{Audience, Draft, FieldErrors, Role};
    respond(
        async {
            let admin = require_admin().await?;
            let mut errors = FieldErrors::default();
            let audience = match recipient.trim() {
                EVERYONE => Some(Audience::Everyone),
                "role:admin" => Some(Audience::Role { role: Role::Admin }),
                "role:member" => Some(Audience::Role { role: Role::Member }),
                SEVERAL => {
                    let known = backend()?.users().await?;
                    let mut ids = Vec::new();
                    let mut unknown = Vec::new();
                    for name in usernames
                        .split([',', ' ', '\n'])
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                    {
                        match known.iter().find(|u| u.username == name) {
                            Some(user) => ids.push(user.id),
                            None => unknown.push(name.to_owned()),
                        }
                    }
                    if !unknown.is_empty() {
                        errors.push(
                            "usernames",
                            format!("No such user: {}.", unknown.join(", ")),
                        );
                    } else {
                        check_recipient_count(ids.len(), "usernames", &mut errors);
                    }
                    Some(Audience::Users { ids })
                }
                id => id.parse().ok().map(|id| Audience::User { id }),
            };
            let broad = matches!(audience, Some(Audience::Everyone | Audience::Role { .. }));
            if audience.is_none() {
                errors.push("recipient", "Choose a recipient.");
            } else if broad && confirm != "on" {
                errors.push("confirm", "Tick the box to confirm sending to all of them.");
            }
            // The same rules as the integration API's (`herald::send`).
            let content = Draft {
                title,
                body,
                link: Some(link),
                category: Some(category),
                actor: None,
            }
            .check(&mut errors);
            match (content, audience) {
                (Some(content), Some(audience)) => {
                    backend()?
                        .send(&admin, audience, content.notification)
                        .await
                }
                _ => Err(AppError::Invalid(errors)),
            }
        }
        .await,
    )
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| recipients());
    view! {
        <ComposeCard users/>
        <ClientOnly>
            <SentList/>
        </ClientOnly>
        <ClientOnly>
            <Users/>
        </ClientOnly>
        <ApiKeys/>
        <ClientOnly>
            <AuditLog/>
        </ClientOnly>
    }
}

/// Renders its children only in the browser, after hydration: for lists
/// that refresh themselves there and need not hold up the server's render.
#[component]
fn ClientOnly(children: ChildrenFn) -> impl IntoView {
    let mounted = RwSignal::new(false);
    // Effects never run on the server.
    Effect::new(move |_| mounted.set(true));
    view! {
        <Show
            when=move || mounted.get()
            fallback=|| view! { <section class="card"><p class="muted">"Loading…"</p></section> }
        >
            {children()}
        </Show>
    }
}

/// Users: who is online, their unread counts; create and deactivate.
#[component]
fn Users() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let create = ServerAction::<CreateUser>::new();
    let deactivate = ServerAction::<DeactivateUser>::new();
    let reactivate = ServerAction::<ReactivateUser>::new();
    let role = ServerAction::<SetRole>::new();
    let users = Resource::new(
        move || {
            (
                search.get(),
                create.version().get()
                    + deactivate.version().get()
                    + reactivate.version().get()
                    + role.version().get(),
            )
        },
        |(search, _)| user_list(search),
    );
    // A refused change (the last admin, yourself) says why.
    let refused = move || {
        [deactivate.value().get(), role.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    let error_for = move |field: &'static str| {
        move || {
            create
                .value()
                .get()
                .and_then(Result::err)
                .and_then(|e| e.field(field))
                .map(|m| view! { <span class="field-error" data-field=field>{m}</span> })
        }
    };
    view! {
        <section class="card users">
            <div class="inbox-head">
                <h2>"Users"</h2>
                <input
                    type="search"
                    placeholder="Search users"
                    aria-label="Search users"
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </div>
            <ActionForm action=create attr:class="form inline new-user">
                <input type="text" name="username" placeholder="Username" aria-label="New username"/>
                <input type="password" name="password" placeholder="Password (12+ characters)" aria-label="New password" autocomplete="new-password"/>
                <select name="role" aria-label="Role">
                    <option value="member">"Member"</option>
                    <option value="admin">"Admin"</option>
                </select>
                <button type="submit" class="primary">"Create user"</button>
            </ActionForm>
            {error_for("username")}
            {error_for("password")}
            {refused}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(users) => view! {
                            <table class="keys-table users-table">
                                <thead><tr><th>"User"</th><th>"Role"</th><th>"Unread"</th><th>"Online"</th><th></th></tr></thead>
                                <tbody>
                                    {users.into_iter().map(|u| view! {
                                        <tr class:revoked=!u.active data-user=u.username.clone()>
                                            <td>{u.username.clone()}</td>
                                            <td>
                                                {u.role.as_str()}
                                                // Users an application created by external id
                                                // cannot log in, so they are never admins.
                                                {(u.active && !u.username.starts_with("ext:")).then(|| {
                                                    let other = match u.role {
                                                        herald::Role::Admin => herald::Role::Member,
                                                        herald::Role::Member => herald::Role::Admin,
                                                    };
                                                    view! {
                                                        <ActionForm action=role attr:class="inline-action">
                                                            <input type="hidden" name="id" value=u.id/>
                                                            <input type="hidden" name="role" value=other.as_str()/>
                                                            <button type="submit" class="link">{format!("make {}", other.as_str())}</button>
                                                        </ActionForm>
                                                    }
                                                })}
                                            </td>
                                            <td class="num">{u.unread}</td>
                                            <td>{if u.online {
                                                view! { <span class="online" title="Online now">"● online"</span> }.into_any()
                                            } else {
                                                view! { <span class="muted">"offline"</span> }.into_any()
                                            }}</td>
                                            <td>{if u.active {
                                                view! {
                                                    <ActionForm action=deactivate>
                                                        <input type="hidden" name="id" value=u.id/>
                                                        <button type="submit" class="link danger">"Deactivate"</button>
                                                    </ActionForm>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <span class="muted">"Deactivated "</span>
                                                    <ActionForm action=reactivate attr:class="inline-action">
                                                        <input type="hidden" name="id" value=u.id/>
                                                        <button type="submit" class="link">"Reactivate"</button>
                                                    </ActionForm>
                                                }.into_any()
                                            }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// What was sent, with delivered, seen and read counts that keep updating.
#[component]
fn SentList() -> impl IntoView {
    let live = expect_context::<crate::state::Live>();
    let search = RwSignal::new(String::new());
    let retract = ServerAction::<RetractSend>::new();
    // Refreshed every few seconds while the page is open, and after a retract.
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_secs(2),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    }
    let older = RwSignal::new(Vec::<SendSummary>::new());
    let first = Resource::new(
        move || (search.get(), tick.get(), retract.version().get()),
        |(search, _, _)| sent_list(search, None),
    );
    let load_older = move |_| {
        let before = older
            .with_untracked(|o| o.last().map(|s| s.id))
            .or_else(|| {
                first
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .and_then(|f| f.last().map(|s| s.id))
            });
        let search = search.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(more) = sent_list(search, before).await {
                older.update(|o| o.extend(more));
            }
        });
    };
    view! {
        <section class="card sent">
            <div class="inbox-head">
                <h2>"Sent"</h2>
                <input
                    type="search"
                    placeholder="Search titles"
                    aria-label="Search sent notifications"
                    on:input=move |ev| {
                        older.set(Vec::new());
                        search.set(event_target_value(&ev));
                    }
                />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(sends) if sends.is_empty() => view! { <p class="muted empty">"Nothing sent yet."</p> }.into_any(),
                        Ok(sends) => {
                            let full = sends.len() as i64 >= SENDS_PAGE;
                            let now = live.now.get_untracked();
                            view! {
                                <table class="keys-table sent-table">
                                    <thead><tr>
                                        <th>"Title"</th><th>"To"</th><th>"When"</th>
                                        <th title="Stored for">"Recipients"</th>
                                        <th title="Online when sent">"Delivered"</th>
                                        <th>"Seen"</th><th>"Read"</th><th></th>
                                    </tr></thead>
                                    <tbody>
                                        {move || sends.iter().cloned().chain(older.get()).map(|s| view! {
                                            <tr class:revoked=s.retracted data-send=s.id>
                                                <td>{s.title}<div class="muted small">{format!("by {}", s.sender)}</div></td>
                                                <td>{s.audience}</td>
                                                <td>{herald::relative_time(s.created_at, now)}</td>
                                                <td class="num">{s.recipients}</td>
                                                <td class="num" data-count="delivered">{s.delivered}</td>
                                                <td class="num" data-count="seen">{s.seen}</td>
                                                <td class="num" data-count="read">{s.read}</td>
                                                <td>{if s.retracted {
                                                    view! { <span class="muted">"Retracted"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=retract>
                                                            <input type="hidden" name="id" value=s.id/>
                                                            <button type="submit" class="link danger">"Retract"</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {full.then(|| view! { <button type="button" class="link load-more" on:click=load_older>"Load older"</button> })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The audit log: who did what, newest first, searchable, older pages on demand.
#[component]
fn AuditLog() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let live = expect_context::<crate::state::Live>();
    let first = Resource::new(move || search.get(), |search| audit_log(search, None));
    let older = RwSignal::new(Vec::<AuditInfo>::new());
    let load_older = move |_| {
        let before = older
            .with_untracked(|o| o.last().map(|e| e.id))
            .or_else(|| {
                first
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .and_then(|f| f.last().map(|e| e.id))
            });
        let search = search.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(more) = audit_log(search, before).await {
                older.update(|o| o.extend(more));
            }
        });
    };
    view! {
        <section class="card audit">
            <div class="inbox-head">
                <h2>"Audit log"</h2>
                <input
                    type="search"
                    placeholder="Search the log"
                    aria-label="Search the audit log"
                    on:input=move |ev| {
                        older.set(Vec::new());
                        search.set(event_target_value(&ev));
                    }
                />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(entries) if entries.is_empty() => view! { <p class="muted empty">"Nothing recorded yet."</p> }.into_any(),
                        Ok(entries) => {
                            let full = entries.len() as i64 >= AUDIT_PAGE;
                            let now = live.now.get_untracked();
                            view! {
                                <table class="keys-table audit-table">
                                    <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"To"</th><th>"Detail"</th></tr></thead>
                                    <tbody>
                                        {move || entries.iter().cloned().chain(older.get()).map(|e| {
                                            let action = e.action.clone();
                                            view! {
                                            <tr data-action=action>
                                                <td title=e.at.to_string()>{herald::relative_time(e.at, now)}</td>
                                                <td>{e.actor}</td>
                                                <td><code>{e.action}</code></td>
                                                <td>{e.target}</td>
                                                <td class="muted">{e.detail}</td>
                                            </tr>
                                        }}).collect_view()}
                                    </tbody>
                                </table>
                                {full.then(|| view! { <button type="button" class="link load-more" on:click=load_older>"Load older"</button> })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ApiKeys() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| api_keys(),
    );
    let live = expect_context::<crate::state::Live>();
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
                                        let used = k.last_used_at.map_or("never".to_owned(), |t| herald::relative_time(t, now));
                                        view! {
                                            <tr class:revoked=k.revoked_at.is_some()>
                                                <td>{k.name}</td>
                                                <td><code>{format!("{}_…", k.prefix)}</code></td>
                                                <td>{herald::relative_time(k.created_at, now)}</td>
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

#[component]
fn ComposeCard(users: Resource<Result<Vec<User>, AppError>>) -> impl IntoView {
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
                    {users
                        .into_iter()
                        .map(|u| view! { <option value=u.id.to_string()>{u.username}</option> })
                        .collect_view()}
                </select>
                {error_for("recipient")}
            </label>
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
                        .map(|c| view! { <option value=c.as_str()>{c.label()}</option> })
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
                        {move || crate::inbox::icon(category.get())}
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
