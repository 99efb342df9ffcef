//! Serving a prepared Herald over HTTP/1 until shutdown.

use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::start::Herald;

impl Herald {
    /// Serves until `state.shutdown` is cancelled, then closes every live
    /// connection (1001) and returns once every connection is gone or
    /// `grace` is up, whichever is first: a client that stops reading
    /// cannot hold shutdown up.
    ///
    /// hyper's HTTP/1 server is driven directly (as axum's `serve` does)
    /// for the one setting `serve` lacks: a deadline for a request's
    /// headers, from the connection's first byte, against clients that open
    /// connections and trickle bytes to hold them (slowloris). (hyper-util's
    /// HTTP/1-or-2 detection reads its first bytes without any deadline;
    /// browsers speak HTTP/2 only over TLS, which a proxy terminates.)
    pub async fn serve(self, listener: TcpListener, grace: Duration) -> std::io::Result<()> {
        let shutdown = self.state.shutdown.clone();
        let header_timeout = Duration::from_secs(self.state.config.header_timeout_secs.max(1));
        let connections = tokio_util::task::TaskTracker::new();
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors, say: wait, then carry on.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = shutdown.cancelled() => break,
            };
            let _ = stream.set_nodelay(true);
            let router = self.router.clone();
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    router.clone().oneshot(request)
                },
            );
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let shutdown = shutdown.clone();
            connections.spawn(async move {
                let mut connection = std::pin::pin!(connection);
                let ended = tokio::select! {
                    ended = connection.as_mut() => ended,
                    _ = shutdown.cancelled() => {
                        // Finish the request in flight, then close.
                        connection.as_mut().graceful_shutdown();
                        connection.await
                    }
                };
                if let Err(error) = ended {
                    tracing::debug!(%error, %peer, "connection ended with an error");
                }
            });
        }
        drop(listener);
        connections.close();
        let hub = self.state.hub.clone();
        let drained = async {
            connections.wait().await;
            hub.until_at_most(0).await;
        };
        if tokio::time::timeout(grace, drained).await.is_err() {
            tracing::warn!(
                open = hub.connection_count(),
                "shutting down with connections still open"
            );
        }
        Ok(())
    }
}
