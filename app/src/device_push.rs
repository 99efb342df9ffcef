//! This device's web push subscription, in the browser: the service worker
//! (`/sw.js`) is registered, and the subscription made with Herald's VAPID
//! key is handed to the server, which pushes to it while no tab is open.

use js_sys::{JSON, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{PushManager, PushSubscription, ServiceWorkerRegistration};

use crate::i18n::{Locale, t};

/// Why push cannot be turned on here, or what went wrong, for the user (in
/// the language each function is given; the browser's own detail as it
/// says it).
pub type Problem = String;

fn problem(what: &str, error: JsValue) -> Problem {
    let detail = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default();
    format!("{what} {detail}").trim().to_owned()
}

/// Whether this browser can do web push at all.
pub fn supported() -> bool {
    let window = leptos::prelude::window();
    Reflect::has(&window.navigator(), &"serviceWorker".into()).unwrap_or(false)
        && Reflect::has(&window, &"PushManager".into()).unwrap_or(false)
}

async fn manager(l: Locale) -> Result<PushManager, Problem> {
    let container = leptos::prelude::window().navigator().service_worker();
    let registration: ServiceWorkerRegistration = JsFuture::from(container.register("/sw.js"))
        .await
        .map_err(|e| problem(&t!(l, "push-worker-failed"), e))?
        .unchecked_into();
    registration
        .push_manager()
        .map_err(|e| problem(&t!(l, "push-no-manager"), e))
}

/// This device's current subscription, if any.
pub async fn current(l: Locale) -> Result<Option<PushSubscription>, Problem> {
    let found = JsFuture::from(
        manager(l)
            .await?
            .get_subscription()
            .map_err(|e| problem(&t!(l, "push-cannot-read-subscription"), e))?,
    )
    .await
    .map_err(|e| problem(&t!(l, "push-cannot-read-subscription"), e))?;
    Ok((!found.is_null() && !found.is_undefined()).then(|| found.unchecked_into()))
}

/// This device's current subscription, if a service worker of Herald's is
/// registered and holds one; registers nothing.
pub async fn existing(l: Locale) -> Result<Option<PushSubscription>, Problem> {
    let container = leptos::prelude::window().navigator().service_worker();
    let found = JsFuture::from(container.get_registration())
        .await
        .map_err(|e| problem(&t!(l, "push-cannot-read-worker"), e))?;
    if found.is_null() || found.is_undefined() {
        return Ok(None);
    }
    let registration: ServiceWorkerRegistration = found.unchecked_into();
    let manager = registration
        .push_manager()
        .map_err(|e| problem(&t!(l, "push-no-manager"), e))?;
    let subscription = JsFuture::from(
        manager
            .get_subscription()
            .map_err(|e| problem(&t!(l, "push-cannot-read-subscription"), e))?,
    )
    .await
    .map_err(|e| problem(&t!(l, "push-cannot-read-subscription"), e))?;
    Ok((!subscription.is_null() && !subscription.is_undefined())
        .then(|| subscription.unchecked_into()))
}

/// Subscribes this device with `key` (base64url): its endpoint and keys.
pub async fn subscribe(l: Locale, key: &str) -> Result<(String, String, String), Problem> {
    use base64::Engine;
    let permission = web_sys::Notification::request_permission()
        .map_err(|e| problem(&t!(l, "push-cannot-ask-permission"), e))?;
    let _ = JsFuture::from(permission).await;
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return Err(t!(l, "push-blocked"));
    }
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key.trim_end_matches('='))
        .map_err(|_| t!(l, "push-key-unreadable"))?;
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    Reflect::set(
        &options,
        &"applicationServerKey".into(),
        &Uint8Array::from(key.as_slice()),
    )
    .map_err(|e| problem(&t!(l, "push-cannot-subscribe"), e))?;
    let subscription: PushSubscription = JsFuture::from(
        manager(l)
            .await?
            .subscribe_with_options(&options)
            .map_err(|e| problem(&t!(l, "push-cannot-subscribe"), e))?,
    )
    .await
    .map_err(|e| problem(&t!(l, "push-service-refused"), e))?
    .unchecked_into();
    parts(l, &subscription)
}

/// A subscription's endpoint and keys, as its JSON form names them.
pub fn parts(
    l: Locale,
    subscription: &PushSubscription,
) -> Result<(String, String, String), Problem> {
    // Its JSON form, read as JS objects: a `serde_json::Value` would bring
    // a whole JSON document model into the WASM for three strings.
    let json = JSON::stringify(subscription)
        .and_then(|s| JSON::parse(&String::from(s)))
        .map_err(|_| t!(l, "push-subscription-unreadable"))?;
    let field = |path: &[&str]| {
        path.iter()
            .try_fold(json.clone(), |v, k| Reflect::get(&v, &(*k).into()).ok())
            .and_then(|v| v.as_string())
            .ok_or_else(|| t!(l, "push-subscription-incomplete"))
    };
    Ok((
        field(&["endpoint"])?,
        field(&["keys", "p256dh"])?,
        field(&["keys", "auth"])?,
    ))
}

/// Ends this device's subscription in the browser.
pub async fn unsubscribe(l: Locale, subscription: &PushSubscription) -> Result<(), Problem> {
    JsFuture::from(
        subscription
            .unsubscribe()
            .map_err(|e| problem(&t!(l, "push-cannot-unsubscribe"), e))?,
    )
    .await
    .map_err(|e| problem(&t!(l, "push-cannot-unsubscribe"), e))?;
    Ok(())
}
