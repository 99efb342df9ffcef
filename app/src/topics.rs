//! Settings' Topics section: the topics the user follows (their apps
//! subscribe them, e.g. to a project they work on), each with Leave. A
//! plain form per topic, so it works without WASM too.

use herald::topics::Subscription;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;

#[server(endpoint = "settings/topics", input = PostUrl)]
pub async fn my_topics() -> Result<Vec<Subscription>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.topics(user.id).await }).await
}

/// Stops following `topic`: sends to it no longer reach this user.
#[server(endpoint = "settings/topics/leave", input = PostUrl)]
pub async fn leave_topic(topic: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.leave_topic(user.id, &topic).await }).await
}

#[component]
pub fn TopicsSection() -> impl IntoView {
    let leave = ServerAction::<LeaveTopic>::new();
    let topics = Resource::new(move || leave.version().get(), |_| my_topics());
    view! {
        <h2>"Topics"</h2>
        <p class="muted">"What you follow: news sent to a topic reaches everyone in it."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match topics.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p class="muted topics-empty">"You follow no topics."</p> }.into_any()
                    }
                    Ok(list) => view! {
                        <ul class="topics" aria-label="Your topics">
                            {list
                                .into_iter()
                                .map(|t| {
                                    let label = format!("Leave {}", t.topic);
                                    let (key, shown, value) = (t.topic.clone(), t.topic.clone(), t.topic);
                                    view! {
                                        <li class="topic" data-topic=key>
                                            <span class="topic-key">{shown}</span>
                                            <ActionForm action=leave>
                                                <input type="hidden" name="topic" value=value/>
                                                <button type="submit" class="link danger" aria-label=label>
                                                    "Leave"
                                                </button>
                                            </ActionForm>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
