//! Users: who is online, their unread counts; create, deactivate,
//! reactivate, and change roles.
use herald::admin::UserSummary;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;

use super::paged::{Labels, PagedTable};
use crate::error::AppError;
use crate::i18n::{Locale, t, use_locale};

/// How many users a page of the list holds.
const USERS_PAGE: i64 = 50;

#[server(endpoint = "admin/users", input = PostUrl, output = crate::codec::Json)]
pub async fn user_list(
    #[server(default)] search: String,
    before: Option<i64>,
) -> Result<Vec<UserSummary>, AppError> {
    use crate::backend::*;
    as_admin(|backend, _| async move { backend.user_list(&search, before, USERS_PAGE).await }).await
}

/// Creates a user who logs in with `password` (at least 12 characters).
#[server(endpoint = "admin/users/create", input = PostUrl, output = crate::codec::Json)]
pub async fn create_user(
    #[server(default)] username: String,
    #[server(default)] password: String,
    #[server(default)] role: String,
) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move {
        let mut errors = herald::FieldErrors::default();
        let username = username.trim().to_owned();
        if let Err(problem) = herald::check_username(&username) {
            errors.push("username", problem);
        }
        if let Err(problem) = herald::check_password(&password) {
            errors.push("password", problem);
        }
        let role = herald::Role::parse(role.trim());
        if role.is_none() {
            errors.push("role", "Choose admin or member.");
        }
        match (errors.is_empty(), role) {
            (true, Some(role)) => {
                backend
                    .create_user(&admin, &username, &password, role)
                    .await
            }
            _ => Err(AppError::Invalid(errors)),
        }
    })
    .await
}

/// Deactivates a user: logged out everywhere, at once.
#[server(endpoint = "admin/users/deactivate", input = PostUrl, output = crate::codec::Json)]
pub async fn deactivate_user(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move {
        if admin.id == id {
            return Err(AppError::Conflict("You cannot deactivate yourself.".into()));
        }
        backend.deactivate_user(&admin, id).await
    })
    .await
}

/// Lets a deactivated user log in again.
#[server(endpoint = "admin/users/reactivate", input = PostUrl, output = crate::codec::Json)]
pub async fn reactivate_user(id: i64) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move { backend.reactivate_user(&admin, id).await }).await
}

/// Makes a user an admin or a member.
#[server(endpoint = "admin/users/role", input = PostUrl, output = crate::codec::Json)]
pub async fn set_role(id: i64, #[server(default)] role: String) -> Result<(), AppError> {
    use crate::backend::*;
    as_admin(|backend, admin| async move {
        let role = herald::Role::parse(role.trim())
            .ok_or_else(|| AppError::invalid("role", "Choose admin or member."))?;
        backend.set_role(&admin, id, role).await
    })
    .await
}

/// Users, newest first: who is online, their unread counts; create,
/// deactivate, reactivate, change roles.
#[component]
pub(super) fn Users() -> impl IntoView {
    let l = use_locale();
    let create = crate::forms::FormAction::<CreateUser>::new();
    let deactivate = crate::forms::FormAction::<DeactivateUser>::new();
    let reactivate = crate::forms::FormAction::<ReactivateUser>::new();
    let role = crate::forms::FormAction::<SetRole>::new();
    // The first page follows every change made here.
    let refresh = Signal::derive(move || {
        (create.version().get()
            + deactivate.version().get()
            + reactivate.version().get()
            + role.version().get()) as u64
    });
    // A refused change (the last admin, yourself) says why.
    let refused = move || {
        [deactivate.value().get(), role.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .map(|e| view! { <p class="error" role="alert">{e.message(l)}</p> })
    };
    let error_for = move |field| crate::forms::field_error(create.value(), field);
    let labels = Labels {
        title: t!(l, "admin-users-title"),
        class: "users",
        placeholder: t!(l, "admin-users-placeholder"),
        search_label: t!(l, "admin-users-search"),
        empty: t!(l, "admin-users-empty"),
    };
    view! {
        <PagedTable
            labels
            page_size=USERS_PAGE
            fetch=user_list
            key=|u: &UserSummary| u.id
            refresh
            head=|l: Locale| view! {
                <tr>
                    <th>{t!(l, "admin-column-user")}</th><th>{t!(l, "admin-column-role")}</th>
                    <th>{t!(l, "admin-column-unread")}</th><th>{t!(l, "admin-column-online")}</th><th></th>
                </tr>
            }.into_any()
            row=move |u: UserSummary, _| view! {
                <tr class:revoked=!u.active data-user=u.username.clone()>
                    <td>{u.username.clone()}</td>
                    <td>
                        {role_name(l, u.role)}
                        // Users an application created by external id
                        // cannot log in, so they are never admins.
                        {(u.active && !u.username.starts_with("ext:")).then(|| {
                            let other = match u.role {
                                herald::Role::Admin => herald::Role::Member,
                                herald::Role::Member => herald::Role::Admin,
                            };
                            view! {
                                <crate::forms::ServerForm action=role attr:class="inline-action">
                                    <input type="hidden" name="id" value=u.id/>
                                    <input type="hidden" name="role" value=other.as_str()/>
                                    <button type="submit" class="link">{make_role(l, other)}</button>
                                </crate::forms::ServerForm>
                            }
                        })}
                    </td>
                    <td class="num">{u.unread}</td>
                    <td>{if u.online {
                        view! { <span class="online" title=t!(l, "admin-online-now")>{t!(l, "admin-online")}</span> }.into_any()
                    } else {
                        view! { <span class="muted">{t!(l, "admin-offline")}</span> }.into_any()
                    }}</td>
                    <td>{if u.active {
                        view! {
                            <crate::forms::ServerForm action=deactivate>
                                <input type="hidden" name="id" value=u.id/>
                                <button type="submit" class="link danger">{t!(l, "admin-deactivate")}</button>
                            </crate::forms::ServerForm>
                        }.into_any()
                    } else {
                        view! {
                            <span class="muted">{t!(l, "admin-deactivated")} " "</span>
                            <crate::forms::ServerForm action=reactivate attr:class="inline-action">
                                <input type="hidden" name="id" value=u.id/>
                                <button type="submit" class="link">{t!(l, "admin-reactivate")}</button>
                            </crate::forms::ServerForm>
                        }.into_any()
                    }}</td>
                </tr>
            }
        >
            <crate::forms::ServerForm action=create attr:class="form inline new-user">
                <input type="text" name="username" placeholder=t!(l, "admin-username-placeholder") aria-label=t!(l, "admin-new-username")/>
                <input type="password" name="password" placeholder=t!(l, "admin-password-placeholder") aria-label=t!(l, "admin-new-password") autocomplete="new-password"/>
                <select name="role" aria-label=t!(l, "admin-role")>
                    <option value="member">{t!(l, "admin-role-option-member")}</option>
                    <option value="admin">{t!(l, "admin-role-option-admin")}</option>
                </select>
                <button type="submit" class="primary">{t!(l, "admin-create-user")}</button>
            </crate::forms::ServerForm>
            {error_for("username")}
            {error_for("password")}
            {refused}
        </PagedTable>
    }
}

/// A role as the users list names it ("admin", "member").
fn role_name(l: Locale, role: herald::Role) -> String {
    match role {
        herald::Role::Admin => t!(l, "admin-role-admin"),
        herald::Role::Member => t!(l, "admin-role-member"),
    }
}

/// The button that gives a user `role` ("make admin").
fn make_role(l: Locale, role: herald::Role) -> String {
    match role {
        herald::Role::Admin => t!(l, "admin-make-admin"),
        herald::Role::Member => t!(l, "admin-make-member"),
    }
}
