//! `GET /events`: the server-sent-events fallback, for networks that block
//! WebSockets. Same events, same authentication, and the same resume
//! semantics through `Last-Event-ID` (or `?after=` on the first request).

use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use futures::{Stream, StreamExt, stream};
use herald::ServerMessage;
use serde::Deserialize;
use tower_sessions::Session;

use super::Wake;
use crate::error::Error;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Resume {
    after: Option<i64>,
    /// A connection token, for pages on another site.
    token: Option<String>,
}

pub async fn events(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<Resume>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Error> {
    if state.draining.is_cancelled() {
        return Err(Error::Draining);
    }
    let authorized = super::authorize(&state, &session, &headers, query.token.as_deref()).await?;
    // The browser sends Last-Event-ID itself when it reconnects on its own.
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .or(query.after);
    let mut opening = match super::open(&super::Context::of(&state), authorized, after).await {
        Ok(opening) => opening,
        Err(refusal) if refusal == super::Refusal::TOO_MANY => {
            return Err(Error::TooManyConnections);
        }
        Err(refusal) if refusal == super::Refusal::INTERNAL => return Err(Error::Internal),
        Err(_) => return Err(Error::Unauthorized),
    };

    let first = stream::iter(std::mem::take(&mut opening.first)).map(|message| Ok(event(&message)));
    // The guard lives as long as the stream: the gauge counts it till it ends.
    let open = crate::telemetry::OpenConnection::new("sse");
    let heartbeat =
        Event::default().data(serde_json::to_string(&ServerMessage::Heartbeat).unwrap_or_default());
    let live = stream::unfold((opening, open), move |(mut opening, open)| {
        let heartbeat = heartbeat.clone();
        async move {
            let sse = match opening.next_event().await.ok()? {
                Wake::Event(event) => {
                    crate::telemetry::delivered(event.at.elapsed());
                    Event::default()
                        .id(event.seq.to_string())
                        .data(event.json.as_str())
                }
                // The connection's own timer: no keep-alive timer beside it.
                Wake::Heartbeat => heartbeat,
            };
            Some((Ok(sse), (opening, open)))
        }
    });
    // Ends on shutdown (the browser reconnects), when the hub cut it off, or
    // when its session, user, key or token is no longer valid.
    let shutdown = state.draining.clone().cancelled_owned();
    Ok(Sse::new(first.chain(live).take_until(shutdown)))
}

fn event(message: &ServerMessage) -> Event {
    let event = Event::default().data(serde_json::to_string(message).unwrap_or_default());
    match message.seq() {
        Some(seq) => event.id(seq.to_string()),
        None => event,
    }
}
