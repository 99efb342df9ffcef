//! The audit log: who did what, newest first, searchable.
use herald::admin::AuditInfo;
use leptos::prelude::*;

use super::ADMIN;
use leptos::server_fn::codec::PostUrl;

use super::paged::{Labels, PagedTable};
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
    let labels = Labels {
        title: "Audit log",
        class: "audit",
        placeholder: "Search the log",
        search_label: "Search the audit log",
        empty: "Nothing recorded yet.",
    };
    view! {
        <PagedTable
            labels
            page_size=AUDIT_PAGE
            fetch=audit_log
            key=|e: &AuditInfo| e.id
            head=|| view! { <tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"To"</th><th>"Detail"</th></tr> }.into_any()
            row=|e: AuditInfo, now| {
                let action = e.action.clone();
                view! {
                    <tr data-action=action>
                        <td title=e.at.to_string()>{crate::i18n::relative(ADMIN, e.at, now)}</td>
                        <td>{e.actor}</td>
                        <td><code>{e.action}</code></td>
                        <td>{e.target}</td>
                        <td class="muted">{e.detail}</td>
                    </tr>
                }
            }
        />
    }
}
