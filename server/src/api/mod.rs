//! The integration API under `/api/v1`, for applications that create
//! notifications (the way a Django `post_save` signal would), authenticated
//! by `Authorization: Bearer <api key>`. Errors are RFC 9457
//! `application/problem+json`.

mod body;
mod keys;
pub mod limits;
mod me;
mod notifications;
mod preferences;
pub(crate) mod problem;
mod reads;
mod responses;
mod sends;
mod tokens;
mod topics;
mod users;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

pub use keys::Caller;
pub use limits::{Limiter, limiter};
pub use me::cors;
pub use problem::Problem;

use crate::state::AppState;

pub fn router(config: &crate::config::Config) -> Router<AppState> {
    let me = Router::new()
        .route("/api/v1/me/notifications", get(me::page))
        .route("/api/v1/me/unread", get(me::unread))
        .route("/api/v1/me/notifications/read-all", post(me::read_all))
        .route("/api/v1/me/notifications/{id}/read", post(me::read))
        .route("/api/v1/me/notifications/{id}/unread", post(me::unread_one))
        .route("/api/v1/me/notifications/{id}/archive", post(me::archive))
        .route(
            "/api/v1/me/notifications/{id}/unarchive",
            post(me::unarchive),
        )
        .route("/api/v1/me/notifications/{id}/snooze", post(me::snooze))
        .route("/api/v1/me/notifications/{id}/unsnooze", post(me::unsnooze))
        .route(
            "/api/v1/me/notifications/{id}/actions/{index}",
            post(me::act),
        )
        .route(
            "/api/v1/me/preferences",
            get(preferences::get_mine).put(preferences::put_mine),
        )
        .layer(me::cors(config));
    Router::new()
        .route(
            "/api/v1/notifications",
            post(notifications::create).get(reads::page),
        )
        .route("/api/v1/notifications/{id}", delete(notifications::retract))
        .route(
            "/api/v1/sends/{id}",
            get(sends::status).delete(sends::retract),
        )
        .route(
            "/api/v1/topics/{key}/subscribers",
            get(topics::list)
                .put(topics::subscribe)
                .delete(topics::unsubscribe),
        )
        .route("/api/v1/notifications/{id}/read", post(reads::mark_read))
        .route("/api/v1/unread", get(reads::unread))
        .route("/api/v1/users/{external_id}", put(users::put))
        .route(
            "/api/v1/users/{external_id}/preferences",
            get(preferences::get).put(preferences::put),
        )
        .route("/api/v1/connection-tokens", post(tokens::issue))
        .route(
            "/api/v1/openapi.json",
            get(|| async { Json(ApiDoc::openapi()) }),
        )
        .merge(me)
        .layer(DefaultBodyLimit::max(crate::http::BODY_LIMIT))
}

/// The OpenAPI 3.1 document, generated from the handlers and types above
/// so it cannot drift from them.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herald integration API",
        version = "1",
        description = "Create in-app notifications from your application. Authenticate with `Authorization: Bearer <api key>` (an admin creates keys on Herald's admin page). Errors are RFC 9457 problem details."
    ),
    paths(
        notifications::create,
        notifications::retract,
        sends::retract,
        sends::status,
        topics::subscribe,
        topics::unsubscribe,
        topics::list,
        users::put,
        reads::page,
        reads::unread,
        reads::mark_read,
        tokens::issue,
        me::page,
        me::unread,
        me::read,
        me::unread_one,
        me::archive,
        me::unarchive,
        me::snooze,
        me::unsnooze,
        me::read_all,
        me::act,
        preferences::get,
        preferences::put,
        preferences::get_mine,
        preferences::put_mine
    ),
    modifiers(&BearerAuth),
    // Every operation takes a bearer: an API key, or (under /me) a token.
    security(("bearer" = [])),
    tags(
        (name = "notifications", description = "Creating notifications"),
        (name = "users", description = "What Herald knows of your users: email address and name"),
        (name = "topics", description = "Named audiences: subscribe users, then send to the topic"),
        (name = "preferences", description = "What each user wants to hear about, per category"),
        (name = "me", description = "One user's own notifications, for a page on your site: authenticate with that user's connection token instead of an API key")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
