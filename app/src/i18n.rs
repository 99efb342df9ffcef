//! The page's language. The server picks it per request (the user's
//! setting, else `Accept-Language`, else English: `server/src/http/
//! locale.rs`) and writes it into `<html lang>`; the browser reads it back
//! from there, so both render the same words.

pub use herald::i18n::Locale;
pub use herald::t;
use leptos::prelude::*;

/// The language this page is in: as [`App`](crate::App) provided it, or,
/// in an island in the browser, `<html lang>`.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(page_locale)
}

/// The language of the page being rendered: on the server, the one the
/// request was given; in the browser, `<html lang>`.
pub fn page_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                parts.extensions.get::<Locale>().copied().or_else(|| {
                    parts
                        .headers
                        .get(axum::http::header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .map(Locale::negotiate)
                })
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|tag| Locale::parse(&tag))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::default()
    }
}

/// "5 minutes ago", "in 3 hours": in the browser by the platform's
/// `Intl.RelativeTimeFormat`, on the server by the catalogue's CLDR
/// patterns (`herald::i18n`); a browser test checks the two agree.
pub fn relative(locale: Locale, then_ms: i64, now_ms: i64) -> String {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        if let Some(text) = intl_relative(locale, then_ms, now_ms) {
            return text;
        }
    }
    locale.relative(then_ms, now_ms)
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn intl_relative(locale: Locale, then_ms: i64, now_ms: i64) -> Option<String> {
    use wasm_bindgen::JsValue;
    let (value, unit) = herald::i18n::relative_parts(then_ms, now_ms);
    let options = js_sys::Object::new();
    // "now" for zero seconds; numbers otherwise ("1 day ago", not "yesterday").
    let numeric = if value == 0 { "auto" } else { "always" };
    js_sys::Reflect::set(&options, &"numeric".into(), &numeric.into()).ok()?;
    js_sys::Reflect::set(&options, &"style".into(), &"long".into()).ok()?;
    let locales = js_sys::Array::of1(&JsValue::from_str(locale.tag()));
    let format = js_sys::Intl::RelativeTimeFormat::new(&locales, &options);
    Some(format.format(value as f64, unit.as_str()).into())
}
