//! `/embed/herald-bell.js`: the bell any site can include
//! (`public/embed/herald-bell.js`), built into the binary so it is served
//! whatever the site directory holds. Its name does not change between
//! releases, so it is cached briefly; other sites load it, so it says so
//! (`Cross-Origin-Resource-Policy`).

use axum::http::header;
use axum::response::IntoResponse;

const SCRIPT: &str = include_str!("../../../public/embed/herald-bell.js");

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin",
            ),
        ],
        SCRIPT,
    )
}
