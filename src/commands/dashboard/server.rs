//! The dashboard's HTTP server: its routes, and the guard every request passes first
//! (Host, the session's secret, where writes come from, and the headers every answer
//! carries). Assets are compiled into the binary: the page needs nothing from the network.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::board::Board;
use super::guard::{self, SECRET_HEADER};
use super::release::{self, Act, Named, Reached};

/// Work a request hands to the command's own task: the CLI's commands run there, on the
/// thread that runs every command (their futures need not be `Send`, as a server's must).
pub enum Job {
    Release(Reached, Named, Reply),
    Act(Reached, Act, Reply),
}

/// Where a job's answer goes: the document, or why there is none.
pub type Reply = tokio::sync::oneshot::Sender<Result<serde_json::Value, String>>;

/// What every request may use.
pub struct App {
    pub jobs: tokio::sync::mpsc::UnboundedSender<Job>,
    pub board: Arc<Board>,
    pub secret: String,
    pub listen: SocketAddr,
    pub read_only: bool,
    /// Each cluster once reached, by the name rows carry.
    pub reached: tokio::sync::RwLock<HashMap<String, Reached>>,
    /// Why a cluster could not be reached, by name.
    pub unreachable: tokio::sync::RwLock<HashMap<String, String>>,
}

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/app.css");

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE) }),
        )
        .route("/api/stream", get(stream))
        .route("/api/release", get(release_page))
        .route("/api/release/changes", get(release_changes))
        .route("/api/action", post(action))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

fn refuse(code: StatusCode, why: &str) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{why}\n"),
    )
        .into_response()
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Every request passes here first; every answer leaves with the security headers.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let h = req.headers();
    let host = header_str(h, "host");
    let mut resp = if !guard::host_allowed(host, app.listen) {
        refuse(
            StatusCode::FORBIDDEN,
            "this server answers only to the address it listens on (Host)",
        )
    } else if req.method() == Method::OPTIONS {
        // No preflight is ever granted: the page never asks another origin.
        refuse(StatusCode::METHOD_NOT_ALLOWED, "no cross-origin requests")
    } else if req.uri().path().starts_with("/api/") {
        if !guard::secret_matches(header_str(h, SECRET_HEADER), &app.secret) {
            refuse(
                StatusCode::UNAUTHORIZED,
                "open the dashboard with the URL it printed (it carries the session's secret)",
            )
        } else if req.method() != Method::GET && app.read_only {
            refuse(
                StatusCode::FORBIDDEN,
                "the dashboard is read-only (--read-only)",
            )
        } else if req.method() != Method::GET
            && let Some(why) = guard::write_refusal(
                req.method().as_str(),
                host.unwrap_or_default(),
                header_str(h, "origin"),
                header_str(h, "sec-fetch-site"),
            )
        {
            refuse(StatusCode::FORBIDDEN, why)
        } else {
            next.run(req).await
        }
    } else {
        next.run(req).await
    };
    let headers = resp.headers_mut();
    for (k, v) in guard::SECURITY_HEADERS {
        headers.insert(k, HeaderValue::from_static(v));
    }
    resp
}

/// The fleet, live: server-sent events over a fetch (a header carries the secret, which
/// EventSource cannot send). The first event holds every row; each later one the rows
/// changed since, at most every 50 ms. A comment every 15 s lets the page tell a dropped
/// connection from a quiet fleet.
async fn stream(State(app): State<Arc<App>>) -> Response {
    let mut rx = app.board.subscribe();
    rx.borrow_and_update();
    let board = app.board.clone();
    let body = futures::StreamExt::flat_map(
        futures::stream::unfold((rx, 0u64, true), move |(mut rx, since, first)| {
            let board = board.clone();
            async move {
                if !first {
                    tokio::select! {
                        changed = rx.changed() => {
                            changed.ok()?;
                            // Changes that come together go out together.
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        () = tokio::time::sleep(Duration::from_secs(15)) => {
                            let ping = vec![bytes::Bytes::from_static(b": ping\n\n")];
                            return Some((ping, (rx, since, false)));
                        }
                    }
                }
                rx.borrow_and_update();
                let changes = board.changes(since);
                let seq = changes.seq;
                Some((event(changes), (rx, seq, false)))
            }
        }),
        |chunks: Vec<bytes::Bytes>| {
            futures::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>))
        },
    );
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| refuse(StatusCode::INTERNAL_SERVER_ERROR, "stream"))
}

/// One `rows` event, in pieces of about 64 KB: the rows are written out as they go, never
/// gathered into one string (50,000 rows are 13 MB of text).
fn event(c: super::board::Changes) -> Vec<bytes::Bytes> {
    let mut out = Vec::new();
    let mut piece = format!("event: rows\ndata: {}", c.head);
    for (i, row) in c.rows.iter().enumerate() {
        if i > 0 {
            piece.push(',');
        }
        piece.push_str(row);
        if piece.len() > 64 * 1024 {
            out.push(bytes::Bytes::from(std::mem::take(&mut piece)));
        }
    }
    piece.push_str(&c.tail);
    piece.push_str("\n\n");
    out.push(bytes::Bytes::from(piece));
    out
}

async fn reached(app: &App, cluster: &str) -> Result<Reached, Response> {
    if let Some(r) = app.reached.read().await.get(cluster) {
        return Ok(r.clone());
    }
    let why = app
        .unreachable
        .read()
        .await
        .get(cluster)
        .cloned()
        .unwrap_or_else(|| "it is not reached yet".into());
    Err(refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        &format!("cluster {cluster:?}: {why}"),
    ))
}

fn json_response(v: &serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

/// Hand a job for `cluster` to the command's task and answer with what it found; `refused`:
/// the status of an answer that is an error.
async fn job(
    app: &App,
    cluster: &str,
    refused: StatusCode,
    make: impl FnOnce(Reached, Reply) -> Job,
) -> Response {
    let at = match reached(app, cluster).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.jobs.send(make(at, tx)).ok();
    match rx.await {
        Ok(Ok(v)) => json_response(&v),
        Ok(Err(why)) => refuse(refused, &why),
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "the dashboard is stopping"),
    }
}

async fn release_page(State(app): State<Arc<App>>, Query(named): Query<Named>) -> Response {
    let cluster = named.cluster.clone();
    job(&app, &cluster, StatusCode::NOT_FOUND, |at, tx| {
        Job::Release(at, named, tx)
    })
    .await
}

/// The release page's changes: an event each time the release, its pods or its Events
/// change (at most one per 200 ms), so the page reads itself again; a comment every 15 s.
async fn release_changes(State(app): State<Arc<App>>, Query(q): Query<WatchQuery>) -> Response {
    let at = match reached(&app, &q.named.cluster).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let changes = match release::changes(&at, &q.named, q.selector.as_deref()) {
        Ok(c) => c,
        Err(why) => return refuse(StatusCode::NOT_FOUND, &why),
    };
    let changes = Box::pin(changes);
    let body = futures::stream::unfold(changes, |mut changes| async move {
        use futures::StreamExt;
        let item = tokio::select! {
            c = changes.next() => {
                c?;
                // A batch of pods changes together: one event for them.
                tokio::time::sleep(Duration::from_millis(200)).await;
                while futures::FutureExt::now_or_never(changes.next()).flatten().is_some() {}
                bytes::Bytes::from_static(b"event: changed\ndata: {}\n\n")
            }
            () = tokio::time::sleep(Duration::from_secs(15)) => bytes::Bytes::from_static(b": ping\n\n"),
        };
        Some((Ok::<_, std::io::Error>(item), changes))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(body))
        .unwrap_or_else(|_| refuse(StatusCode::INTERNAL_SERVER_ERROR, "stream"))
}

#[derive(serde::Deserialize)]
struct WatchQuery {
    #[serde(flatten)]
    named: Named,
    selector: Option<String>,
}

async fn action(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let act: Act = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &format!("not an action: {e}")),
    };
    let cluster = act.named.cluster.clone();
    job(&app, &cluster, StatusCode::BAD_REQUEST, |at, tx| {
        Job::Act(at, act, tx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_small_and_needs_nothing_from_elsewhere() {
        // Uncompressed, so well under the 150 KB gzipped budget.
        assert!(INDEX.len() + SCRIPT.len() + STYLE.len() < 150_000);
        for (name, text) in [
            ("index.html", INDEX),
            ("app.js", SCRIPT),
            ("app.css", STYLE),
        ] {
            for far in ["http://", "https://", "@import", "url(", "src=\"//"] {
                assert!(!text.contains(far), "{name} reaches elsewhere: {far}");
            }
        }
        // No inline script or style: the CSP allows neither.
        assert!(
            !INDEX.contains("<script>") && !INDEX.contains("<style") && !INDEX.contains(" style=")
        );
        assert!(!INDEX.contains("onclick") && !INDEX.contains("onload"));
    }
}
