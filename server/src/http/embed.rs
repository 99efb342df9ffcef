//! `/embed/herald-bell.js`: the bell any site can include
//! (`public/embed/herald-bell.js`), and `/embed/herald-bell.d.ts`, its
//! TypeScript declarations, both built into the binary so they are served
//! whatever the site directory holds. Their names do not change between
//! releases, so they are cached briefly; other sites load them, so they say
//! so (`Cross-Origin-Resource-Policy`).

use axum::http::header;
use axum::response::IntoResponse;

const SCRIPT: &str = include_str!("../../../public/embed/herald-bell.js");
const TYPES: &str = include_str!("../../../public/embed/herald-bell.d.ts");

pub async fn script() -> impl IntoResponse {
    embedded("text/javascript; charset=utf-8", SCRIPT)
}

pub async fn types() -> impl IntoResponse {
    embedded("application/typescript; charset=utf-8", TYPES)
}

fn embedded(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin",
            ),
        ],
        body,
    )
}
