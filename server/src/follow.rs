//! `GET /notifications/{id}/open`: following a notification's link marks it
//! read, then sends the browser on. A plain link, so it works without WASM.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::AppState;
use crate::auth;
use crate::error::Error;
use crate::store::StoreError;

pub async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    let Some(user) = auth::session_user(&session, &state.store).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let notification = match state.services.set_read(user.id, id, true).await {
        Ok(notification) => notification,
        // Someone else's looks exactly like one that does not exist.
        Err(app::error::AppError::NotFound) => return Err(Error::Store(StoreError::NotFound)),
        // Anything else was logged where it happened.
        Err(_) => return Err(Error::Internal),
    };
    // The link was checked (http(s) or a same-site path) when it was stored.
    let to = notification
        .link
        .unwrap_or_else(|| "/notifications".to_owned());
    Ok(Redirect::to(&to).into_response())
}
