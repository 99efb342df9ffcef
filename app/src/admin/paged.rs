//! The one shape of an admin list that pages: a search box, the first page
//! (following the search and whatever else the panel says), a table, and
//! "Load older" appending the page after the last row shown.

use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::{Locale, t, use_locale};

/// What a paged panel shows, beyond its rows (in the page's language).
#[derive(Clone)]
pub(super) struct Labels {
    pub title: String,
    /// The section's class, and the table's (`{class}-table`).
    pub class: &'static str,
    pub placeholder: String,
    pub search_label: String,
    pub empty: String,
}

/// A searchable, paged table. `fetch(search, before)` is a page of rows
/// older than `before` (a row's `key`), `page_size` of them when more may
/// follow; `refresh` is any other signal the first page follows. `head`
/// draws the table's header row in the page's language.
#[component]
pub(super) fn PagedTable<T, Fetch, Fut, Row, RowView>(
    labels: Labels,
    page_size: i64,
    fetch: Fetch,
    key: fn(&T) -> i64,
    head: fn(Locale) -> AnyView,
    row: Row,
    #[prop(optional, into)] refresh: Signal<u64>,
    /// Shown between the heading and the table (say, a form that adds a row).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    Fetch: Fn(String, Option<i64>) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<T>, AppError>> + Send + 'static,
    Row: Fn(T, i64) -> RowView + Copy + Send + Sync + 'static,
    RowView: IntoView + 'static,
{
    let l = use_locale();
    let live = crate::state::use_page_state();
    let Labels {
        title,
        class,
        placeholder,
        search_label,
        empty,
    } = labels;
    // Read again whenever the first page reloads.
    let empty = StoredValue::new(empty);
    let search = RwSignal::new(String::new());
    let older = RwSignal::new(Vec::<T>::new());
    let first = Resource::new(
        move || (search.get(), refresh.get()),
        move |(search, _)| fetch(search, None),
    );
    let load_older = move |_| {
        let before = older.with_untracked(|o| o.last().map(key)).or_else(|| {
            first
                .get_untracked()
                .and_then(|r| r.ok())
                .and_then(|f| f.last().map(key))
        });
        let search = search.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(more) = fetch(search, before).await {
                older.update(|o| o.extend(more));
            }
        });
    };
    view! {
        <section class=format!("card {class}")>
            <div class="inbox-head">
                <h2>{title}</h2>
                <input
                    type="search"
                    placeholder=placeholder
                    aria-label=search_label
                    on:input=move |ev| {
                        older.set(Vec::new());
                        search.set(event_target_value(&ev));
                    }
                />
            </div>
            {children.map(|children| children())}
            <Transition fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="muted empty">{empty.get_value()}</p> }.into_any(),
                        Ok(rows) => {
                            let full = rows.len() as i64 >= page_size;
                            let now = live.now.get_untracked();
                            view! {
                                <table class=format!("keys-table {class}-table")>
                                    <thead>{head(l)}</thead>
                                    <tbody>
                                        {move || rows.iter().cloned().chain(older.get()).map(|r| row(r, now)).collect_view()}
                                    </tbody>
                                </table>
                                {full.then(|| view! { <button type="button" class="link load-more" on:click=load_older>{t!(l, "admin-load-older")}</button> })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <p class="error">{error.message(l)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
