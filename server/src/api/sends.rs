//! `/api/v1/sends/{id}`: a whole send, whoever it went to. `GET` says
//! where it stands; `DELETE` withdraws it, and before a scheduled send's
//! time this cancels it: nobody ever gets it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::body::IdPath;
use super::keys::Caller;
use super::problem::Problem;
use super::responses::KeyRefusals;
use crate::state::AppState;

/// Withdraw a send: every notification of it leaves its recipient's inbox
/// and unread count, live in every open tab, and what is still to be
/// written out (a send to everyone, a scheduled send) never is. A send
/// already withdrawn stays so (`204` again).
#[utoipa::path(
    delete,
    path = "/api/v1/sends/{id}",
    tag = "notifications",
    params(("id" = i64, Path, description = "A send id, as `send_id` in a 202 answer")),
    responses(
        (status = 204, description = "Withdrawn (or cancelled before its time)"),
        (status = 404, description = "No such send", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
    ),
)]
pub async fn retract(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<i64>,
) -> Result<StatusCode, Problem> {
    state.notifier.retract_send(id, &caller.label()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A send as an integrator follows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SendStatus {
    pub send_id: i64,
    pub title: String,
    /// Who it is for, as the admin console shows it ("2 users", "Topic project:42").
    pub audience: String,
    /// scheduled (waiting for `send_at`), sending (being written out),
    /// sent, or withdrawn (retracted; before its time: cancelled).
    #[schema(example = "sent")]
    pub status: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub send_at: Option<i64>,
    /// Copies stored so far.
    pub recipients: i64,
    /// Recipients with a live connection when it reached them.
    pub delivered: i64,
    pub seen: i64,
    pub read: i64,
    /// Recipients who clicked one of its actions.
    pub interacted: i64,
}

/// Where a send stands: scheduled, being written out, sent or withdrawn,
/// with how many it reached and how many have seen and read it.
#[utoipa::path(
    get,
    path = "/api/v1/sends/{id}",
    tag = "notifications",
    params(("id" = i64, Path, description = "A send id, as `send_id` in a 202 answer")),
    responses(
        (status = 200, description = "The send", body = SendStatus),
        (status = 404, description = "No such send", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
    ),
)]
pub async fn status(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath<i64>,
) -> Result<Json<SendStatus>, Problem> {
    let row = state
        .store
        .sends(None, id.checked_add(1), 1)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(Problem::not_found)?;
    let now = crate::store::now_ms();
    let status = if row.retracted_at.is_some() {
        "withdrawn"
    } else if row.send_at.is_some_and(|at| at > now) {
        "scheduled"
    } else if row.fanning_out > 0 {
        "sending"
    } else {
        "sent"
    };
    Ok(Json(SendStatus {
        send_id: row.id,
        title: row.title,
        audience: row.audience,
        status: status.to_owned(),
        created_at: row.created_at,
        send_at: row.send_at,
        recipients: row.recipients,
        delivered: row.delivered,
        seen: row.seen,
        read: row.read,
        interacted: row.interacted,
    }))
}
