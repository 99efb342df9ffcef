//! `/api/v1/topics/{key}/subscribers`: who follows a topic. An integrator
//! subscribes its users (by external id, made on first use, or Herald id)
//! and sends to the topic with `"recipients": [{"topic": key}]`.

use axum::Json;
use axum::extract::{Path, State};
use herald::topics::check_topic_key;
use herald::{FieldErrors, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{ApiQuery, JsonBody};
use super::keys::Caller;
use super::problem::Problem;
use super::responses::{BodyRefusals, InvalidParams, KeyRefusals};
use crate::state::AppState;

/// The most users one change names.
const MAX_USERS: usize = 1000;
const MAX_PAGE: i64 = 1000;

/// Users to subscribe or unsubscribe: by your ids, by Herald's, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribersChange {
    /// Your ids for the users; subscribing creates unknown ones.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub external_ids: Vec<String>,
    /// Herald user ids.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub user_ids: Vec<UserId>,
}

/// How many a change affected.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changed {
    /// Users newly subscribed (or, removing, who were subscribed).
    pub changed: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscribersQuery {
    /// Only subscribers with a larger Herald id (the `next_after` of the last page).
    after: Option<UserId>,
    /// Page size, 1 to 1000 (default 100).
    limit: Option<i64>,
}

/// One page of a topic's subscribers, in Herald id order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscribersPage {
    pub subscribers: Vec<ApiSubscriber>,
    /// Pass as `after` for the next page; `null` on the last.
    pub next_after: Option<UserId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiSubscriber {
    pub user_id: UserId,
    pub external_id: Option<String>,
    /// When they were subscribed (Unix milliseconds).
    pub since: i64,
}

/// Subscribe users to a topic (those already subscribed stay so).
#[utoipa::path(
    put,
    path = "/api/v1/topics/{key}/subscribers",
    tag = "topics",
    request_body = SubscribersChange,
    params(("key" = String, Path, description = "1 to 100 letters, digits, ':', '_', '.' or '-', e.g. project:42")),
    responses(
        (status = 200, description = "Subscribed", body = Changed),
        (status = 422, description = "Invalid topic or users, each named", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
        BodyRefusals,
    ),
)]
pub async fn subscribe(
    State(state): State<AppState>,
    _: Caller,
    Path(key): Path<String>,
    body: JsonBody,
) -> Result<Json<Changed>, Problem> {
    let users = users(&state, &key, body, true).await?;
    let changed = state.store.subscribe(&key, &users).await?;
    Ok(Json(Changed { changed }))
}

/// Unsubscribe users from a topic.
#[utoipa::path(
    delete,
    path = "/api/v1/topics/{key}/subscribers",
    tag = "topics",
    request_body = SubscribersChange,
    params(("key" = String, Path, description = "The topic")),
    responses(
        (status = 200, description = "Unsubscribed", body = Changed),
        (status = 422, description = "Invalid topic or users, each named", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
        BodyRefusals,
    ),
)]
pub async fn unsubscribe(
    State(state): State<AppState>,
    _: Caller,
    Path(key): Path<String>,
    body: JsonBody,
) -> Result<Json<Changed>, Problem> {
    let users = users(&state, &key, body, false).await?;
    let changed = state.store.unsubscribe(&key, &users).await?;
    Ok(Json(Changed { changed }))
}

/// A page of a topic's subscribers.
#[utoipa::path(
    get,
    path = "/api/v1/topics/{key}/subscribers",
    tag = "topics",
    params(("key" = String, Path, description = "The topic"), SubscribersQuery),
    responses(
        (status = 200, description = "Subscribers in Herald id order", body = SubscribersPage),
        InvalidParams,
        KeyRefusals,
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    _: Caller,
    Path(key): Path<String>,
    ApiQuery(query): ApiQuery<SubscribersQuery>,
) -> Result<Json<SubscribersPage>, Problem> {
    let mut errors = FieldErrors::default();
    check_topic_key(&key, "key", &mut errors);
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        errors.push("limit", format!("Must be 1 to {MAX_PAGE}."));
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let page = state.store.subscribers(&key, query.after, limit).await?;
    let next_after = (page.len() as i64 == limit)
        .then(|| page.last().map(|s| s.user_id))
        .flatten();
    Ok(Json(SubscribersPage {
        subscribers: page
            .into_iter()
            .map(|s| ApiSubscriber {
                user_id: s.user_id,
                external_id: s.external_id,
                since: s.since,
            })
            .collect(),
        next_after,
    }))
}

/// The users a change names, checked with the topic; `create` makes
/// unknown external ids into users (subscribing), else they are skipped.
async fn users(
    state: &AppState,
    key: &str,
    body: JsonBody,
    create: bool,
) -> Result<Vec<UserId>, Problem> {
    let mut errors = FieldErrors::default();
    check_topic_key(key, "key", &mut errors);
    let change: SubscribersChange = body.decode()?;
    let count = change.external_ids.len() + change.user_ids.len();
    if count == 0 || count > MAX_USERS {
        errors.push(
            "external_ids",
            format!("Name 1 to {MAX_USERS} users (external_ids and user_ids together)."),
        );
    }
    if change
        .external_ids
        .iter()
        .any(|e| e.trim().is_empty() || e.len() > 255)
    {
        errors.push("external_ids", "Each must be 1 to 255 bytes.");
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let mut users = change.user_ids;
    for external_id in &change.external_ids {
        let found = if create {
            state.store.external_recipient(external_id.trim()).await?
        } else {
            state
                .store
                .user_by_external_id(external_id.trim())
                .await?
                .map(|u| u.id)
        };
        users.extend(found);
    }
    Ok(users)
}
