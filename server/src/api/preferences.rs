//! A user's preferences per category, read and set by the integrator's
//! backend (API key, the user by external id) or by the user's own page
//! (connection token, `/api/v1/me/preferences`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use herald::{Preference, PreferenceChange, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::keys::Caller;
use super::me::Viewer;
use super::problem::Problem;
use super::reads::{Unknown, resolve};
use super::responses::{BodyRefusals, KeyRefusals, NoSuchUser, ViewerRefusals};
use crate::state::AppState;

/// Every category's preference, by category name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Preferences {
    #[schema(example = json!({"mention": {"bell": false, "desktop": true, "push": true, "email": false, "required": false}}))]
    pub categories: BTreeMap<String, CategoryPreference>,
}

/// One category's preference.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryPreference {
    /// Counted in the bell and toasted; false is muted: still stored and
    /// listed in the inbox, never counted.
    pub bell: bool,
    /// Desktop notifications while Herald's tab is hidden.
    pub desktop: bool,
    /// Web push while no tab is open.
    pub push: bool,
    /// In an email digest when no tab showed it in time (off by default,
    /// unless an admin makes the category emailed by default).
    pub email: bool,
    /// An admin made the category required: `bell` cannot be false.
    pub required: bool,
}

/// A change to some categories' preferences; what is left out stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// By category name: info, success, warning or mention.
    #[schema(example = json!({"mention": {"bell": false}}))]
    pub categories: BTreeMap<String, CategoryChange>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryChange {
    pub bell: Option<bool>,
    pub desktop: Option<bool>,
    pub push: Option<bool>,
    pub email: Option<bool>,
}

impl From<Vec<Preference>> for Preferences {
    fn from(all: Vec<Preference>) -> Preferences {
        Preferences {
            categories: all
                .into_iter()
                .map(|p| {
                    let shown = CategoryPreference {
                        bell: p.bell,
                        desktop: p.desktop,
                        push: p.push,
                        email: p.email,
                        required: p.required,
                    };
                    (p.category.as_str().to_owned(), shown)
                })
                .collect(),
        }
    }
}

/// A user's preferences, by your id for them.
#[utoipa::path(
    get,
    path = "/api/v1/users/{external_id}/preferences",
    tag = "preferences",
    params(("external_id" = String, Path, description = "Your id for the user")),
    responses(
        (status = 200, description = "Every category's preference", body = Preferences),
        NoSuchUser,
        (status = 422, description = "An external id that is not 1 to 255 bytes", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    Caller(_key): Caller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Preferences>, Problem> {
    let external = path.map_err(|_| Problem::no_such_user())?.0;
    let user = resolve(&state, None, Some(external), Unknown::NotFound).await?;
    Ok(Json(state.store.preferences(user).await?.into()))
}

/// Change a user's preferences, by your id for them (a user you have not
/// notified yet is created, so preferences can be synced first). Muting
/// never loses a notification: it is stored and listed, not counted.
#[utoipa::path(
    put,
    path = "/api/v1/users/{external_id}/preferences",
    tag = "preferences",
    params(("external_id" = String, Path, description = "Your id for the user")),
    request_body = PreferencesUpdate,
    responses(
        (status = 200, description = "Every category's preference after the change", body = Preferences),
        (status = 422, description = "Unknown category, or muting a required one; each named", body = Problem, content_type = "application/problem+json"),
        KeyRefusals,
        BodyRefusals,
    ),
)]
pub async fn put(
    State(state): State<AppState>,
    Caller(_key): Caller,
    path: Result<Path<String>, PathRejection>,
    body: JsonBody,
) -> Result<Json<Preferences>, Problem> {
    let external = path.map_err(|_| Problem::no_such_user())?.0;
    let changes = changes_of(body.decode()?);
    // Refused before a user unknown so far is made for it, so a refused
    // change leaves nothing behind (it is checked again in the write).
    let required = state.store.required_categories().await?;
    herald::preferences::apply(&herald::preferences::resolve(&[], &required, &[]), &changes)
        .map_err(Problem::invalid)?;
    let user = resolve(&state, None, Some(external), Unknown::Create).await?;
    save(&state, user, changes).await
}

/// The token's user's preferences.
#[utoipa::path(
    get,
    path = "/api/v1/me/preferences",
    tag = "me",
    responses(
        (status = 200, description = "Every category's preference", body = Preferences),
        ViewerRefusals,
    ),
)]
pub async fn get_mine(
    State(state): State<AppState>,
    Viewer(user): Viewer,
) -> Result<Json<Preferences>, Problem> {
    Ok(Json(state.store.preferences(user).await?.into()))
}

/// Change the token's user's preferences.
#[utoipa::path(
    put,
    path = "/api/v1/me/preferences",
    tag = "me",
    request_body = PreferencesUpdate,
    responses(
        (status = 200, description = "Every category's preference after the change", body = Preferences),
        (status = 422, description = "Unknown category, or muting a required one; each named", body = Problem, content_type = "application/problem+json"),
        ViewerRefusals,
        BodyRefusals,
    ),
)]
pub async fn put_mine(
    State(state): State<AppState>,
    Viewer(user): Viewer,
    body: JsonBody,
) -> Result<Json<Preferences>, Problem> {
    save(&state, user, changes_of(body.decode()?)).await
}

/// The changes an update asks for, by category name.
fn changes_of(update: PreferencesUpdate) -> BTreeMap<String, PreferenceChange> {
    update
        .categories
        .into_iter()
        .map(|(name, c)| {
            let change = PreferenceChange {
                bell: c.bell,
                desktop: c.desktop,
                push: c.push,
                email: c.email,
            };
            (name, change)
        })
        .collect()
}

async fn save(
    state: &AppState,
    user: UserId,
    changes: BTreeMap<String, PreferenceChange>,
) -> Result<Json<Preferences>, Problem> {
    match state.store.set_preferences(user, &changes).await? {
        Ok(all) => Ok(Json(all.into())),
        Err(errors) => Err(Problem::invalid(errors)),
    }
}
