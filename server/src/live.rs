//! The live connection endpoint: a WebSocket per open page, authenticated by
//! the session cookie, carrying the user's events from the hub.

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use herald::{ServerMessage, UserId};
use tower_sessions::Session;

use crate::AppState;
use crate::auth;
use crate::error::Error;

/// The largest frame a client may send; nothing it needs to say is bigger.
const MAX_CLIENT_FRAME: usize = 4 * 1024;

/// `GET /ws`: refuses anonymous (401) and cross-site (403) requests before
/// upgrading.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let user = auth::session_user(&session, &state.store)
        .await?
        .ok_or(Error::Unauthorized)?;
    auth::check_origin(&headers, &state.config)?;
    Ok(ws
        .max_message_size(MAX_CLIENT_FRAME)
        .max_frame_size(MAX_CLIENT_FRAME)
        .on_upgrade(move |socket| serve(socket, state, user.id)))
}

async fn serve(socket: WebSocket, state: AppState, user: UserId) {
    // Subscribe before reading the count: an event committed in between is
    // then both counted and queued, and the client's sequence check drops
    // the duplicate instead of missing it.
    let mut events = state.hub.subscribe(user);
    let (mut sink, mut stream) = socket.split();
    let hello = match state.store.unread(user).await {
        Ok((unread, seq)) => ServerMessage::Hello { unread, seq },
        Err(error) => {
            tracing::error!(%error, user, "cannot read unread count");
            let _ = sink.send(close(close_code::ERROR, "internal error")).await;
            return;
        }
    };
    let Ok(hello) = serde_json::to_string(&hello) else {
        return;
    };
    if sink.send(Message::Text(hello.into())).await.is_err() {
        return;
    }

    let ending = loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => break Some(close(close_code::AWAY, "server restarting")),
            event = events.recv() => match event {
                Some(json) => {
                    if sink.send(Message::Text(json)).await.is_err() {
                        break None;
                    }
                }
                None => break Some(close(close_code::POLICY, "too slow; reconnect to catch up")),
            },
            frame = stream.next() => match frame {
                // Pings are answered by the socket itself; the client has
                // nothing else to say yet.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Text(_) | Message::Binary(_))) => {}
                Some(Ok(Message::Close(_))) | None => break None,
                Some(Err(error)) => {
                    tracing::debug!(%error, user, "socket error");
                    break None;
                }
            },
        }
    };
    if let Some(frame) = ending {
        let _ = sink.send(frame).await;
    }
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
