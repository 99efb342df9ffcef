//! The rest of a grouped row: "and 3 more", opening to its older copies,
//! each a link through Herald like the row's own title.

use herald::{Notification, relative_time};
use leptos::prelude::*;

use crate::state::PageState;

/// The rest of a group's row, older first hidden behind "and 3 more".
#[component]
pub fn GroupRest(rest: Vec<Notification>) -> impl IntoView {
    let live = expect_context::<PageState>();
    let more = match rest.len() {
        1 => "and 1 more".to_owned(),
        n => format!("and {n} more"),
    };
    view! {
        <details class="group-rest">
            <summary>{more}</summary>
            <ul>
                {rest
                    .into_iter()
                    .map(|m| {
                        let created_at = m.created_at;
                        let title = match &m.link {
                            Some(_) => view! {
                                <a href=format!("/notifications/{}/open", m.id) rel="external">{m.title.clone()}</a>
                            }
                            .into_any(),
                            None => view! { <span>{m.title.clone()}</span> }.into_any(),
                        };
                        view! {
                            <li data-id=m.id>
                                {title}
                                <span class="when">" · " {move || relative_time(created_at, live.now.get())}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
