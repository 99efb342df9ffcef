//! The settings page: per category, whether it shows in the bell (or is
//! muted: listed in the inbox, never counted or toasted), raises desktop
//! notifications, and is pushed to devices. Each row is a plain form that
//! works without WASM; once hydrated, a change saves at once.

use herald::{Category, Preference};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

#[server(endpoint = "settings/preferences", input = PostUrl, output = crate::codec::Json)]
pub async fn get_preferences() -> Result<Vec<Preference>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.preferences(user.id).await }).await
}

/// Sets one category's four choices (an unticked box is `false`).
#[server(endpoint = "settings/preference", input = PostUrl, output = crate::codec::Json)]
pub async fn set_preference(
    category: Category,
    #[server(default)] bell: bool,
    #[server(default)] desktop: bool,
    #[server(default)] push: bool,
    #[server(default)] email: bool,
) -> Result<Vec<Preference>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        let choice = Preference {
            category,
            bell,
            desktop,
            push,
            email,
            required: false,
        };
        backend.set_preference(user.id, choice).await
    })
    .await
}

/// Herald's VAPID public key, which browsers subscribe to push with.
#[server(endpoint = "settings/push/key", input = PostUrl, output = crate::codec::Json)]
pub async fn push_key() -> Result<String, AppError> {
    use crate::backend::*;
    as_user(|backend, _| async move { Ok(backend.push_key()) }).await
}

/// Stores this device's push subscription for the signed-in user.
#[server(endpoint = "settings/push/subscribe", input = PostUrl, output = crate::codec::Json)]
pub async fn subscribe_push(
    endpoint: String,
    p256dh: String,
    auth: String,
) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        backend
            .subscribe_push(&session().await?, user.id, &endpoint, &p256dh, &auth)
            .await
    })
    .await
}

#[server(endpoint = "settings/push/unsubscribe", input = PostUrl, output = crate::codec::Json)]
pub async fn unsubscribe_push(endpoint: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.unsubscribe_push(user.id, &endpoint).await }).await
}

/// Whether Herald pushes to this browser's subscription `endpoint` for the
/// signed-in user: a browser keeps its subscription when its user signs
/// out (Herald forgets it), so the switch asks.
#[server(endpoint = "settings/push/known", input = PostUrl, output = crate::codec::Json)]
pub async fn push_device_known(endpoint: String) -> Result<bool, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.is_push_device(user.id, &endpoint).await }).await
}

/// This browser, now signed in, holds the push subscription `endpoint`:
/// Herald forgets any device stored for it under another sign-in (a
/// previous user of the browser whose cookies were cleared), so their
/// notifications stop being pushed here at once.
#[server(endpoint = "settings/push/held", input = PostUrl, output = crate::codec::Json)]
pub async fn push_device_held(endpoint: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move {
        backend
            .claim_push_device(&session().await?, user.id, &endpoint)
            .await
    })
    .await
}

/// Tells Herald which push subscription this browser holds, if it holds
/// one (see [`push_device_held`]): run when a page learns who is signed in.
#[cfg(feature = "hydrate")]
pub async fn claim_this_device() {
    if !crate::device_push::supported() {
        return;
    }
    // Nothing here is shown; its problems are in the page's language anyway.
    let l = crate::i18n::page_locale();
    let Ok(Some(subscription)) = crate::device_push::existing(l).await else {
        return;
    };
    if let Ok((endpoint, _, _)) = crate::device_push::parts(l, &subscription) {
        let _ = crate::forms::call(PushDeviceHeld { endpoint }).await;
    }
}

/// Where this device's push switch stands (learnt in the browser: the
/// server renders `Unknown`).
#[derive(Clone, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum PushState {
    /// Not known until the page is hydrated.
    Unknown,
    Unsupported,
    Off,
    On,
    /// What went wrong, for the user; the switch shows off.
    Problem(String),
}

/// "Notify me on this device": web push while no Herald tab is open.
/// Rendered only in the browser, where the service worker and the
/// subscription live.
#[component]
fn PushOptIn() -> impl IntoView {
    let l = use_locale();
    let state = RwSignal::new(PushState::Unknown);
    let busy = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if !crate::device_push::supported() {
            state.set(PushState::Unsupported);
            return;
        }
        leptos::task::spawn_local(async move {
            state.set(match this_device(l).await {
                Ok(true) => PushState::On,
                Ok(false) => PushState::Off,
                Err(problem) => PushState::Problem(problem),
            });
        });
    });
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            busy.set(true);
            let turn_on = state.get_untracked() != PushState::On;
            let outcome = if turn_on {
                enable(l).await
            } else {
                disable(l).await
            };
            state.set(match outcome {
                Ok(()) if turn_on => PushState::On,
                Ok(()) => PushState::Off,
                Err(problem) => PushState::Problem(problem),
            });
            busy.set(false);
        });
    };
    move || match state.get() {
        PushState::Unknown => EitherOf3::A(()),
        PushState::Unsupported => EitherOf3::B(view! {
            <p class="push muted">{t!(l, "push-unsupported")}</p>
        }),
        current => {
            let on = current == PushState::On;
            let problem = match current {
                PushState::Problem(problem) => Some(problem),
                _ => None,
            };
            EitherOf3::C(view! {
                <div class="push">
                    <label class="switch">
                        <input type="checkbox" role="switch" checked=on disabled=move || busy.get()
                            on:change=toggle/>
                        {t!(l, "push-switch")}
                    </label>
                    {problem.map(|p| view! { <p class="error" role="alert">{p}</p> })}
                </div>
            })
        }
    }
}

/// Whether this browser has a subscription Herald pushes to for the
/// signed-in user.
#[cfg(feature = "hydrate")]
async fn this_device(l: crate::i18n::Locale) -> Result<bool, String> {
    let Some(subscription) = crate::device_push::current(l).await? else {
        return Ok(false);
    };
    let (endpoint, _, _) = crate::device_push::parts(l, &subscription)?;
    push_device_known(endpoint).await.map_err(|e| e.message(l))
}

#[cfg(feature = "hydrate")]
async fn enable(l: crate::i18n::Locale) -> Result<(), String> {
    let key = push_key().await.map_err(|e| e.message(l))?;
    let (endpoint, p256dh, auth) = crate::device_push::subscribe(l, &key).await?;
    subscribe_push(endpoint, p256dh, auth)
        .await
        .map_err(|e| e.message(l))
}

#[cfg(feature = "hydrate")]
async fn disable(l: crate::i18n::Locale) -> Result<(), String> {
    if let Some(subscription) = crate::device_push::current(l).await? {
        let (endpoint, _, _) = crate::device_push::parts(l, &subscription)?;
        crate::device_push::unsubscribe(l, &subscription).await?;
        unsubscribe_push(endpoint).await.map_err(|e| e.message(l))?;
    }
    Ok(())
}

/// The settings page, drawn by the server. Only the switches need the
/// browser, so only they are an island, and they take the preferences as
/// a prop (no resource in the WASM); Topics and Language are plain forms
/// that reload the page, and bring no code to it.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let l = use_locale();
    let loaded = Resource::new(|| (), |_| get_preferences());
    view! {
        <section class="card settings">
            <h1>{t!(l, "settings-title")}</h1>
            <p class="muted">{t!(l, "settings-intro")}</p>
            <Suspense fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
                {move || Suspend::new(async move {
                    let (preferences, problem) = match loaded.await {
                        Ok(all) => (all, None),
                        Err(error) => (Vec::new(), Some(error.message(l))),
                    };
                    view! { <Switches preferences problem/> }
                })}
            </Suspense>
            <crate::topics::TopicsSection/>
            <crate::language::LanguageSection/>
        </section>
    }
}

/// An island: the switches save as they change, with the outcome shown,
/// and this device's desktop and push opt-ins. Lazy under `split`, like
/// the admin console: its code is a chunk only the settings page fetches,
/// not part of every page's first load. `problem` is why the preferences
/// could not be loaded, if they could not.
#[cfg_attr(feature = "split", island(lazy))]
#[cfg_attr(not(feature = "split"), island)]
fn Switches(preferences: Vec<Preference>, problem: Option<String>) -> impl IntoView {
    let l = use_locale();
    let save = crate::forms::FormAction::<SetPreference>::new();
    // What the server last said: the page's list, then each save's reply.
    // The rows are drawn again after every save, so after a refused one a
    // box shows what is stored, not what was clicked.
    let known = StoredValue::new(preferences);
    let rows = move || {
        if let Some(Ok(list)) = save.value().get() {
            known.set_value(list);
        }
        known.get_value()
    };
    let outcome = move || {
        save.value().get().map(|r| {
            let (class, role, text) = match r {
                Ok(_) => ("success", "status", t!(l, "settings-saved")),
                Err(error) => ("error", "alert", error.message(l)),
            };
            view! { <p class=class role=role>{text}</p> }
        })
    };
    // Plain forms need their Save buttons; after hydration a change saves.
    let hydrated = crate::forms::hydrated();
    view! {
        <div class="switches" data-hydrated=move || hydrated.get().then_some("true")>
            {match problem {
                None => Either::Left(view! {
                    <div class="preferences" role="table" aria-label=t!(l, "settings-table-label")>
                        <div class="pref-row pref-head" role="row">
                            <span role="columnheader">{t!(l, "settings-column-category")}</span>
                            <span role="columnheader">{t!(l, "settings-column-bell")}</span>
                            <span role="columnheader">{t!(l, "settings-column-desktop")}</span>
                            <span role="columnheader">{t!(l, "settings-column-push")}</span>
                            <span role="columnheader">{t!(l, "settings-column-email")}</span>
                            <span></span>
                        </div>
                        {move || rows().into_iter().map(|p| view! { <PreferenceRow p save hydrated/> }).collect_view()}
                    </div>
                }),
                Some(problem) => Either::Right(view! { <p class="error" role="alert">{problem}</p> }),
            }}
            {outcome}
            <h2>{t!(l, "settings-on-this-device")}</h2>
            <crate::desktop::DesktopOptIn/>
            <PushOptIn/>
        </div>
    }
}

#[component]
fn PreferenceRow(
    p: Preference,
    save: crate::forms::FormAction<SetPreference>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let l = use_locale();
    let name = p.category.as_str();
    let form = NodeRef::<leptos::html::Form>::new();
    let submit_now = move |_| {
        if let Some(form) = form.get() {
            let _ = form.request_submit();
        }
    };
    // A box clicked before this island's code arrived stays as clicked,
    // and its Save button hides now: save it rather than drop the click.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(form) = form.get() else { return };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        // A required category's form always says bell=true (a hidden field).
        let bell = p.bell || p.required;
        let stored = [
            ("bell", bell),
            ("desktop", p.desktop),
            ("push", p.push),
            ("email", p.email),
        ];
        if stored.iter().any(|(name, on)| data.has(name) != *on) {
            let _ = form.request_submit();
        }
    });
    let label = p.category.label(l);
    let in_bell = if p.required {
        t!(l, "settings-in-bell-required", category = label.clone())
    } else {
        t!(l, "settings-in-bell", category = label.clone())
    };
    let as_desktop = t!(l, "settings-as-desktop", category = label.clone());
    let as_push = t!(l, "settings-as-push", category = label.clone());
    let by_email = t!(l, "settings-by-email", category = label.clone());
    view! {
        <crate::forms::ServerForm action=save node_ref=form attr:class="pref-row" attr:role="row" attr:data-category=name>
            <input type="hidden" name="category" value=name/>
            <span role="cell" class="pref-name">
                <span class=format!("icon icon-{name}") aria-hidden="true">{crate::icons::icon(p.category)}</span>
                {label}
                {p.required.then(|| view! { <span class="required-tag">{t!(l, "settings-required")}</span> })}
            </span>
            <span role="cell">
                {if p.required {
                    // Required: always shown, and the form says so.
                    Either::Left(view! {
                        <input type="hidden" name="bell" value="true"/>
                        <input type="checkbox" checked disabled aria-label=in_bell/>
                    })
                } else {
                    Either::Right(view! {
                        <input type="checkbox" name="bell" value="true" checked=p.bell
                            aria-label=in_bell on:change=submit_now/>
                    })
                }}
            </span>
            <span role="cell">
                <input type="checkbox" name="desktop" value="true" checked=p.desktop
                    aria-label=as_desktop on:change=submit_now/>
            </span>
            <span role="cell">
                <input type="checkbox" name="push" value="true" checked=p.push
                    aria-label=as_push on:change=submit_now/>
            </span>
            <span role="cell">
                <input type="checkbox" name="email" value="true" checked=p.email
                    aria-label=by_email on:change=submit_now/>
            </span>
            <span role="cell">
                <button type="submit" class="link" hidden=move || hydrated.get()>{t!(l, "settings-save")}</button>
            </span>
        </crate::forms::ServerForm>
    }
}
