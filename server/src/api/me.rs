//! `/api/v1/me`: one user's own notifications, for a page on the
//! integrator's site (the embedded bell). Authenticated by that user's
//! connection token, which the integrator's backend mints
//! (`POST /api/v1/connection-tokens`), so a token reaches its own user's
//! notifications and nobody else's. Browsers may call it from the origins in
//! `HERALD_ALLOWED_ORIGINS` (CORS) and from no other: with none set, no
//! cross-origin page can.

use std::time::Duration;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use herald::Change;
use herald::UserId;
use serde::Deserialize;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::IntoParams;

use super::body::{ApiQuery, IdPath};
use super::keys::bearer;
use super::problem::Problem;
use super::reads::{Page, Unread, one_page, view_and_limit};
use super::responses::{InvalidParams, ViewerRefusals};
use crate::config::Config;
use crate::state::AppState;
use crate::store::now_ms;

/// The user a connection token stands for: checked on every request (the
/// token's signature and expiry, the user active, the minting key not
/// revoked), then counted against that user's rate limit.
pub struct Viewer(pub UserId);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Viewer, Problem> {
        let token = bearer(parts).ok_or_else(Problem::token_refused)?;
        let (user, _) = state
            .token_holder(token)
            .await?
            .ok_or_else(Problem::token_refused)?;
        super::limits::check_limit(&state.viewer_limiter, user.id, "this user")?;
        Ok(Viewer(user.id))
    }
}

/// CORS for `/api/v1/me`: the configured origins only, bearer tokens (no
/// cookies), preflights cached for ten minutes.
pub fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .allowed_origins()
        .into_iter()
        .filter_map(|origin| HeaderValue::from_str(&origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyPageQuery {
    /// unread, all (default: the inbox, not archived or snoozed), snoozed or archived.
    view: Option<String>,
    /// Only notifications older than this `seq` (the `next_before` of the last page).
    before: Option<i64>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
}

/// A page of the token's user's notifications.
#[utoipa::path(
    get,
    path = "/api/v1/me/notifications",
    tag = "me",
    params(MyPageQuery),
    responses(
        (status = 200, description = "A page, newest first", body = Page),
        InvalidParams,
        ViewerRefusals,
    ),
)]
pub async fn page(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    ApiQuery(query): ApiQuery<MyPageQuery>,
) -> Result<Json<Page>, Problem> {
    let shown = view_and_limit(query.view.as_deref(), query.limit)?;
    Ok(Json(one_page(&state, user, shown, query.before).await?))
}

/// The token's user's unread count.
#[utoipa::path(
    get,
    path = "/api/v1/me/unread",
    tag = "me",
    responses(
        (status = 200, description = "The count", body = Unread),
        ViewerRefusals,
    ),
)]
pub async fn unread(
    State(state): State<AppState>,
    Viewer(user): Viewer,
) -> Result<Json<Unread>, Problem> {
    let herald::Counts { unread, seq } = state.store.unread(user).await?;
    Ok(Json(Unread { unread, seq }))
}

/// Applies `change` to notification `id` if it is the viewer's (another
/// user's is 404, like one that does not exist), live in their open tabs;
/// to a grouped one's whole row (every notification of its `group`).
async fn change(
    state: &AppState,
    user: UserId,
    id: i64,
    change: Change,
) -> Result<StatusCode, Problem> {
    state.notifier.change_one(user, id, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

macro_rules! change_route {
    ($name:ident, $path:literal, $summary:literal, $change:expr) => {
        #[doc = $summary]
        #[utoipa::path(
            post,
            path = $path,
            tag = "me",
            params(("id" = i64, Path, description = "A notification id")),
            responses(
                (status = 204, description = "Done"),
                (status = 404, description = "No such notification of this user", body = Problem, content_type = "application/problem+json"),
                ViewerRefusals,
            ),
                )]
        pub async fn $name(
            State(state): State<AppState>,
            Viewer(user): Viewer,
            IdPath(id): IdPath<i64>,
        ) -> Result<StatusCode, Problem> {
            change(&state, user, id, $change).await
        }
    };
}

change_route!(
    read,
    "/api/v1/me/notifications/{id}/read",
    "Mark one read (a grouped one: its row).",
    Change::Read(true)
);
change_route!(
    unread_one,
    "/api/v1/me/notifications/{id}/unread",
    "Mark one unread (a grouped one: its row).",
    Change::Read(false)
);
change_route!(
    archive,
    "/api/v1/me/notifications/{id}/archive",
    "Archive one (a grouped one: its row).",
    Change::Archived(true)
);
change_route!(
    unarchive,
    "/api/v1/me/notifications/{id}/unarchive",
    "Take one out of the archive (a grouped one: its row).",
    Change::Archived(false)
);
change_route!(
    unsnooze,
    "/api/v1/me/notifications/{id}/unsnooze",
    "Bring a snoozed one back now (a grouped one: its row).",
    Change::Snoozed(None)
);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnoozeQuery {
    /// When it comes back (Unix milliseconds, in the future, at most a year ahead).
    until: i64,
}

/// Snooze one (a grouped one: its row) until a time: out of the inbox and the count till then, in
/// every tab; it comes back live (also if Herald was down at the time).
#[utoipa::path(
    post,
    path = "/api/v1/me/notifications/{id}/snooze",
    tag = "me",
    params(("id" = i64, Path, description = "A notification id"), SnoozeQuery),
    responses(
        (status = 204, description = "Snoozed (or already snoozed)"),
        (status = 404, description = "No such notification of this user", body = Problem, content_type = "application/problem+json"),
        InvalidParams,
        ViewerRefusals,
    ),
)]
pub async fn snooze(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    IdPath(id): IdPath<i64>,
    ApiQuery(query): ApiQuery<SnoozeQuery>,
) -> Result<StatusCode, Problem> {
    let mut errors = herald::FieldErrors::default();
    herald::send::check_future(Some(query.until), now_ms(), "until", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    change(&state, user, id, Change::Snoozed(Some(query.until))).await
}

/// Mark read everything the user has now (not what arrives meanwhile).
#[utoipa::path(
    post,
    path = "/api/v1/me/notifications/read-all",
    tag = "me",
    responses(
        (status = 204, description = "Done"),
        ViewerRefusals,
    ),
)]
pub async fn read_all(
    State(state): State<AppState>,
    Viewer(user): Viewer,
) -> Result<StatusCode, Problem> {
    let seq = state.store.unread(user).await?.seq;
    state.notifier.mark_all_read(user, seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What clicking an action did: where to send the user, for a link action.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Acted {
    /// The link action's address; `null` for a webhook action (Herald
    /// POSTs the integrator's webhook, signed).
    pub url: Option<String>,
}

/// Click one of a notification's actions: it is marked read and
/// interacted (`interacted_at`, the first time), live in every tab.
#[utoipa::path(
    post,
    path = "/api/v1/me/notifications/{id}/actions/{index}",
    tag = "me",
    params(
        ("id" = i64, Path, description = "A notification id"),
        ("index" = usize, Path, description = "Which action: 0 or 1"),
    ),
    responses(
        (status = 200, description = "Recorded", body = Acted),
        (status = 404, description = "No such notification of this user, or no such action", body = Problem, content_type = "application/problem+json"),
        ViewerRefusals,
    ),
)]
pub async fn act(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    IdPath((id, index)): IdPath<(i64, usize)>,
) -> Result<Json<Acted>, Problem> {
    let (_, action) = state.notifier.interact(user, id, index).await?;
    Ok(Json(Acted { url: action.url }))
}
