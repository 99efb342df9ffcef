//! Getting the user's attention, politely: a toast in the visible tab, a
//! desktop notification in a hidden one (only after the user opts in,
//! `desktop`).

use leptos::prelude::*;

use crate::state::{PageState, Toast};

/// How long a toast stays.
#[cfg(feature = "hydrate")]
const TOAST_MS: u64 = 6_000;

/// Shows `text` as an error toast.
pub fn toast_error(live: PageState, text: &str) {
    push(live, text.to_owned(), true, None);
}

/// Shows a toast; one for a grouped `row` takes the place of the row's
/// earlier one, so five comments on a post are one toast, not five.
fn push(live: PageState, text: String, error: bool, row: Option<i64>) {
    let id = live
        .toasts
        .with_untracked(|t| t.last().map_or(0, |t| t.id + 1));
    live.toasts.update(|t| {
        t.retain(|t| row.is_none() || t.row != row);
        t.push(Toast {
            id,
            text,
            error,
            row,
        });
    });
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || live.toasts.update(|t| t.retain(|t| t.id != id)),
        std::time::Duration::from_millis(TOAST_MS),
    );
}

/// The toasts, and what raises them: a notification arriving live shows a
/// toast if this tab is visible, or a desktop notification if it is hidden,
/// the user opted in on this device and their settings allow it for its
/// category. A muted one raises neither.
#[island]
pub fn Toaster() -> impl IntoView {
    let live = crate::state::use_page_state();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let Some(n) = live.arrived.get() else { return };
        if n.muted {
            return;
        }
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            push(live, n.title.clone(), false, n.group);
        } else if crate::desktop::desktop_enabled() {
            leptos::task::spawn_local(async move {
                // Read when needed, so a change made in another tab counts.
                let allowed = crate::forms::call(crate::settings::GetPreferences {})
                    .await
                    .is_ok_and(|all| {
                        all.iter()
                            .any(|p| p.category == n.category && p.alerts_desktop())
                    });
                if allowed {
                    let options = web_sys::NotificationOptions::new();
                    options.set_body(&n.body);
                    // One desktop notification per row, as web push does.
                    options.set_tag(&match n.group {
                        Some(row) => format!("herald-row-{row}"),
                        None => format!("herald-{}", n.id),
                    });
                    let _ = web_sys::Notification::new_with_options(&n.title, &options);
                }
            });
        }
    });
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || live.toasts.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.error>{toast.text}</div>
            </For>
        </div>
    }
}
