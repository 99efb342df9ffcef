//! The admin console: one panel per file, each beside its server functions
//! (compose, sent, users, keys, audit). The types they exchange with the
//! server live in `herald::admin`.

mod audit;
mod compose;
mod keys;
mod sent;
mod users;

use leptos::prelude::*;

pub use audit::*;
pub use compose::*;
pub use keys::*;
pub use sent::*;
pub use users::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| recipients());
    view! {
        <ComposeCard users/>
        <ClientOnly>
            <SentList/>
        </ClientOnly>
        <ClientOnly>
            <Users/>
        </ClientOnly>
        <ApiKeys/>
        <ClientOnly>
            <AuditLog/>
        </ClientOnly>
    }
}

/// Renders its children only in the browser, after hydration: for lists
/// that refresh themselves there and need not hold up the server's render.
#[component]
fn ClientOnly(children: ChildrenFn) -> impl IntoView {
    let mounted = RwSignal::new(false);
    // Effects never run on the server.
    Effect::new(move |_| mounted.set(true));
    view! {
        <Show
            when=move || mounted.get()
            fallback=|| view! { <section class="card"><p class="muted">"Loading…"</p></section> }
        >
            {children()}
        </Show>
    }
}
