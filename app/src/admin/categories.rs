//! Categories: which ones are required, so that nobody can mute them
//! (security alerts, say; a mute set earlier is ignored from then on), and
//! which are emailed by default when unseen (users may still choose).
use herald::Category;
use leptos::prelude::*;

use leptos::server_fn::codec::PostUrl;

use crate::error::AppError;
use crate::i18n::{t, use_locale};

/// Each category, with whether it is required and emailed by default.
#[server(endpoint = "admin/categories", output = crate::codec::Json)]
pub async fn required_categories() -> Result<Vec<(Category, bool, bool)>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move {
        let required = backend.required_categories().await?;
        let emailed = backend.emailed_categories().await?;
        Ok(Category::ALL
            .into_iter()
            .map(|c| (c, required.contains(&c), emailed.contains(&c)))
            .collect())
    })
    .await
}

#[server(endpoint = "admin/categories/emailed", input = PostUrl, output = crate::codec::Json)]
pub async fn set_emailed(category: Category, emailed: bool) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.set_emailed(&admin, category, emailed).await })
        .await
}

#[server(endpoint = "admin/categories/required", input = PostUrl, output = crate::codec::Json)]
pub async fn set_required(category: Category, required: bool) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.set_required(&admin, category, required).await })
        .await
}

#[component]
pub(super) fn Categories() -> impl IntoView {
    let l = use_locale();
    let set = crate::forms::FormAction::<SetRequired>::new();
    let email = crate::forms::FormAction::<SetEmailed>::new();
    let list = Resource::new(
        move || (set.version().get(), email.version().get()),
        |_| required_categories(),
    );
    view! {
        <section class="card categories">
            <h2>{t!(l, "admin-categories-title")}</h2>
            <p class="muted">{t!(l, "admin-categories-intro")}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(l, "loading")}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(all) => view! {
                            <ul class="category-list">
                                {all.into_iter().map(move |(category, required, emailed)| view! {
                                    <li data-category=category.as_str()>
                                        <span class=format!("icon icon-{}", category.as_str()) aria-hidden="true">
                                            {crate::icons::icon(category)}
                                        </span>
                                        <span class="category-name">{category.label(l)}</span>
                                        {if required {
                                            view! { <span class="required-tag">{t!(l, "admin-required")}</span> }.into_any()
                                        } else {
                                            view! { <span class="muted">{t!(l, "admin-optional")}</span> }.into_any()
                                        }}
                                        <crate::forms::ServerForm action=set>
                                            <input type="hidden" name="category" value=category.as_str()/>
                                            <input type="hidden" name="required" value=(!required).to_string()/>
                                            <button type="submit" class="link">
                                                {if required { t!(l, "admin-make-optional") } else { t!(l, "admin-make-required") }}
                                            </button>
                                        </crate::forms::ServerForm>
                                        {emailed.then(|| view! { <span class="required-tag">{t!(l, "admin-emailed")}</span> })}
                                        <crate::forms::ServerForm action=email>
                                            <input type="hidden" name="category" value=category.as_str()/>
                                            <input type="hidden" name="emailed" value=(!emailed).to_string()/>
                                            <button type="submit" class="link">
                                                {if emailed { t!(l, "admin-no-email-by-default") } else { t!(l, "admin-email-by-default") }}
                                            </button>
                                        </crate::forms::ServerForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! { <p class="error">{error.message(l)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
