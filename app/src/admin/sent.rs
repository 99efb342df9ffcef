//! What was sent, with delivered, seen and read counts; retract a send.
use herald::admin::SendSummary;
use leptos::prelude::*;

use leptos::server_fn::codec::PostUrl;

use super::paged::{Labels, PagedTable};
use crate::error::AppError;
use crate::i18n::{Locale, relative, t, use_locale};

/// How many sends a page of the list holds.
const SENDS_PAGE: i64 = 20;

#[server(endpoint = "admin/sent", input = PostUrl, output = crate::codec::Json)]
pub async fn sent_list(
    #[server(default)] search: String,
    before: Option<i64>,
) -> Result<Vec<SendSummary>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.sends(&search, before, SENDS_PAGE).await }).await
}

#[server(endpoint = "admin/retract", input = PostUrl, output = crate::codec::Json)]
pub async fn retract_send(id: i64) -> Result<usize, AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.retract_send(&admin, id).await }).await
}

/// What was sent, with delivered, seen and read counts that keep updating.
#[component]
pub(super) fn SentList() -> impl IntoView {
    let l = use_locale();
    let retract = crate::forms::FormAction::<RetractSend>::new();
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
        title: t!(l, "admin-sent-title"),
        class: "sent",
        placeholder: t!(l, "admin-sent-placeholder"),
        search_label: t!(l, "admin-sent-search"),
        empty: t!(l, "admin-sent-empty"),
    };
    view! {
        <PagedTable
            labels
            page_size=SENDS_PAGE
            fetch=sent_list
            key=|s: &SendSummary| s.id
            refresh
            head=|l: Locale| view! {
                <tr>
                    <th>{t!(l, "admin-column-title")}</th><th>{t!(l, "admin-column-to")}</th><th>{t!(l, "admin-column-when")}</th>
                    <th title=t!(l, "admin-column-recipients-title")>{t!(l, "admin-column-recipients")}</th>
                    <th title=t!(l, "admin-column-delivered-title")>{t!(l, "admin-column-delivered")}</th>
                    <th>{t!(l, "admin-column-seen")}</th><th>{t!(l, "admin-column-read")}</th>
                    <th title=t!(l, "admin-column-acted-title")>{t!(l, "admin-column-acted")}</th><th></th>
                </tr>
            }.into_any()
            row=move |s: SendSummary, now| {
                let (scheduled, cancelled) = (s.scheduled(now), s.cancelled());
                // Not gone out (yet): nothing was counted, rather than 0 of 0.
                let count = move |n: i64| {
                    if scheduled || cancelled {
                        view! {
                            <span aria-hidden="true">"–"</span>
                            <span class="sr-only">{t!(l, "admin-count-unsent")}</span>
                        }
                        .into_any()
                    } else {
                        n.into_any()
                    }
                };
                view! {
                                            <tr class:revoked={s.retracted || s.expires_at.is_some_and(|at| at <= now)} data-send=s.id>
                                                <td>{s.title}<div class="muted small">{t!(l, "admin-sent-by", sender = s.sender.as_str())}</div></td>
                                                <td>{herald::admin::SentTo::say_label(&s.audience, l)}</td>
                                                <td>
                                                    {match s.send_at {
                                                        Some(at) if scheduled => view! {
                                                            <span class="scheduled">{t!(l, "admin-scheduled", when = relative(l, at, now))}</span>
                                                        }.into_any(),
                                                        Some(at) if !cancelled => relative(l, at, now).into_any(),
                                                        _ => relative(l, s.created_at, now).into_any(),
                                                    }}
                                                    {s.expires_at.filter(|at| *at > now && !s.retracted).map(|at| view! {
                                                        <div class="muted small expiry">{t!(l, "admin-expires-when", when = relative(l, at, now))}</div>
                                                    })}
                                                </td>
                                                <td class="num" data-count="recipients">
                                                    {count(s.recipients)}
                                                    {(s.sending && !scheduled).then(|| view! { <div class="muted small sending">{t!(l, "admin-sending")}</div> })}
                                                </td>
                                                <td class="num" data-count="delivered">{count(s.delivered)}</td>
                                                <td class="num" data-count="seen">{count(s.seen)}</td>
                                                <td class="num" data-count="read">{count(s.read)}</td>
                                                <td class="num" data-count="interacted">{count(s.interacted)}</td>
                                                <td>{if cancelled {
                                                    view! { <span class="muted">{t!(l, "admin-cancelled")}</span> }.into_any()
                                                } else if s.retracted {
                                                    view! { <span class="muted">{t!(l, "admin-retracted")}</span> }.into_any()
                                                } else if s.expires_at.is_some_and(|at| at <= now) {
                                                    view! { <span class="muted">{t!(l, "admin-expired")}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <crate::forms::ServerForm action=retract>
                                                            <input type="hidden" name="id" value=s.id/>
                                                            <button type="submit" class="link danger">
                                                                {if scheduled { t!(l, "admin-cancel") } else { t!(l, "admin-retract") }}
                                                            </button>
                                                        </crate::forms::ServerForm>
                                                    }.into_any()
                                                }}</td>
                                            </tr>
                }
            }
        />
    }
}
