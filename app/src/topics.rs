//! Settings' Topics section: the topics the user follows (their apps
//! subscribe them, e.g. to a project they work on), each with Leave. A
//! plain form per topic, drawn by the server: Leave posts and reloads.

use herald::topics::Subscription;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

#[server(endpoint = "settings/topics", input = PostUrl, output = crate::codec::Json)]
pub async fn my_topics() -> Result<Vec<Subscription>, AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.topics(user.id).await }).await
}

/// Stops following `topic`: sends to it no longer reach this user.
#[server(endpoint = "settings/topics/leave", input = PostUrl, output = crate::codec::Json)]
pub async fn leave_topic(topic: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_user(|backend, user| async move { backend.leave_topic(user.id, &topic).await }).await
}

#[component]
pub fn TopicsSection() -> impl IntoView {
    let l = use_locale();
    let leave = crate::forms::FormAction::<LeaveTopic>::new();
    let topics = Resource::new(move || leave.version().get(), |_| my_topics());
    view! {
        <h2>{t!(l, "topics-title")}</h2>
        <p class="muted">{t!(l, "topics-intro")}</p>
        <Transition fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
            {move || Suspend::new(async move {
                match topics.await {
                    Ok(list) if list.is_empty() => {
                        EitherOf3::A(view! { <p class="muted topics-empty">{t!(l, "topics-empty")}</p> })
                    }
                    Ok(list) => EitherOf3::B(view! {
                        <ul class="topics" aria-label=t!(l, "topics-list-label")>
                            {list
                                .into_iter()
                                .map(|sub| {
                                    let label = t!(l, "topics-leave-label", topic = sub.topic.clone());
                                    let (key, shown, value) = (sub.topic.clone(), sub.topic.clone(), sub.topic);
                                    view! {
                                        <li class="topic" data-topic=key>
                                            <span class="topic-key">{shown}</span>
                                            <crate::forms::ServerForm action=leave>
                                                <input type="hidden" name="topic" value=value/>
                                                <button type="submit" class="link danger" aria-label=label>
                                                    {t!(l, "topics-leave")}
                                                </button>
                                            </crate::forms::ServerForm>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }),
                    Err(error) => EitherOf3::C(view! { <p class="error" role="alert">{error.message(l)}</p> }),
                }
            })}
        </Transition>
    }
}
