//! The audit log: who did what, newest first, searchable.
use herald::admin::AuditInfo;
use leptos::prelude::*;

use leptos::server_fn::codec::PostUrl;

use super::paged::{Labels, PagedTable};
use crate::error::AppError;
use crate::i18n::{Locale, relative, t, use_locale};

/// How many audit entries a page of the list holds.
const AUDIT_PAGE: i64 = 50;

#[server(endpoint = "admin/audit", input = PostUrl, output = crate::codec::Json)]
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
    let l = use_locale();
    let labels = Labels {
        title: t!(l, "admin-audit-title"),
        class: "audit",
        placeholder: t!(l, "admin-audit-placeholder"),
        search_label: t!(l, "admin-audit-search"),
        empty: t!(l, "admin-audit-empty"),
    };
    view! {
        <PagedTable
            labels
            page_size=AUDIT_PAGE
            fetch=audit_log
            key=|e: &AuditInfo| e.id
            head=|l: Locale| view! {
                <tr>
                    <th>{t!(l, "admin-column-when")}</th><th>{t!(l, "admin-column-who")}</th>
                    <th>{t!(l, "admin-column-what")}</th><th>{t!(l, "admin-column-to")}</th>
                    <th>{t!(l, "admin-column-detail")}</th>
                </tr>
            }.into_any()
            row=move |e: AuditInfo, now| {
                let action = e.action.clone();
                // A send's target is who it was for, stored in English.
                let target = match e.action.as_str() {
                    "send" | "schedule" => herald::admin::SentTo::say_label(&e.target, l),
                    _ => e.target,
                };
                view! {
                    <tr data-action=action>
                        <td title=e.at.to_string()>{relative(l, e.at, now)}</td>
                        <td>{e.actor}</td>
                        <td><code>{e.action}</code></td>
                        <td>{target}</td>
                        <td class="muted">{e.detail}</td>
                    </tr>
                }
            }
        />
    }
}
