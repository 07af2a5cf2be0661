//! What every request goes through: the whole-request deadline, request logging as kubectl's
//! `-v` prints it, and the API server's `Warning` headers.
//!
//! kube's timeouts apply to each read, so a body that trickles in one byte at a time never
//! times out; here a request that is not a watch must be answered completely (headers and
//! body) within its deadline.
//!
//! The layer sits outside kube's authentication layer, so the requests it sees carry no
//! credentials at all: nothing it prints can leak a token, a password or a key. (A hand-written
//! tower layer: kube's own tracing needs a tracing subscriber and prints in another form.)

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt;
use kube::client::Body;
use tower::{BoxError, Layer, Service};

type DynBody = kube::client::DynBody;

/// Warnings the API server sent, printed once each as kubectl prints them.
#[derive(Default)]
pub struct Warnings {
    seen: Mutex<Vec<String>>,
    count: AtomicUsize,
    /// The cluster they come from, when a command runs in several.
    cluster: std::sync::OnceLock<String>,
}

impl Warnings {
    fn record(&self, text: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.iter().any(|s| s == text) {
            // Printed by the HTTP stack's own task, outside the command's output scope.
            match self.cluster.get() {
                Some(c) => eprintln!("{}", crate::output::tag(c, &format!("Warning: {text}"))),
                None => eprintln!("Warning: {text}"),
            }
            seen.push(text.to_string());
        }
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Name the cluster the warnings come from.
    pub fn from_cluster(&self, name: &str) {
        self.cluster.set(name.to_string()).ok();
    }

    /// How many warnings the server sent during this command.
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// The text of a `Warning: 299 - "text"` header (RFC 7234), as kubectl prints it.
fn warning_text(header: &str) -> String {
    let rest = header.trim();
    // code, agent, then the quoted text
    let mut parts = rest.splitn(3, ' ');
    let (_code, _agent, text) = (parts.next(), parts.next(), parts.next().unwrap_or(rest));
    let text = text.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.rfind('"').map(|end| &t[..end]))
        .unwrap_or(text);
    text.replace("\\\"", "\"")
}

#[derive(Clone)]
pub struct TraceLayer {
    level: u8,
    server: String,
    warnings: std::sync::Arc<Warnings>,
    /// The longest a request other than a watch may take, body included; `None`: no limit.
    deadline: Option<std::time::Duration>,
    /// The deadline was given (--request-timeout): it bounds every request, lists too.
    explicit: bool,
}

impl TraceLayer {
    pub fn new(
        level: u8,
        server: String,
        warnings: std::sync::Arc<Warnings>,
        deadline: Option<std::time::Duration>,
        explicit: bool,
    ) -> Self {
        TraceLayer {
            level,
            server,
            warnings,
            deadline,
            explicit,
        }
    }
}

/// Marks a request whose answer is a list read as it arrives (possibly a very large one):
/// without --request-timeout it gets [`LIST_DEADLINE`], not the deadline of one object.
#[derive(Debug, Clone, Copy)]
pub struct LongBody;

/// How long a streamed list may take by default: bounded, but long enough for 100 MB over a
/// slow link.
pub const LIST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

/// A request that did not complete within its deadline.
#[derive(Debug, thiserror::Error)]
#[error("no complete answer within {}s (--request-timeout)", .0.as_secs_f64())]
pub struct DeadlineExceeded(pub std::time::Duration);

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;
    fn layer(&self, inner: S) -> Trace<S> {
        Trace {
            inner,
            cfg: self.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Trace<S> {
    inner: S,
    cfg: TraceLayer,
}

fn body_text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl<S> Service<Request<Body>> for Trace<S>
where
    S: Service<Request<Body>, Response = Response<Box<DynBody>>, Error = BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Box<DynBody>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        // The clone that was polled ready serves this call; the fresh one waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let cfg = self.cfg.clone();
        Box::pin(async move {
            let level = cfg.level;
            let method = req.method().clone();
            let url = format!("{}{}", cfg.server, req.uri());
            let watching = req.uri().query().is_some_and(|q| q.contains("watch=true"));
            let deadline = match cfg.deadline {
                Some(_) if !cfg.explicit && req.extensions().get::<LongBody>().is_some() => {
                    Some(LIST_DEADLINE)
                }
                d => d,
            };
            if level >= 7 {
                eprintln!("{method} {url}");
                eprintln!("Request Headers:");
                eprintln!("    User-Agent: {}", super::user_agent());
                for (k, v) in req.headers() {
                    // Credentials are added below this layer; mask anything that looks like one.
                    let shown = if k == http::header::AUTHORIZATION {
                        "<masked>".to_string()
                    } else {
                        v.to_str().unwrap_or("<binary>").to_string()
                    };
                    eprintln!("    {k}: {shown}");
                }
            }
            if level >= 8
                && let Some(b) = req.body().try_clone()
                && let Ok(bytes) = b.collect_bytes().await
                && !bytes.is_empty()
            {
                eprintln!("Request Body: {}", body_text(&bytes));
            }
            let start = Instant::now();
            let res = match deadline {
                // A watch: its answer must start within the deadline; its events come as
                // they happen.
                Some(limit) if watching => tokio::time::timeout(limit, inner.call(req))
                    .await
                    .unwrap_or_else(|_| Err(Box::new(DeadlineExceeded(limit)) as BoxError)),
                // The whole answer, body included, within the deadline: the headers here,
                // the body as it is read.
                Some(limit) => {
                    let until = tokio::time::Instant::now() + limit;
                    match tokio::time::timeout_at(until, inner.call(req)).await {
                        Ok(Ok(res)) => Ok(res.map(|body| {
                            Box::new(DeadlineBody {
                                inner: body,
                                sleep: Box::pin(tokio::time::sleep_until(until)),
                                limit,
                            }) as Box<DynBody>
                        })),
                        Ok(Err(e)) => Err(e),
                        Err(_) => Err(Box::new(DeadlineExceeded(limit)) as BoxError),
                    }
                }
                None => inner.call(req).await,
            };
            let ms = start.elapsed().as_millis();
            let res = match res {
                Ok(r) => r,
                Err(e) => {
                    if level >= 6 {
                        eprintln!("{method} {url}  in {ms} milliseconds (no answer: {e})");
                    }
                    return Err(e);
                }
            };
            for w in res.headers().get_all(http::header::WARNING) {
                if let Ok(text) = w.to_str() {
                    cfg.warnings.record(&warning_text(text));
                }
            }
            if level >= 6 {
                let st = res.status();
                eprintln!(
                    "{method} {url} {} {} in {ms} milliseconds",
                    st.as_u16(),
                    st.canonical_reason().unwrap_or("")
                );
            }
            if level >= 8 && !watching {
                let (parts, body) = res.into_parts();
                let bytes: Bytes = body.collect().await?.to_bytes();
                eprintln!("Response Body: {}", body_text(&bytes));
                let body: Box<DynBody> =
                    Box::new(http_body_util::Full::new(bytes).map_err(|never| match never {}));
                return Ok(Response::from_parts(parts, body));
            }
            Ok(res)
        })
    }
}

/// A response body that fails once the request's deadline has passed, however its bytes
/// arrive: kube's read timeout restarts with every byte, so a trickle would never end.
struct DeadlineBody {
    inner: Box<DynBody>,
    sleep: Pin<Box<tokio::time::Sleep>>,
    limit: std::time::Duration,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        if self.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(DeadlineExceeded(self.limit)))));
        }
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_headers_read_as_kubectl_prints_them() {
        assert_eq!(
            warning_text(r#"299 - "rollouts.kruise.io/v1alpha1 Rollout is deprecated""#),
            "rollouts.kruise.io/v1alpha1 Rollout is deprecated"
        );
        assert_eq!(
            warning_text(r#"299 - "a \"quoted\" word""#),
            r#"a "quoted" word"#
        );
    }
}
