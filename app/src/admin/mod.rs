//! The admin console: one panel per file, each beside its server functions
//! (compose, sent, users, keys, categories, audit). The types they exchange with the
//! server live in `herald::admin`.

mod audit;
mod categories;
mod compose;
mod keys;
mod paged;
mod sent;
mod users;

use leptos::prelude::*;

use crate::i18n::{t, use_locale};

pub use audit::*;
pub use categories::*;
pub use compose::*;
pub use keys::*;
pub use sent::*;
pub use users::*;

/// The admin console, an island of its own. Built with the `split`
/// feature (`make release` and the browser tests: cargo-leptos `--split`)
/// its code is a WASM chunk of its own, fetched only by admins who open it.
#[component]
pub fn AdminPage() -> impl IntoView {
    let words = use_locale().words("admin-");
    view! { <AdminConsole words/> }
}

/// `words` are the console's messages in the page's language: the main
/// WASM module leaves them out (build.rs), so that only this page carries
/// them.
#[cfg_attr(feature = "split", island(lazy))]
#[cfg_attr(not(feature = "split"), island)]
fn AdminConsole(words: Vec<herald::i18n::Word>) -> impl IntoView {
    herald::i18n::learn(words);
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
        <Categories/>
        <ClientOnly>
            <AuditLog/>
        </ClientOnly>
    }
}

/// Renders its children only in the browser, after hydration: for lists
/// that refresh themselves there and need not hold up the server's render.
#[component]
fn ClientOnly(children: ChildrenFn) -> impl IntoView {
    let l = use_locale();
    let mounted = RwSignal::new(false);
    // Effects never run on the server.
    Effect::new(move |_| mounted.set(true));
    view! {
        <Show
            when=move || mounted.get()
            fallback=move || view! { <section class="card"><p class="muted">{t!(l, "loading")}</p></section> }
        >
            {children()}
        </Show>
    }
}
