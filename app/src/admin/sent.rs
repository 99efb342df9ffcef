//! What was sent, with delivered, seen and read counts; retract a send.
use herald::admin::SendSummary;
use leptos::prelude::*;

use super::ADMIN;
use leptos::server_fn::codec::PostUrl;

use super::paged::{Labels, PagedTable};
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
    // The first page follows the clock's refresh and every retraction.
    let refresh = Signal::derive(move || u64::from(tick.get()) + retract.version().get() as u64);
    let labels = Labels {
        title: "Sent",
        class: "sent",
        placeholder: "Search titles",
        search_label: "Search sent notifications",
        empty: "Nothing sent yet.",
    };
    view! {
        <PagedTable
            labels
            page_size=SENDS_PAGE
            fetch=sent_list
            key=|s: &SendSummary| s.id
            refresh
            head=|| view! {
                <tr>
                    <th>"Title"</th><th>"To"</th><th>"When"</th>
                    <th title="Stored for">"Recipients"</th>
                    <th title="Online when sent">"Delivered"</th>
                    <th>"Seen"</th><th>"Read"</th>
                    <th title="Clicked one of its actions">"Acted"</th><th></th>
                </tr>
            }.into_any()
            row=move |s: SendSummary, now| {
                let (scheduled, cancelled) = (s.scheduled(now), s.cancelled());
                view! {
                                            <tr class:revoked={s.retracted || s.expires_at.is_some_and(|at| at <= now)} data-send=s.id>
                                                <td>{s.title}<div class="muted small">{format!("by {}", s.sender)}</div></td>
                                                <td>{s.audience}</td>
                                                <td>
                                                    {match s.send_at {
                                                        Some(at) if scheduled => view! {
                                                            <span class="scheduled">{format!("scheduled, {}", crate::i18n::relative(ADMIN, at, now))}</span>
                                                        }.into_any(),
                                                        Some(at) if !cancelled => crate::i18n::relative(ADMIN, at, now).into_any(),
                                                        _ => crate::i18n::relative(ADMIN, s.created_at, now).into_any(),
                                                    }}
                                                    {s.expires_at.filter(|at| *at > now && !s.retracted).map(|at| view! {
                                                        <div class="muted small expiry">{format!("expires {}", crate::i18n::relative(ADMIN, at, now))}</div>
                                                    })}
                                                </td>
                                                <td class="num" data-count="recipients">
                                                    {s.recipients}
                                                    {(s.sending && !scheduled).then(|| view! { <div class="muted small sending">"sending…"</div> })}
                                                </td>
                                                <td class="num" data-count="delivered">{s.delivered}</td>
                                                <td class="num" data-count="seen">{s.seen}</td>
                                                <td class="num" data-count="read">{s.read}</td>
                                                <td class="num" data-count="interacted">{s.interacted}</td>
                                                <td>{if cancelled {
                                                    view! { <span class="muted">"Cancelled"</span> }.into_any()
                                                } else if s.retracted {
                                                    view! { <span class="muted">"Retracted"</span> }.into_any()
                                                } else if s.expires_at.is_some_and(|at| at <= now) {
                                                    view! { <span class="muted">"Expired"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=retract>
                                                            <input type="hidden" name="id" value=s.id/>
                                                            <button type="submit" class="link danger">
                                                                {if scheduled { "Cancel" } else { "Retract" }}
                                                            </button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}</td>
                                            </tr>
                }
            }
        />
    }
}
