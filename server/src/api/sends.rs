//! `DELETE /api/v1/sends/{id}`: withdraws a whole send, whoever it went to.
//! Before a scheduled send's time this cancels it: nobody ever gets it.

use axum::extract::State;
use axum::http::StatusCode;

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
