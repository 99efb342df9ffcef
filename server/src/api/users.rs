//! `PUT /api/v1/users/{external_id}`: what Herald knows of one of your
//! users besides their id: the email address digests go to and the name
//! they are greeted by. Also makes the user, so preferences and topics can
//! be set up before their first notification.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use herald::user::DISPLAY_NAME_MAX_CHARS;
use herald::{FieldErrors, UserId, check_email};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::keys::Caller;
use super::problem::Problem;
use super::reads::{Unknown, resolve};
use super::responses::{BodyRefusals, KeyRefusals, NoSuchUser};
use crate::state::AppState;

/// The user's contact details; a field left out or `null` is removed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Where email digests go (none without one).
    #[schema(example = "ana@example.com")]
    #[serde(default)]
    pub email: Option<String>,
    /// How digests greet them (at most 100 characters).
    #[schema(example = "Ana")]
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The user as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiUser {
    pub user_id: UserId,
    pub external_id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
}

/// Set a user's email address and display name (made on first use).
#[utoipa::path(
    put,
    path = "/api/v1/users/{external_id}",
    tag = "users",
    request_body = Contact,
    params(("external_id" = String, Path, description = "Your id for the user")),
    responses(
        (status = 200, description = "Stored", body = ApiUser),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        NoSuchUser,
        KeyRefusals,
        BodyRefusals,
    ),
)]
pub async fn put(
    State(state): State<AppState>,
    _: Caller,
    path: Result<Path<String>, PathRejection>,
    body: JsonBody,
) -> Result<Json<ApiUser>, Problem> {
    let external = path.map_err(|_| Problem::no_such_user())?.0;
    let contact: Contact = body.decode()?;
    let email = contact
        .email
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    let name = contact
        .display_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let mut errors = FieldErrors::default();
    if let Some(Err(message)) = email.as_deref().map(check_email) {
        errors.push("email", message);
    }
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > DISPLAY_NAME_MAX_CHARS)
    {
        errors.push(
            "display_name",
            format!("Must be at most {DISPLAY_NAME_MAX_CHARS} characters."),
        );
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let user = resolve(&state, None, Some(external.clone()), Unknown::Create).await?;
    state
        .store
        .set_contact(user, email.as_deref(), name.as_deref())
        .await?;
    Ok(Json(ApiUser {
        user_id: user,
        external_id: external.trim().to_owned(),
        email,
        display_name: name,
    }))
}
