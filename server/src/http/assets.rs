//! The site's files (`/pkg`: WASM, JS, CSS) and response compression.
//!
//! Release builds name each file after a hash of its contents
//! (`hash-files` in Cargo.toml), so a file's URL never serves other bytes:
//! browsers and proxies may keep it a year without asking again. Without
//! hashes they must revalidate. `make release` (cargo-leptos
//! `--precompress`) writes `.br` and `.gz` beside each file once; they are
//! served to clients that accept them, so nothing is compressed per request.
//! Other responses (pages, JSON) are compressed on the fly; event streams
//! are not, as that would hold their messages back.

use axum::Router;
use axum::http::{HeaderValue, header};
use leptos::config::LeptosOptions;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// For files whose name changes with their contents.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// For files whose name stays the same across builds.
const REVALIDATE: &str = "no-cache";

/// Serves `{site_root}/{pkg_dir}` under `/{pkg_dir}`, precompressed
/// variants first, with cache headers to match `hashed` names.
pub fn files(
    router: Router<AppState>,
    site_root: &str,
    pkg_dir: &str,
    hashed: bool,
) -> Router<AppState> {
    let files = ServeDir::new(format!("{site_root}/{pkg_dir}"))
        .precompressed_br()
        .precompressed_gzip();
    let cache = HeaderValue::from_static(if hashed { FOREVER } else { REVALIDATE });
    router.nest_service(
        &format!("/{pkg_dir}"),
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                cache,
            ))
            .service(files),
    )
}

/// Compresses responses that are not compressed yet (brotli or gzip, as the
/// client accepts), except tiny ones, images, event streams and WASM: a
/// WASM file without a precompressed copy is a debug build's, megabytes
/// that took seconds to compress per request. Brotli's level 4 keeps a
/// page's compression well under a millisecond.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
        )
}

/// Whether the build named the site's files after their contents: it then
/// wrote its hash file beside the binary. The file decides, not
/// `LEPTOS_HASH_FILES` (set only when cargo-leptos runs Herald itself):
/// Leptos panics rendering a page if hashing is on and the file is missing.
pub fn built_with_hashes(options: &LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .is_some_and(|file| file.exists())
}

/// The address of the site's stylesheet, for the pages Herald writes
/// outside Leptos: `/pkg/herald.<hash>.css` when the build named its files
/// after their contents (read as Leptos's own `HashedStylesheet` reads it).
pub fn stylesheet(options: &LeptosOptions) -> String {
    let hash = options
        .hash_files
        .then(|| {
            let exe = std::env::current_exe().ok()?;
            let hashes =
                std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()?;
            hashes.lines().find_map(|line| {
                let (file, hash) = line.split_once(':')?;
                (file.trim() == "css").then(|| format!(".{}", hash.trim()))
            })
        })
        .flatten()
        .unwrap_or_default();
    format!(
        "/{}/{}{hash}.css",
        options.site_pkg_dir, options.output_name
    )
}
