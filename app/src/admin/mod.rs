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
use leptos_router::LazyRoute;
#[cfg(feature = "split")]
use leptos_router::lazy_route;

use crate::i18n::{t, use_locale};

pub use audit::*;
pub use categories::*;
pub use compose::*;
pub use keys::*;
pub use sent::*;
pub use users::*;

/// The admin console. Built with the `split` feature (`make release`,
/// cargo-leptos `--split`), its view is a WASM chunk of its own: only admins
/// who open it download it, and the users list is fetched while it loads.
pub struct AdminPage {
    users: Resource<Result<Vec<herald::User>, crate::error::AppError>>,
}

impl AdminPage {
    fn load() -> Self {
        AdminPage {
            users: Resource::new(|| (), |_| recipients()),
        }
    }

    fn console(self) -> AnyView {
        let users = self.users;
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
        .into_any()
    }
}

#[cfg(feature = "split")]
#[lazy_route]
impl LazyRoute for AdminPage {
    fn data() -> Self {
        AdminPage::load()
    }

    fn view(this: Self) -> AnyView {
        this.console()
    }
}

#[cfg(not(feature = "split"))]
impl LazyRoute for AdminPage {
    fn data() -> Self {
        AdminPage::load()
    }

    async fn view(this: Self) -> AnyView {
        this.console()
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
