//! Logging in and out, and who is logged in.

use herald::User;
use herald::wire::Transport;
use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The logged-in user and their unread count, rendered into every page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub user: User,
    pub unread: i64,
    /// The sequence number `unread` is valid at.
    pub seq: i64,
    /// How the page should keep its live connection.
    pub transport: Transport,
}

/// Who is logged in, with their unread count; `None` when nobody is.
#[server(endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    use crate::backend::*;
    respond(
        async {
            let Some(user) = current_user().await? else {
                return Ok(None);
            };
            let backend = backend()?;
            let (unread, seq) = backend.unread(user.id).await?;
            Ok(Some(Me {
                user,
                unread,
                seq,
                transport: backend.transport(),
            }))
        }
        .await,
    )
}

#[server(endpoint = "login", input = PostUrl)]
pub async fn login(
    #[server(default)] username: String,
    #[server(default)] password: String,
) -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            let user = backend()?
                .authenticate(username.trim(), &password)
                .await?
                .ok_or(AppError::BadCredentials)?;
            let session = session().await?;
            // A new id on login, so a session id planted before it is worthless.
            session.cycle_id().await.map_err(internal)?;
            session
                .insert(SESSION_USER_KEY, user.id)
                .await
                .map_err(internal)?;
            tracing::info!(user_id = user.id, "logged in");
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "logout", input = PostUrl)]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::*;
    respond(
        async {
            session().await?.flush().await.map_err(internal)?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = expect_context::<ServerAction<Login>>();
    let error = move || {
        login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="card login">
            <h1>"Log in to Herald"</h1>
            <ActionForm action=login attr:class="form">
                <label>
                    "Username"
                    <input type="text" name="username" autocomplete="username" required autofocus/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <p class="error" role="alert">{error}</p>
                <button type="submit" class="primary">"Log in"</button>
            </ActionForm>
        </section>
    }
}
