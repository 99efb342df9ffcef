//! The home page's list of the newest notifications, kept live: what came
//! with the page, merged with what arrived since, each exactly once.

use herald::Notification;
use leptos::prelude::*;

use crate::bell::LiveCount;
use crate::error::AppError;

/// How many notifications the home page lists.
const SHOWN: usize = 20;

/// The logged-in user's newest notifications, newest first.
#[server(endpoint = "recent")]
pub async fn recent_notifications() -> Result<Vec<Notification>, AppError> {
    use crate::backend::*;
    respond(
        async {
            let user = require_user().await?;
            backend()?.recent(user.id, SHOWN as i64).await
        }
        .await,
    )
}

/// `live` and `loaded` (both newest first) as one list, each notification once.
fn merged(live: Vec<Notification>, loaded: &[Notification]) -> Vec<Notification> {
    let mut all = live;
    all.extend(loaded.iter().cloned());
    all.sort_by_key(|n| std::cmp::Reverse(n.seq));
    all.dedup_by_key(|n| n.seq);
    all.truncate(SHOWN);
    all
}

#[component]
pub fn HomePage() -> impl IntoView {
    let live = expect_context::<LiveCount>();
    // Refetched when the server says the page fell too far behind.
    let loaded = Resource::new(move || live.resyncs.get(), |_| recent_notifications());
    view! {
        <Suspense fallback=|| view! { <section class="card"><p class="muted">"Loading…"</p></section> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(loaded) => view! { <Feed loaded/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <Welcome/> }.into_any(),
                    Err(error) => view! { <section class="card"><p class="error">{error.to_string()}</p></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Feed(loaded: Vec<Notification>) -> impl IntoView {
    let live = expect_context::<LiveCount>();
    let items = Memo::new(move |_| merged(live.recent.get(), &loaded));
    view! {
        <section class="card">
            <h1>"Latest notifications"</h1>
            <Show
                when=move || !items.with(Vec::is_empty)
                fallback=|| view! { <p class="muted empty">"Nothing yet. New notifications appear here the moment they are sent."</p> }
            >
                <ul class="feed">
                    <For each=move || items.get() key=|n| n.seq let:n>
                        <Item n/>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn Item(n: Notification) -> impl IntoView {
    let unread = n.read_at.is_none();
    // Titles and bodies are text nodes, never HTML; links were checked to be
    // http(s) or same-site paths when they were stored.
    let title = match n.link {
        Some(link) => view! { <a href=link>{n.title}</a> }.into_any(),
        None => view! { <span>{n.title}</span> }.into_any(),
    };
    view! {
        <li class="item" class:unread=unread data-seq=n.seq>
            <p class="item-title">{title}</p>
            {(!n.body.is_empty()).then(|| view! { <p class="item-body">{n.body}</p> })}
        </li>
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

#[cfg(test)]
mod tests {
    use super::*;

    fn note(seq: i64) -> Notification {
        Notification {
            id: seq,
            seq,
            title: format!("n{seq}"),
            body: String::new(),
            link: None,
            created_at: 0,
            read_at: None,
        }
    }

    #[test]
    fn merging_keeps_each_notification_once_newest_first() {
        let live = vec![note(5), note(4), note(3)];
        let loaded = vec![note(3), note(2), note(1)];
        let seqs: Vec<_> = merged(live, &loaded).iter().map(|n| n.seq).collect();
        assert_eq!(seqs, [5, 4, 3, 2, 1]);
    }
}
