//! The rest of a grouped row: "and 3 more", opening to its older copies,
//! each a link through Herald like the row's own title.

use herald::Notification;
use leptos::either::Either;
use leptos::prelude::*;

use crate::i18n::{relative, t, use_locale};

/// The rest of a group's row, older first hidden behind "and 3 more".
#[component]
pub fn GroupRest(rest: Vec<Notification>) -> impl IntoView {
    let live = crate::state::use_page_state();
    let l = use_locale();
    let more = t!(l, "group-more", count = rest.len());
    view! {
        <details class="group-rest">
            <summary>{more}</summary>
            <ul>
                {rest
                    .into_iter()
                    .map(|m| {
                        let created_at = m.created_at;
                        let title = match &m.link {
                            Some(_) => Either::Left(view! {
                                <a href=format!("/notifications/{}/open", m.id) rel="external">{m.title.clone()}</a>
                            }),
                            None => Either::Right(view! { <span>{m.title.clone()}</span> }),
                        };
                        view! {
                            <li data-id=m.id>
                                {title}
                                <span class="when">" · " {move || relative(l, created_at, live.now.get())}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
