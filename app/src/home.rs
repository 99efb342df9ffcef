//! The home page: the newest notifications at a glance, kept live.

use herald::InboxView;
use leptos::prelude::*;

use crate::auth::MeResource;
use crate::i18n::{t, use_locale};
use crate::inbox::NotificationList;

/// How many notifications the home page lists.
const SHOWN: i64 = 20;

#[component]
pub fn HomePage() -> impl IntoView {
    let l = use_locale();
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(_)) => {
                        // Loaded here, not by the list: this block runs more
                        // than once per page on the server, so the island takes
                        // its first page as a prop (see NotificationList).
                        let latest = match crate::inbox::inbox_page(InboxView::All, None, SHOWN).await {
                            Ok(first_page) => view! { <Latest first_page/> }.into_any(),
                            Err(error) => view! { <p class="error">{error.message(l)}</p> }.into_any(),
                        };
                        view! {
                            <section class="card">
                                <div class="inbox-head">
                                    <h1>{t!(l, "home-latest")}</h1>
                                    <a href="/notifications">{t!(l, "home-open-inbox")}</a>
                                </div>
                                {latest}
                            </section>
                        }
                        .into_any()
                    }
                    _ => view! { <Welcome/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let l = use_locale();
    // "… sent. [Log in] to see yours.": the sentence around the link is the
    // language's own (German puts a comma straight after it, so the space
    // before "to see yours" is in the English message).
    view! {
        <section class="card">
            <h1>{t!(l, "home-welcome")}</h1>
            <p>
                {t!(l, "home-intro") + " "}
                <a href="/login">{t!(l, "home-log-in")}</a>
                {t!(l, "home-to-see-yours")}
            </p>
        </section>
    }
}

/// The list, an island: kept live in the browser.
#[island]
fn Latest(first_page: Vec<herald::Notification>) -> impl IntoView {
    let first_page = Some(first_page);
    view! { <NotificationList view=InboxView::All page_size=SHOWN paged=false first_page/> }
}
