//! `POST /api/v1/notifications`: create a notification for one user, a
//! list, or everyone; users may be named by Herald id or by the caller's own
//! external id (created on first use). `Idempotency-Key` makes retries safe.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use herald::send::{MAX_RECIPIENTS, check_recipient_count};
use herald::topics::{MAX_TOPICS_PER_SEND, check_topic_key};
use herald::{ActionSpec, Audience, Content, Draft, FieldErrors, NewNotification, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{IdPath, JsonBody};
use super::keys::Caller;
use super::problem::Problem;
use super::responses::{BodyRefusals, KeyRefusals};
use crate::realtime::notifier::Outcome;
use crate::state::AppState;
use crate::store::{Queued, Remember, Remembered, StoreError, Stored, sha256};

/// The most recipients one request may name.
const MAX_EXTERNAL_ID: usize = 255;
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A notification to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// Who receives it: users, and the subscribers of topics, each once;
    /// leave empty and set `broadcast` for everyone.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub recipients: Vec<Recipient>,
    /// Users left out whatever else names them, e.g. the actor of a
    /// comment sent to the post's topic (by `user_id` or `external_id`).
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub exclude: Vec<Recipient>,
    /// Send to every user; then `recipients` must be empty.
    #[serde(default)]
    pub broadcast: bool,
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// At most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub body: String,
    /// An `http(s)://` URL or a path starting with `/`.
    #[serde(default)]
    pub link: Option<String>,
    /// info (default), success, warning or mention.
    #[serde(default)]
    #[schema(example = "info")]
    pub category: Option<String>,
    /// Who caused it, as the recipients should see it (at most 200 characters).
    #[serde(default)]
    pub actor: Option<String>,
    /// When it stops mattering (Unix milliseconds, in the future, at most a
    /// year ahead): it then leaves each recipient's inbox and count, live.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// At most two buttons, each a link (`url`) or a webhook Herald POSTs
    /// to, signed, when the recipient clicks it.
    #[serde(default)]
    #[schema(max_items = 2)]
    pub actions: Vec<ActionRequest>,
    /// Deliver it later (Unix milliseconds, in the future, at most a year
    /// ahead): answered `202` with the send's id at once, delivered at its
    /// time, once, also if Herald was down then (as soon as it runs again).
    /// `DELETE /api/v1/sends/{id}` before then cancels it.
    #[serde(default)]
    pub send_at: Option<i64>,
    /// Unread notifications with the same key show as one row in the
    /// recipient's bell and inbox ("Ana, Bo and 2 others commented"), counted
    /// once, read or archived as one; once the row is read, the next one
    /// starts a new row. 1 to 100 letters, digits, `:`, `_`, `.` or `-`.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100, example = "post:42:comments")]
    pub group_key: Option<String>,
}

/// A button on the notification: exactly one of `url` and `webhook`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// 1 to 40 characters.
    #[schema(min_length = 1, max_length = 40, example = "Approve")]
    pub label: String,
    /// Opened when clicked: an `http(s)://` URL or a path starting with `/`.
    #[serde(default)]
    pub url: Option<String>,
    /// POSTed to when clicked (an absolute `http(s)://` URL), with a
    /// `Herald-Signature` header; retried with backoff until it answers 2xx.
    #[serde(default)]
    pub webhook: Option<String>,
}

/// A recipient, by Herald user id or by the caller's own id for them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Recipient {
    Id {
        user_id: UserId,
    },
    /// Created as a new user the first time it is used.
    External {
        #[schema(min_length = 1, max_length = 255)]
        external_id: String,
    },
    /// Everyone subscribed to the topic when it goes out: answered `202`,
    /// written out in the background.
    Topic {
        #[schema(min_length = 1, max_length = 100, example = "project:42")]
        topic: String,
    },
}

/// What was created: one notification per recipient.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub notifications: Vec<CreatedOne>,
}

/// A send to everyone, or a scheduled send, accepted: its notifications
/// are written out in the background (from its time), each announced live
/// as it is stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// The send, as the admin console's Sent list shows it; `DELETE
    /// /api/v1/sends/{id}` withdraws it (before its time: cancels it).
    pub send_id: i64,
    /// The active users it is for (now; a scheduled send reaches those
    /// still active at its time).
    pub recipients: i64,
    /// When it goes out, for a scheduled send (Unix milliseconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_at: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedOne {
    pub id: i64,
    pub user_id: UserId,
    /// The recipient's sequence number of this notification.
    pub seq: i64,
}

/// Create a notification for users named by id or external id, or for everyone.
#[utoipa::path(
    post,
    path = "/api/v1/notifications",
    tag = "notifications",
    request_body = CreateRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header,
         description = "Makes retries safe: the same key and body within 24 h return the first response and create nothing; the same key with another body is 409."),
    ),
    responses(
        (status = 201, description = "Created, for recipients named by id or external id", body = Created),
        (status = 202, description = "Accepted, for a broadcast (written out to every user in the background) or a send with `send_at` (delivered at its time)", body = Accepted),
        (status = 409, description = "Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
        BodyRefusals,
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    Caller(key): Caller,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Response, Problem> {
    let idempotency_key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => match value.to_str() {
            Ok(k) if !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY => Some(k.to_owned()),
            _ => {
                let mut errors = FieldErrors::default();
                errors.push(
                    "Idempotency-Key",
                    "Must be 1 to 255 visible ASCII characters.",
                );
                return Err(Problem::invalid(errors));
            }
        },
    };

    let request_hash = sha256(&body.0);
    if let Some(k) = &idempotency_key
        && let Some(earlier) = state.store.remembered(key.id, k).await?
    {
        return replay(earlier, &request_hash);
    }

    let request: CreateRequest = body.decode()?;
    let (audience, content, actor, send_at) = validate(&state, request).await?;
    // The key is claimed in the same transaction as the notifications:
    // both are stored or neither, and of two requests racing with one key
    // the second finds the first's record and replays it.
    let remember = idempotency_key.clone().map(|k| Remember {
        api_key: key.id,
        key: k,
        request_hash: request_hash.clone(),
        response: response_body,
    });
    let sender = Caller(key.clone()).label();
    let outcome = match send_at {
        None => {
            state
                .notifier
                .send(&audience, &content, actor.as_deref(), &sender, remember)
                .await
        }
        Some(at) => {
            state
                .notifier
                .schedule(&audience, &content, actor.as_deref(), &sender, remember, at)
                .await
        }
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(StoreError::IdempotencyKeyUsed) => {
            let k = idempotency_key.as_deref().unwrap_or_default();
            let earlier = state
                .store
                .remembered(key.id, k)
                .await?
                .ok_or_else(|| Problem::internal("idempotency record vanished"))?;
            return replay(earlier, &request_hash);
        }
        Err(other) => return Err(other.into()),
    };
    let (status, json) = match outcome {
        Outcome::Sent(sent) => (
            StatusCode::CREATED,
            created_body(sent.iter().map(|s| (s.user_id, &s.notification))),
        ),
        Outcome::Queued(queued) => (StatusCode::ACCEPTED, accepted_body(&queued)),
    };
    Ok((status, [(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// The answer to a request whose Idempotency-Key was seen before: the first
/// response again, or 409 if the body differs.
fn replay(earlier: Remembered, request_hash: &[u8]) -> Result<Response, Problem> {
    if earlier.request_hash != request_hash {
        return Err(Problem::conflict(
            "This Idempotency-Key was used with a different request body.",
        ));
    }
    let status = StatusCode::from_u16(earlier.status).unwrap_or(StatusCode::CREATED);
    Ok((
        status,
        [(header::CONTENT_TYPE, "application/json")],
        earlier.response,
    )
        .into_response())
}

/// The 201 body: one entry per created notification.
fn created_body<'a>(created: impl Iterator<Item = (UserId, &'a herald::Notification)>) -> String {
    let created = Created {
        notifications: created
            .map(|(user_id, n)| CreatedOne {
                id: n.id,
                user_id,
                seq: n.seq,
            })
            .collect(),
    };
    serde_json::to_string(&created).unwrap_or_default()
}

/// The 202 body of a broadcast.
fn accepted_body(queued: &Queued) -> String {
    serde_json::to_string(&Accepted {
        send_id: queued.send,
        recipients: queued.recipients,
        send_at: queued.send_at,
    })
    .unwrap_or_default()
}

/// The response body for what the store stored, for the idempotency record.
fn response_body(stored: Stored<'_>) -> String {
    match stored {
        Stored::Copies(delivered) => {
            created_body(delivered.iter().map(|d| (d.user_id, &d.notification)))
        }
        Stored::Queued(queued) => accepted_body(queued),
    }
}

/// Retract a notification: it disappears from its recipient's inbox and
/// unread count, live in every open tab.
#[utoipa::path(
    delete,
    path = "/api/v1/notifications/{id}",
    tag = "notifications",
    params(("id" = i64, Path, description = "A notification id, as returned when it was created")),
    responses(
        (status = 204, description = "Retracted"),
        (status = 404, description = "No such notification, or already retracted", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
    ),
)]
pub async fn retract(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<i64>,
) -> Result<StatusCode, Problem> {
    match state.notifier.retract(id, &caller.label()).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(other) => Err(other.into()),
    }
}

/// Checks every field, naming each bad one; only then are users named by
/// external id created.
async fn validate(
    state: &AppState,
    request: CreateRequest,
) -> Result<(Audience, NewNotification, Option<String>, Option<i64>), Problem> {
    let mut errors = FieldErrors::default();
    match (request.broadcast, request.recipients.len()) {
        (true, 0) => {}
        (true, _) => errors.push("recipients", "Name recipients or set broadcast, not both."),
        (false, n) => check_recipient_count(n, "recipients", &mut errors),
    }
    let bad_external_id = request.recipients.iter().chain(&request.exclude).any(|r| {
        matches!(r, Recipient::External { external_id }
            if external_id.trim().is_empty() || external_id.len() > MAX_EXTERNAL_ID)
    });
    if bad_external_id {
        errors.push(
            "recipients",
            format!("external_id must be 1 to {MAX_EXTERNAL_ID} bytes."),
        );
    }
    let topics = check_topics(&request, &mut errors);
    // The same rules as the admin console's (`herald::send`).
    let content = Draft {
        title: request.title,
        body: request.body,
        link: request.link,
        category: request.category,
        actor: request.actor,
        expires_at: request.expires_at,
        send_at: request.send_at,
        group_key: request.group_key,
        actions: request
            .actions
            .into_iter()
            .map(|a| ActionSpec {
                label: a.label,
                url: a.url,
                webhook: a.webhook,
            })
            .collect(),
    }
    .check(crate::store::now_ms(), &mut errors);
    let reach = state.config.webhook_reach().map_err(Problem::internal)?;
    for (i, action) in content
        .iter()
        .flat_map(|c| &c.notification.actions)
        .enumerate()
    {
        let Some(hook) = &action.webhook else {
            continue;
        };
        let field = format!("actions[{i}].webhook");
        if state.config.webhook_secret.is_none() {
            errors.push(
                &field,
                "Webhook actions need HERALD_WEBHOOK_SECRET set on Herald, to sign them.",
            );
        } else if let Some(refusal) = reach.written_refusal(hook) {
            errors.push(
                &field,
                format!(
                    "Must be an https URL on the public internet, or at a host \
                     HERALD_WEBHOOK_ALLOW names ({refusal})."
                ),
            );
        }
    }
    let Some(Content {
        notification: content,
        actor,
        send_at,
    }) = content.filter(|_| errors.is_empty())
    else {
        return Err(Problem::invalid(errors));
    };
    if request.broadcast {
        return Ok((Audience::Everyone, content, actor, send_at));
    }
    let mut ids = Vec::with_capacity(request.recipients.len());
    for r in request.recipients {
        match r {
            Recipient::Id { user_id } => ids.push(user_id),
            // Created on first use; a deactivated one is skipped, like a
            // deactivated user named by id.
            Recipient::External { external_id } => {
                if let Some(id) = state.store.external_recipient(external_id.trim()).await? {
                    ids.push(id);
                }
            }
            Recipient::Topic { .. } => {}
        }
    }
    // Left out: never created, only looked up.
    let mut exclude = Vec::with_capacity(request.exclude.len());
    for r in request.exclude {
        match r {
            Recipient::Id { user_id } => exclude.push(user_id),
            Recipient::External { external_id } => {
                let user = state.store.user_by_external_id(external_id.trim()).await?;
                exclude.extend(user.map(|u| u.id));
            }
            Recipient::Topic { .. } => {}
        }
    }
    ids.retain(|id| !exclude.contains(id));
    let audience = if topics.is_empty() {
        Audience::Users { ids }
    } else {
        Audience::Topics {
            topics,
            users: ids,
            exclude,
        }
    };
    Ok((audience, content, actor, send_at))
}

/// The topics a send names, each once, checked (`herald::topics`), and
/// what `exclude` may hold.
fn check_topics(request: &CreateRequest, errors: &mut FieldErrors) -> Vec<String> {
    let mut topics: Vec<String> = Vec::new();
    for r in &request.recipients {
        if let Recipient::Topic { topic } = r {
            check_topic_key(topic, "recipients", errors);
            if !topics.contains(topic) {
                topics.push(topic.clone());
            }
        }
    }
    if topics.len() > MAX_TOPICS_PER_SEND {
        errors.push(
            "recipients",
            format!("At most {MAX_TOPICS_PER_SEND} topics per send."),
        );
    }
    if request
        .exclude
        .iter()
        .any(|r| matches!(r, Recipient::Topic { .. }))
    {
        errors.push(
            "exclude",
            "Name users to leave out by user_id or external_id.",
        );
    }
    if request.broadcast && !request.exclude.is_empty() {
        errors.push(
            "exclude",
            "Leave users out of a send to recipients, not of a broadcast.",
        );
    }
    if request.exclude.len() > MAX_RECIPIENTS {
        errors.push("exclude", format!("At most {MAX_RECIPIENTS} users."));
    }
    topics
}
