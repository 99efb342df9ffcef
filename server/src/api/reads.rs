//! Reading a user's notifications and count, and marking one read, for an
//! application that shows Herald's data in its own pages.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use herald::{FieldErrors, InboxView, Notification, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::{ApiQuery, IdPath};
use super::keys::Caller;
use super::problem::Problem;
use super::responses::{InvalidParams, KeyRefusals, NoSuchUser};
use crate::state::AppState;

/// Which user: a Herald id or the caller's external id (exactly one).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserRef {
    /// A Herald user id.
    user_id: Option<UserId>,
    /// The caller's own id for the user.
    external_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// A Herald user id.
    user_id: Option<UserId>,
    /// The caller's own id for the user.
    external_id: Option<String>,
    /// unread, all (default: the inbox, not archived or snoozed), snoozed or archived.
    view: Option<String>,
    /// Only notifications older than this `seq` (the `next_before` of the last page).
    before: Option<i64>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
}

/// A notification as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiNotification {
    pub id: i64,
    pub seq: i64,
    /// The recipient's sequence number of its latest change: of two copies,
    /// the one with the higher version is the newer.
    pub version: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub category: String,
    pub actor: Option<String>,
    pub created_at: i64,
    pub seen_at: Option<i64>,
    pub read_at: Option<i64>,
    pub archived_at: Option<i64>,
    /// Snoozed until then (Unix ms): out of the inbox and the count till then.
    pub snoozed_until: Option<i64>,
    /// Arrived while its category was muted: listed, never counted.
    pub muted: bool,
    /// Its buttons: a label, and the address of a link action.
    pub actions: Vec<ApiAction>,
    /// When the recipient first clicked one of its actions.
    pub interacted_at: Option<i64>,
    /// The webhook action the recipient chose (its index), if any: a
    /// choice made once; the other webhook actions are then closed.
    pub chosen_action: Option<usize>,
    /// The sender's `group_key`, if any.
    pub group_key: Option<String>,
    /// The row it shows in: the `seq` of the first notification of that
    /// key in the row. Notifications sharing a `group` show, count and are
    /// read, archived or snoozed as one.
    pub group: Option<i64>,
}

/// A notification's button as the API shows it (a webhook's address is
/// never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiAction {
    pub label: String,
    /// Where a link action goes; `null` for a webhook action.
    pub url: Option<String>,
}

impl From<Notification> for ApiNotification {
    fn from(n: Notification) -> ApiNotification {
        ApiNotification {
            id: n.id,
            seq: n.seq,
            version: n.version,
            title: n.title,
            body: n.body,
            link: n.link,
            category: n.category.as_str().to_owned(),
            actor: n.actor,
            created_at: n.created_at,
            seen_at: n.seen_at,
            read_at: n.read_at,
            archived_at: n.archived_at,
            snoozed_until: n.snoozed_until,
            muted: n.muted,
            actions: n
                .actions
                .into_iter()
                .map(|a| ApiAction {
                    label: a.label,
                    url: a.url,
                })
                .collect(),
            interacted_at: n.interacted_at,
            chosen_action: n.chosen_action,
            group_key: n.group_key,
            group: n.group,
        }
    }
}

/// One page, newest first; pass `next_before` as `before` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    pub notifications: Vec<ApiNotification>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unread {
    pub unread: i64,
    /// The user's sequence number this count is valid at.
    pub seq: i64,
}

pub(super) fn invalid(field: &str, message: &str) -> Problem {
    let mut errors = FieldErrors::default();
    errors.push(field, message);
    Problem::invalid(errors)
}

/// Whether naming an unknown external id creates that user.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Unknown {
    /// Reads: an unknown (or deactivated) user is 404, and nothing is stored.
    NotFound,
    /// Connection tokens: a user the application has not notified yet gets
    /// an empty inbox to watch.
    Create,
}

/// The active user a request names; an unknown Herald id is 404, an
/// unknown external id as `unknown` says.
pub(super) async fn resolve(
    state: &AppState,
    user_id: Option<UserId>,
    external_id: Option<String>,
    unknown: Unknown,
) -> Result<UserId, Problem> {
    match (user_id, external_id) {
        (Some(id), None) => match state.store.user(id).await? {
            Some(user) => Ok(user.id),
            None => Err(Problem::no_such_user()),
        },
        (None, Some(external)) if !external.trim().is_empty() && external.len() <= 255 => {
            let user = match unknown {
                Unknown::NotFound => state.store.user_by_external_id(external.trim()).await?,
                Unknown::Create => state.store.external_user(external.trim()).await?,
            };
            user.map(|u| u.id).ok_or_else(Problem::no_such_user)
        }
        (None, Some(_)) => Err(invalid("external_id", "Must be 1 to 255 bytes.")),
        _ => Err(invalid(
            "user_id",
            "Name the user by user_id or external_id, not both.",
        )),
    }
}

/// A page of one user's notifications.
#[utoipa::path(
    get,
    path = "/api/v1/notifications",
    tag = "notifications",
    params(PageQuery),
    responses(
        (status = 200, description = "A page, newest first", body = Page),
        NoSuchUser,
        InvalidParams,
        KeyRefusals,
    ),
)]
pub async fn page(
    State(state): State<AppState>,
    Caller(_key): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Page>, Problem> {
    let view = view_and_limit(query.view.as_deref(), query.limit)?;
    let user = resolve(&state, query.user_id, query.external_id, Unknown::NotFound).await?;
    Ok(Json(one_page(&state, user, view, query.before).await?))
}

/// Which notifications a page shows, and how many, as a query names them.
pub(super) fn view_and_limit(
    view: Option<&str>,
    limit: Option<i64>,
) -> Result<(InboxView, i64), Problem> {
    let view = match view {
        None | Some("") => InboxView::All,
        Some(name) => InboxView::parse(name)
            .ok_or_else(|| invalid("view", "Must be unread, all, snoozed or archived."))?,
    };
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(invalid("limit", "Must be 1 to 100."));
    }
    Ok((view, limit))
}

/// One page of `user`'s notifications older than `before`, newest first.
pub(super) async fn one_page(
    state: &AppState,
    user: UserId,
    (view, limit): (InboxView, i64),
    before: Option<i64>,
) -> Result<Page, Problem> {
    let items = state.store.page(user, view, before, limit).await?;
    let next_before = (items.len() as i64 == limit)
        .then(|| items.last().map(|n| n.seq))
        .flatten();
    Ok(Page {
        notifications: items.into_iter().map(ApiNotification::from).collect(),
        next_before,
    })
}

/// One user's unread count.
#[utoipa::path(
    get,
    path = "/api/v1/unread",
    tag = "notifications",
    params(UserRef),
    responses(
        (status = 200, description = "The count", body = Unread),
        NoSuchUser,
        InvalidParams,
        KeyRefusals,
    ),
)]
pub async fn unread(
    State(state): State<AppState>,
    Caller(_key): Caller,
    ApiQuery(query): ApiQuery<UserRef>,
) -> Result<Json<Unread>, Problem> {
    let user = resolve(&state, query.user_id, query.external_id, Unknown::NotFound).await?;
    let herald::Counts { unread, seq } = state.store.unread(user).await?;
    Ok(Json(Unread { unread, seq }))
}

/// Mark one notification read, for its recipient, live in their open tabs.
#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/read",
    tag = "notifications",
    params(("id" = i64, Path, description = "A notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "No such notification", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
    ),
)]
pub async fn mark_read(
    State(state): State<AppState>,
    Caller(_key): Caller,
    IdPath(id): IdPath<i64>,
) -> Result<StatusCode, Problem> {
    let owner = state
        .store
        .owner_of(id)
        .await?
        .ok_or_else(Problem::not_found)?;
    state
        .notifier
        .change_one(owner, id, herald::Change::Read(true))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
