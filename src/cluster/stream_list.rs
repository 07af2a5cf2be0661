//! A list response read item by item. A list served from the API server's watch cache comes
//! as one body however many objects there are (a 1.28 server ignores `limit` there), so it
//! is decoded as it arrives: serde's visitor hands each element of `items` over as soon as it
//! is parsed, and only that element is in memory.

use std::fmt;
use std::io::BufReader;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use tokio_util::compat::FuturesAsyncReadCompatExt;

use tokio_util::io::SyncIoBridge;

use super::ApiError;

/// Where the items of a list go, one at a time.
pub trait ItemSink: Send + 'static {
    fn item(&mut self, obj: Value) -> anyhow::Result<()>;
}

/// What a list response says besides its items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListEnd {
    /// The list's resourceVersion: where a watch of it starts.
    pub resource_version: String,
    /// The next page's token, for a paged read.
    pub continue_token: Option<String>,
}

struct ListVisitor<'a, S> {
    sink: &'a mut S,
    stopped: &'a mut Option<anyhow::Error>,
}

impl<'de, S: ItemSink> Visitor<'de> for ListVisitor<'_, S> {
    type Value = ListEnd;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListEnd, A::Error> {
        let mut end = ListEnd::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "metadata" => {
                    let m: Value = map.next_value()?;
                    let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
                    end.resource_version = s("resourceVersion").unwrap_or_default();
                    end.continue_token = s("continue").filter(|t| !t.is_empty());
                }
                "items" => map.next_value_seed(Items {
                    sink: &mut *self.sink,
                    stopped: &mut *self.stopped,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(end)
    }
}

struct Items<'a, S> {
    sink: &'a mut S,
    stopped: &'a mut Option<anyhow::Error>,
}

impl<'de, S: ItemSink> DeserializeSeed<'de> for Items<'_, S> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: ItemSink> Visitor<'de> for Items<'_, S> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    // `"items": null` is an empty list.
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(obj) = seq.next_element::<Value>()? {
            if let Err(e) = self.sink.item(obj) {
                *self.stopped = Some(e);
                return Err(de::Error::custom("stopped by the reader"));
            }
        }
        Ok(())
    }
}

/// Decode a list from `reader` (blocking), feeding `sink`.
pub fn decode_list<R: std::io::Read, S: ItemSink>(
    reader: R,
    sink: &mut S,
) -> anyhow::Result<ListEnd> {
    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, reader));
    let res = de.deserialize_map(ListVisitor {
        sink,
        stopped: &mut stopped,
    });
    if let Some(e) = stopped {
        return Err(e);
    }
    res.map_err(|e| anyhow::anyhow!("the list could not be read: {e}"))
}

/// An answer being received.
pub type ListBody = tokio_util::compat::Compat<Box<dyn futures::AsyncBufRead + Send + Unpin>>;

/// Send a list request; the answer's body, to [`read`] as it arrives. `classify` turns
/// request errors into the API errors callers branch on (not served, forbidden, ...).
pub async fn open(
    client: &kube::Client,
    request: http::Request<Vec<u8>>,
    classify: impl Fn(kube::Error) -> ApiError,
) -> Result<ListBody, ApiError> {
    let mut request = request;
    request.extensions_mut().insert(super::LongBody);
    let body = client.request_stream(request).await.map_err(classify)?;
    let body: Box<dyn futures::AsyncBufRead + Send + Unpin> = Box::new(body);
    Ok(body.compat())
}

/// Decode an answer as it arrives, feeding `sink`; gives the sink back.
pub async fn read<S: ItemSink>(body: ListBody, mut sink: S) -> anyhow::Result<(S, ListEnd)> {
    // serde reads synchronously: decode on a blocking thread that pulls the body through a
    // bridge, while this runtime keeps receiving it.
    // The sink prints: it runs in the cluster's output scope, as the caller does.
    let (sink, res) = tokio::task::spawn_blocking(crate::output::carry(move || {
        let res = decode_list(SyncIoBridge::new(body), &mut sink);
        (sink, res)
    }))
    .await
    .map_err(|e| anyhow::anyhow!("the list reader stopped: {e}"))?;
    Ok((sink, res?))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names(Vec<String>);
    impl ItemSink for Names {
        fn item(&mut self, obj: Value) -> anyhow::Result<()> {
            self.0
                .push(obj["metadata"]["name"].as_str().unwrap_or("").to_string());
            if self.0.len() > 2 {
                anyhow::bail!("enough");
            }
            Ok(())
        }
    }

    #[test]
    fn items_come_one_by_one_with_the_lists_metadata() {
        let text = r#"{"kind":"RolloutList","apiVersion":"x","items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}],"metadata":{"resourceVersion":"42","continue":"tok"}}"#;
        let mut names = Names(Vec::new());
        let end = decode_list(text.as_bytes(), &mut names).unwrap();
        assert_eq!(names.0, ["a", "b"]);
        assert_eq!(end.resource_version, "42");
        assert_eq!(end.continue_token.as_deref(), Some("tok"));
        let mut none = Names(Vec::new());
        let end = decode_list(r#"{"items":null,"metadata":{}}"#.as_bytes(), &mut none).unwrap();
        assert!(none.0.is_empty());
        assert_eq!(end, ListEnd::default());
    }

    #[test]
    fn a_sink_can_stop_and_a_truncated_list_is_an_error() {
        let text = r#"{"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}},{"metadata":{"name":"c"}},{"metadata":{"name":"d"}}]}"#;
        let mut names = Names(Vec::new());
        let err = decode_list(text.as_bytes(), &mut names).unwrap_err();
        assert_eq!(err.to_string(), "enough");
        assert_eq!(names.0.len(), 3);
        let mut names = Names(Vec::new());
        let err = decode_list(&text.as_bytes()[..40], &mut names).unwrap_err();
        assert!(err.to_string().contains("could not be read"), "{err}");
    }
}
