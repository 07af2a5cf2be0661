//! Faults a network or a proxy in front of an API server produces, injected into answers:
//! proxy pages, bare errors, truncated or reset bodies, slow and trickling answers, and an
//! answer lost after the request was carried out.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

/// One fault, for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this code with a proxy's HTML page, without carrying the request out.
    Html(u16),
    /// Answer this code with no body at all, without carrying the request out.
    Bare(u16),
    /// Carry the request out, then answer with the first half of its JSON as a complete
    /// HTTP response.
    TruncatedJson,
    /// Carry the request out, send half the answer, then drop the connection.
    Reset,
    /// Carry the request out, then answer 504 with a proxy's page: the answer is lost.
    LostAnswer,
    /// Carry the request out, and answer after this long.
    Delay(Duration),
    /// Carry the request out, and send its answer one byte at a time, this far apart.
    Trickle(Duration),
}

/// A fault waiting for a request: for `times` requests of `method` (any, if `None`).
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub method: Option<String>,
    pub times: usize,
    pub fault: Fault,
}

impl Fault {
    /// Faults that answer without carrying the request out.
    pub(crate) fn short_circuits(&self) -> bool {
        matches!(self, Fault::Html(_) | Fault::Bare(_))
    }
}

fn html_page(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n"
    );
    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
}

/// The answer to a request that a short-circuiting fault takes over.
pub(crate) fn short_answer(f: &Fault) -> Response {
    match f {
        Fault::Html(code) => html_page(*code),
        Fault::Bare(code) => StatusCode::from_u16(*code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Spoil the real answer `resp` of a request that was carried out.
pub(crate) async fn spoil(f: Fault, resp: Response) -> Response {
    match f {
        Fault::LostAnswer => html_page(504),
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            resp
        }
        Fault::TruncatedJson | Fault::Reset | Fault::Trickle(_) => {
            let (mut parts, body) = resp.into_parts();
            let bytes = body
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            let half = bytes.slice(..bytes.len() / 2);
            let body = match f {
                Fault::TruncatedJson => Body::from(half),
                Fault::Reset => Body::from_stream(futures::stream::iter([
                    Ok::<Bytes, std::io::Error>(half),
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "injected reset",
                    )),
                ])),
                Fault::Trickle(every) => {
                    let chunks: Vec<Bytes> =
                        (0..bytes.len()).map(|i| bytes.slice(i..i + 1)).collect();
                    let stream = futures::StreamExt::then(
                        futures::stream::iter(chunks),
                        move |c| async move {
                            tokio::time::sleep(every).await;
                            Ok::<Bytes, Infallible>(c)
                        },
                    );
                    Body::from_stream(stream)
                }
                _ => unreachable!("matched above"),
            };
            Response::from_parts(parts, body)
        }
        Fault::Html(_) | Fault::Bare(_) => short_answer(&f),
    }
}
