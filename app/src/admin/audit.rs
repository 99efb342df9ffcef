//! The audit log: who did what, newest first, searchable.
use herald::admin::AuditInfo;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;

/// How many audit entries a page of the list holds.
const AUDIT_PAGE: i64 = 50;

#[server(endpoint = "admin/audit", input = PostUrl)]
pub async fn audit_log(
    #[server(default)] search: String,
    before: Option<i64>,
) -> Result<Vec<AuditInfo>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.audit_log(&search, before, AUDIT_PAGE).await }).await
}

/// The audit log: who did what, newest first, searchable, older pages on demand.
#[component]
pub(super) fn AuditLog() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let live = expect_context::<crate::state::PageState>();
    let first = Resource::new(move || search.get(), |search| audit_log(search, None));
    let older = RwSignal::new(Vec::<AuditInfo>::new());
    let load_older = move |_| {
        let before = older
            .with_untracked(|o| o.last().map(|e| e.id))
            .or_else(|| {
                first
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .and_then(|f| f.last().map(|e| e.id))
            });
        let search = search.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(more) = audit_log(search, before).await {
                older.update(|o| o.extend(more));
            }
        });
    };
    view! {
        <section class="card audit">
            <div class="inbox-head">
                <h2>"Audit log"</h2>
                <input
                    type="search"
                    placeholder="Search the log"
                    aria-label="Search the audit log"
                    on:input=move |ev| {
                        older.set(Vec::new());
                        search.set(event_target_value(&ev));
                    }
                />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(entries) if entries.is_empty() => view! { <p class="muted empty">"Nothing recorded yet."</p> }.into_any(),
                        Ok(entries) => {
                            let full = entries.len() as i64 >= AUDIT_PAGE;
                            let now = live.now.get_untracked();
                            view! {
                                <table class="keys-table audit-table">
                                    <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"To"</th><th>"Detail"</th></tr></thead>
                                    <tbody>
                                        {move || entries.iter().cloned().chain(older.get()).map(|e| {
                                            let action = e.action.clone();
                                            view! {
                                            <tr data-action=action>
                                                <td title=e.at.to_string()>{herald::relative_time(e.at, now)}</td>
                                                <td>{e.actor}</td>
                                                <td><code>{e.action}</code></td>
                                                <td>{e.target}</td>
                                                <td class="muted">{e.detail}</td>
                                            </tr>
                                        }}).collect_view()}
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
