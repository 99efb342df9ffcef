//! The home page: the newest notifications at a glance, kept live.

use herald::InboxView;
use leptos::prelude::*;

use crate::auth::MeResource;
use crate::inbox::NotificationList;

/// How many notifications the home page lists.
const SHOWN: i64 = 20;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(_)) => view! {
                        <section class="card">
                            <div class="inbox-head">
                                <h1>"Latest notifications"</h1>
                                <a href="/notifications">"Open the inbox"</a>
                            </div>
                            <NotificationList view=InboxView::All page_size=SHOWN paged=false/>
                        </section>
                    }
                    .into_any(),
                    _ => view! { <Welcome/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Welcome to Herald"</h1>
            <p>
                "Herald shows your notifications the moment they are sent. "
                <a href="/login">"Log in"</a>
                " to see yours."
            </p>
        </section>
    }
}
