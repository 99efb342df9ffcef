//! The notification center: the inbox page, the list it shares with the
//! bell's panel and the home page, and the actions on notifications.
//!
//! Every action is a plain form posting to a server function, so it works
//! without WASM (the server sends the browser back to the page). With WASM
//! it is optimistic: the change shows at once and is rolled back if the
//! server refuses it. Live events keep every other tab in step.

use herald::{InboxView, Notification};
use leptos::either::{Either, EitherOf3, EitherOf4};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::forms::call;
use crate::i18n::{Locale, relative, t, use_locale};
use crate::state::PageState;

/// How many notifications an inbox page holds.
pub const PAGE_SIZE: i64 = 20;

mod calls;
pub use calls::*;

/// Shows `edit` of every notification of a row at once, then asks the
/// server (which changes the row as one); a refusal puts back what was
/// there and says so. The count moves by the row, as the server's does.
fn optimistic<F>(live: PageState, row: &[Notification], edit: impl Fn(&mut Notification), call: F)
where
    F: Future<Output = Result<Notification, AppError>> + 'static,
{
    let before = row.to_vec();
    let after: Vec<Notification> = row
        .iter()
        .cloned()
        .map(|mut m| {
            edit(&mut m);
            m
        })
        .collect();
    let counted = |ns: &[Notification]| i64::from(ns.iter().any(Notification::counts_as_unread));
    let delta = counted(&after) - counted(&before);
    for m in after {
        live.force(m);
    }
    live.unread.update(|u| *u += delta);
    leptos::task::spawn_local(async move {
        match call.await {
            Ok(saved) => live.upsert(saved),
            Err(error) => {
                for m in before {
                    live.force(m);
                }
                live.unread.update(|u| *u -= delta);
                crate::toasts::toast_error(live, &error.message(live.locale));
            }
        }
    });
}

/// `change` as an optimistic edit: what the server will make of each copy
/// (`Change::apply`, the same rule), copies it does not apply to untouched.
fn as_server(change: herald::Change) -> impl Fn(&mut Notification) {
    let now = crate::state::now_ms();
    move |m| {
        if let Some(after) = change.apply(m, now) {
            *m = after;
        }
    }
}

/// A list of the user's notifications in `view`: the first page from the
/// server, then whatever arrives live. `paged` adds "Load more".
#[component]
pub fn NotificationList(
    view: InboxView,
    page_size: i64,
    #[prop(default = true)] paged: bool,
    /// Record the shown notifications as seen (the bell's panel does).
    #[prop(default = false)]
    marks_seen: bool,
    /// Only notifications older than this seq: a page link (`?before=N`)
    /// followed without WASM.
    #[prop(default = None)]
    ceiling: Option<i64>,
    /// The first page, when the server passed it in (an island's prop);
    /// without it the list loads it in the browser (the bell's panel).
    #[prop(default = None)]
    first_page: Option<Vec<Notification>>,
) -> impl IntoView {
    let live = crate::state::use_page_state();
    let l = use_locale();
    // The oldest seq loaded; nothing older is shown, so no gaps appear.
    let floor = RwSignal::new(i64::MAX);
    let more = RwSignal::new(false);
    let load_more = move || {
        let before = floor.get_untracked();
        leptos::task::spawn_local(async move {
            match call(InboxPage {
                view,
                before: Some(before),
                limit: page_size,
            })
            .await
            {
                Ok(items) => take(live, floor, more, page_size, items),
                Err(error) => crate::toasts::toast_error(live, &error.message(l)),
            }
        });
    };
    let list = move |items: Vec<Notification>| {
        take(live, floor, more, page_size, items);
        let shown = Memo::new(move |_| {
            let mut items = live.view(view, floor.get());
            if let Some(ceiling) = ceiling {
                items.retain(|n| n.seq < ceiling);
            }
            let mut rows = herald::group::rows(items);
            if !paged {
                rows.truncate(page_size as usize);
            }
            rows
        });
        if marks_seen {
            let newest = shown.with_untracked(|s| s.first().map(|r| r.lead.seq));
            if let Some(up_to) = newest {
                leptos::task::spawn_local(async move {
                    let _ = call(MarkSeen { up_to }).await;
                });
            }
        }
        let empty = Memo::new(move |_| shown.with(Vec::is_empty));
        view! {
            // Typed, not `<Show>`: its children are an `AnyView`, which carries
            // a second (async) hydration path for every row.
            {move || if empty.get() {
                Either::Left(view! { <p class="muted empty">{empty_text(view, l)}</p> })
            } else {
                Either::Right(view! {
                    <ul class="feed">
                        <For each=move || shown.get() key=herald::group::Row::fingerprint let:row>
                            <Item row/>
                        </For>
                    </ul>
                })
            }}
            {move || (paged && more.get()).then(|| {
                let href = format!("?view={}&before={}", view.as_str(), floor.get());
                view! {
                    <a class="load-more" href=href on:click=move |ev| {
                        ev.prevent_default();
                        load_more();
                    }>{t!(l, "inbox-load-more")}</a>
                }
            })}
        }
    };
    // After a resync the page is fetched again. No resource: the bell's
    // panel loads its page when opened (the server never draws it), and the
    // other lists take theirs as an island's prop; a resource would bring
    // `Suspense`'s machinery into every page's WASM.
    Effect::new(move |before: Option<u32>| {
        let resyncs = live.resyncs.get();
        if before.is_some() {
            leptos::task::spawn_local(async move {
                if let Ok(items) = call(InboxPage {
                    view,
                    before: ceiling,
                    limit: page_size,
                })
                .await
                {
                    take(live, floor, more, page_size, items);
                }
            });
        }
        resyncs
    });
    if let Some(items) = first_page {
        return Either::Left(list(items));
    }
    let first = RwSignal::new(None::<Result<Vec<Notification>, AppError>>);
    leptos::task::spawn_local(async move {
        first.set(Some(
            call(InboxPage {
                view,
                before: ceiling,
                limit: page_size,
            })
            .await,
        ));
    });
    Either::Right(move || match first.get() {
        None => EitherOf3::A(view! { <p class="muted loading">{t!(l, "loading")}</p> }),
        Some(Ok(items)) => EitherOf3::B(list(items)),
        Some(Err(error)) => EitherOf3::C(view! { <p class="error">{error.message(l)}</p> }),
    })
}

/// Takes a page from the server into the shared state.
fn take(
    live: PageState,
    floor: RwSignal<i64>,
    more: RwSignal<bool>,
    page_size: i64,
    items: Vec<Notification>,
) {
    let full = items.len() as i64 >= page_size;
    let oldest = items.iter().map(|n| n.seq).min();
    for n in items {
        live.upsert(n);
    }
    floor.set(match (full, oldest) {
        (true, Some(oldest)) => oldest.min(floor.get_untracked()),
        _ => 0,
    });
    more.set(full);
}

fn empty_text(view: InboxView, l: Locale) -> String {
    match view {
        InboxView::Unread => t!(l, "inbox-empty-unread"),
        InboxView::All => t!(l, "inbox-empty-all"),
        InboxView::Snoozed => t!(l, "inbox-empty-snoozed"),
        InboxView::Archived => t!(l, "inbox-empty-archived"),
    }
}

/// One row: a notification, or a group's newest with "and 3 more" that
/// opens to the rest; its actions act on the whole row. Titles and bodies
/// are text nodes, never HTML; links were checked to be http(s) or
/// same-site paths when stored, and go through `/notifications/{id}/open`,
/// which marks them (their row) read.
#[component]
pub fn Item(row: herald::group::Row) -> impl IntoView {
    let live = crate::state::use_page_state();
    let l = use_locale();
    let items: Vec<Notification> = row.items().cloned().collect();
    let actors = row.actors(l);
    let rest = row.rest.clone();
    let n = row.lead;
    let unread = items.iter().any(|m| m.read_at.is_none());
    let archived = n.archived_at.is_some();
    let created_at = n.created_at;
    let when = move || relative(l, created_at, live.now.get());
    let title = match &n.link {
        // rel=external: a full request to the server, not a client-side route.
        Some(_) => Either::Left(view! {
            <a href=format!("/notifications/{}/open", n.id) rel="external">{n.title.clone()}</a>
        }),
        None => Either::Right(view! { <span>{n.title.clone()}</span> }),
    };
    let read_toggle = {
        let (n, items) = (n.clone(), items.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let read = unread;
            let id = n.id;
            optimistic(
                live,
                &items,
                as_server(herald::Change::Read(read)),
                call(SetRead { id, read }),
            );
        }
    };
    let archive_toggle = {
        let (n, items) = (n.clone(), items.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let archive = n.archived_at.is_none();
            let id = n.id;
            optimistic(
                live,
                &items,
                as_server(herald::Change::Archived(archive)),
                call(SetArchived {
                    id,
                    archived: archive,
                }),
            );
        }
    };
    let choice = RwSignal::new(herald::SnoozeFor::Hour.as_str().to_owned());
    let snooze_submit = {
        let (n, items) = (n.clone(), items.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(picked) = herald::SnoozeFor::parse(&choice.get_untracked()) else {
                return;
            };
            let offset = crate::state::local_offset_minutes();
            let until = picked.until(crate::state::now_ms(), offset);
            optimistic(
                live,
                &items,
                as_server(herald::Change::Snoozed(Some(until))),
                call(Snooze {
                    id: n.id,
                    choice: picked,
                    offset,
                }),
            );
        }
    };
    let snoozed_until = n.snoozed_until;
    let unsnooze_submit = {
        let (n, items) = (n.clone(), items.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            optimistic(
                live,
                &items,
                as_server(herald::Change::Snoozed(None)),
                call(Unsnooze { id: n.id }),
            );
        }
    };
    // Only what is in the inbox can be snoozed.
    let snoozable = !archived && snoozed_until.is_none();
    view! {
        <li class="item" class:unread=unread class:grouped=!rest.is_empty() data-seq=n.seq data-id=n.id>
            <span class=format!("icon icon-{}", n.category.as_str()) role="img" aria-label=n.category.label(l)>
                {crate::icons::icon(n.category)}
            </span>
            <div class="item-main">
                <p class="item-title">{title}</p>
                {(!n.body.is_empty()).then(|| view! { <p class="item-body">{n.body.clone()}</p> })}
                <p class="item-meta">
                    <span class="when">{when}</span>
                    {actors.map(|actors| view! { <span class="actor">" · " {t!(l, "item-from", actors = actors)}</span> })}
                    {n.muted.then(|| view! {
                        <span class="muted-tag" title=t!(l, "item-muted-title")>" · " {t!(l, "item-muted")}</span>
                    })}
                    {snoozed_until.map(|at| view! {
                        <span class="snoozed">" · " {move || t!(l, "item-back", when = relative(l, at, live.now.get()))}</span>
                    })}
                </p>
                {(!n.actions.is_empty()).then(|| view! {
                    <div class="item-buttons"><ItemActions n=n.clone() row=items.clone()/></div>
                })}
                {(!rest.is_empty()).then(|| view! { <crate::group_rest::GroupRest rest=rest.clone()/> })}
            </div>
            <div class="item-actions">
                <form method="post" action=SetRead::url() on:submit=read_toggle>
                    <input type="hidden" name="id" value=n.id/>
                    <input type="hidden" name="read" value=unread.to_string()/>
                    <button type="submit" class="link">{if unread { t!(l, "item-mark-read") } else { t!(l, "item-mark-unread") }}</button>
                </form>
                <form method="post" action=SetArchived::url() on:submit=archive_toggle>
                    <input type="hidden" name="id" value=n.id/>
                    <input type="hidden" name="archived" value=(!archived).to_string()/>
                    <button type="submit" class="link">{if archived { t!(l, "item-unarchive") } else { t!(l, "item-archive") }}</button>
                </form>
                {snoozed_until.is_some().then(|| view! {
                    <form method="post" action=Unsnooze::url() on:submit=unsnooze_submit>
                        <input type="hidden" name="id" value=n.id/>
                        <button type="submit" class="link">{t!(l, "item-unsnooze")}</button>
                    </form>
                })}
                {snoozable.then(|| view! {
                    <form method="post" action=Snooze::url() on:submit=snooze_submit class="snooze">
                        <input type="hidden" name="id" value=n.id/>
                        <select
                            name="choice"
                            aria-label=t!(l, "item-snooze-until", title = n.title.clone())
                            prop:value=move || choice.get()
                            on:change=move |ev| choice.set(event_target_value(&ev))
                        >
                            {herald::SnoozeFor::ALL
                                .map(|c| view! { <option value=c.as_str()>{c.label(l)}</option> })}
                        </select>
                        <button type="submit" class="link">{t!(l, "item-snooze")}</button>
                    </form>
                })}
            </div>
        </li>
    }
}

/// A notification's own buttons: a link action is a plain link through
/// Herald (which records the click, then redirects); a webhook action a
/// form. Webhook actions are one choice: once made, the chosen one shows
/// as done and the others as closed.
#[component]
fn ItemActions(n: Notification, row: Vec<Notification>) -> impl IntoView {
    let live = crate::state::use_page_state();
    let l = use_locale();
    let chosen = n.chosen_action;
    n.actions
        .iter()
        .enumerate()
        .map(|(index, action)| {
            let label = action.label.clone();
            if action.url.is_some() {
                EitherOf4::A(view! {
                    <a class="action-button" rel="external" href=format!("/notifications/{}/actions/{index}", n.id)>{label}</a>
                })
            } else if chosen == Some(index) {
                EitherOf4::B(view! { <span class="action-done">"✓ " {label}</span> })
            } else if chosen.is_some() {
                EitherOf4::C(view! {
                    <span class="action-closed">{label}<span class="sr-only">" " {t!(l, "item-not-chosen")}</span></span>
                })
            } else {
                let id = n.id;
                let n = n.clone();
                let row = row.clone();
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let now = crate::state::now_ms();
                    // Acting reads this notification only, not its row.
                    optimistic(
                        live,
                        &row,
                        |m| {
                            if m.id != id {
                                return;
                            }
                            m.interacted_at = m.interacted_at.or(Some(now));
                            m.read_at = m.read_at.or(Some(now));
                            m.chosen_action = m.chosen_action.or(Some(index));
                        },
                        call(Act { id: n.id, index }),
                    );
                };
                EitherOf4::D(view! {
                    <form method="post" action=Act::url() on:submit=submit>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="index" value=index/>
                        <button type="submit" class="action-button">{label}</button>
                    </form>
                })
            }
        })
        .collect_view()
}

/// "Mark all read": covers what this page has shown, not what arrives
/// while the request is on its way.
#[component]
pub fn MarkAllReadButton() -> impl IntoView {
    let live = crate::state::use_page_state();
    let l = use_locale();
    let up_to = move || {
        live.items
            .with(|items| items.keys().next_back().copied())
            .unwrap_or(i64::MAX)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let up_to = live.newest_seq();
        let read_at = crate::state::now_ms();
        // Optimistic: the server's AllRead event confirms it in every tab.
        let before = live.items.get_untracked();
        let unread_before = live.unread.get_untracked();
        live.items.update(|items| {
            for n in items.range_mut(..=up_to).map(|(_, n)| n) {
                if n.read_at.is_none() {
                    n.read_at = Some(read_at);
                }
            }
        });
        leptos::task::spawn_local(async move {
            match call(MarkAllRead { up_to }).await {
                Ok(unread) => live.unread.set(unread),
                Err(error) => {
                    live.items.set(before);
                    live.unread.set(unread_before);
                    crate::toasts::toast_error(live, &error.message(l));
                }
            }
        });
    };
    view! {
        <form method="post" action=MarkAllRead::url() on:submit=submit class="mark-all">
            <input type="hidden" name="up_to" value=up_to/>
            <button type="submit" class="link">{t!(l, "inbox-mark-all-read")}</button>
        </form>
    }
}

/// The inbox page. Its tabs are links (each view is a page of its own);
/// the rest is an island, given its first page by the server.
#[component]
pub fn InboxPage() -> impl IntoView {
    let l = use_locale();
    let query = use_query_map();
    let (view, ceiling) = query.with_untracked(|q| {
        (
            q.get("view")
                .and_then(|v| InboxView::parse(&v))
                .unwrap_or_default(),
            q.get("before").and_then(|b| b.parse::<i64>().ok()),
        )
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted loading">{t!(l, "loading")}</p> }>
            {move || Suspend::new(async move {
                match inbox_page(view, ceiling, PAGE_SIZE).await {
                    Ok(first_page) => Either::Left(view! { <Inbox view ceiling first_page/> }),
                    Err(error) => Either::Right(view! {
                        <section class="card inbox"><p class="error">{error.message(l)}</p></section>
                    }),
                }
            })}
        </Suspense>
    }
}

#[island]
fn Inbox(view: InboxView, ceiling: Option<i64>, first_page: Vec<Notification>) -> impl IntoView {
    let l = use_locale();
    let first_page = Some(first_page);
    view! {
        <section class="card inbox">
            <div class="inbox-head">
                <h1>{t!(l, "bell-title")}</h1>
                <MarkAllReadButton/>
            </div>
            <nav class="tabs" aria-label=t!(l, "inbox-views")>
                {InboxView::ALL
                    .into_iter()
                    .map(|v| {
                        view! {
                            <a
                                href=format!("/notifications?view={}", v.as_str())
                                class=if view == v { "tab active" } else { "tab" }
                                aria-current=(view == v).then_some("page")
                            >
                                {v.label(l)}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <NotificationList view page_size=PAGE_SIZE ceiling first_page/>
            <crate::desktop::DesktopOptIn/>
        </section>
    }
}
