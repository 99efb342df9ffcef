//! What was sent, with delivered, seen and read counts; retract a send.
use herald::admin::SendSummary;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;

/// How many sends a page of the list holds.
const SENDS_PAGE: i64 = 20;

#[server(endpoint = "admin/sent", input = PostUrl)]
pub async fn sent_list(
    #[server(default)] search: String,
    before: Option<i64>,
) -> Result<Vec<SendSummary>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.sends(&search, before, SENDS_PAGE).await }).await
}

#[server(endpoint = "admin/retract", input = PostUrl)]
pub async fn retract_send(id: i64) -> Result<usize, AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.retract_send(&admin, id).await }).await
}

/// What was sent, with delivered, seen and read counts that keep updating.
#[component]
pub(super) fn SentList() -> impl IntoView {
    let live = expect_context::<crate::state::PageState>();
    let search = RwSignal::new(String::new());
    let retract = ServerAction::<RetractSend>::new();
    // Refreshed every few seconds while the page is open, and after a retract.
    let tick = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_secs(2),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    }
    let older = RwSignal::new(Vec::<SendSummary>::new());
    let first = Resource::new(
        move || (search.get(), tick.get(), retract.version().get()),
        |(search, _, _)| sent_list(search, None),
    );
    let load_older = move |_| {
        let before = older
            .with_untracked(|o| o.last().map(|s| s.id))
            .or_else(|| {
                first
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .and_then(|f| f.last().map(|s| s.id))
            });
        let search = search.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(more) = sent_list(search, before).await {
                older.update(|o| o.extend(more));
            }
        });
    };
    view! {
        <section class="card sent">
            <div class="inbox-head">
                <h2>"Sent"</h2>
                <input
                    type="search"
                    placeholder="Search titles"
                    aria-label="Search sent notifications"
                    on:input=move |ev| {
                        older.set(Vec::new());
                        search.set(event_target_value(&ev));
                    }
                />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(sends) if sends.is_empty() => view! { <p class="muted empty">"Nothing sent yet."</p> }.into_any(),
                        Ok(sends) => {
                            let full = sends.len() as i64 >= SENDS_PAGE;
                            let now = live.now.get_untracked();
                            view! {
                                <table class="keys-table sent-table">
                                    <thead><tr>
                                        <th>"Title"</th><th>"To"</th><th>"When"</th>
                                        <th title="Stored for">"Recipients"</th>
                                        <th title="Online when sent">"Delivered"</th>
                                        <th>"Seen"</th><th>"Read"</th>
                                        <th title="Clicked one of its actions">"Acted"</th><th></th>
                                    </tr></thead>
                                    <tbody>
                                        {move || sends.iter().cloned().chain(older.get()).map(|s| view! {
                                            <tr class:revoked={s.retracted || s.expires_at.is_some_and(|at| at <= now)} data-send=s.id>
                                                <td>{s.title}<div class="muted small">{format!("by {}", s.sender)}</div></td>
                                                <td>{s.audience}</td>
                                                <td>
                                                    {herald::relative_time(s.created_at, now)}
                                                    {s.expires_at.filter(|at| *at > now && !s.retracted).map(|at| view! {
                                                        <div class="muted small expiry">{format!("expires in {}", herald::time_ahead(at, now))}</div>
                                                    })}
                                                </td>
                                                <td class="num" data-count="recipients">
                                                    {s.recipients}
                                                    {s.sending.then(|| view! { <div class="muted small sending">"sending…"</div> })}
                                                </td>
                                                <td class="num" data-count="delivered">{s.delivered}</td>
                                                <td class="num" data-count="seen">{s.seen}</td>
                                                <td class="num" data-count="read">{s.read}</td>
                                                <td class="num" data-count="interacted">{s.interacted}</td>
                                                <td>{if s.retracted {
                                                    view! { <span class="muted">"Retracted"</span> }.into_any()
                                                } else if s.expires_at.is_some_and(|at| at <= now) {
                                                    view! { <span class="muted">"Expired"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=retract>
                                                            <input type="hidden" name="id" value=s.id/>
                                                            <button type="submit" class="link danger">"Retract"</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {full.then(|| view! { <button type="button" class="link load-more" on:click=load_older>"Load older"</button> })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <p class="error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
