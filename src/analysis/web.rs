//! The `web` provider: one HTTP request, the JSON answer narrowed by `jsonPath` (its first
//! match, as Argo takes it). An answer that is not JSON is the raw text, and the conditions
//! judge it (never a pass by default).

use serde_json::Value;
use serde_json_path::JsonPath;

use super::http::{Call, Http};
use crate::model::analysis::{Sample, Unmeasured, Web};

pub async fn measure(http: &mut Http, w: &Web) -> Result<Sample, Unmeasured> {
    let (body, content_type) = match (&w.body, &w.json_body) {
        (Some(b), _) => (Some(b.clone()), None),
        (None, Some(j)) => (Some(j.to_string()), Some("application/json")),
        (None, None) => (None, None),
    };
    let (status, answer) = http
        .send(Call {
            method: &w.method,
            url: &w.url,
            headers: &w.headers,
            content_type,
            body,
            timeout: w.timeout,
            insecure: w.insecure,
        })
        .await?;
    if !(200..300).contains(&status) {
        let message = format!("HTTP {status} from {}", w.url);
        // A wrong URL or a refused request fails the same way every time; a busy or broken
        // server may answer next time.
        return Err(match status {
            400..=499 if status != 408 && status != 429 => {
                Unmeasured::fatal(format!("{message} (check the template's url and headers)"))
            }
            _ => message.into(),
        });
    }
    pick(&answer, &w.json_path).map_err(Unmeasured::from)
}

pub fn pick(answer: &[u8], path: &str) -> Result<Sample, String> {
    let Ok(doc) = serde_json::from_slice::<Value>(answer) else {
        return Ok(Sample::Text(String::from_utf8_lossy(answer).into_owned()));
    };
    let query = JsonPath::parse(path).map_err(|e| format!("jsonPath {path}: {e}"))?;
    query
        .query(&doc)
        .first()
        .cloned()
        .map(Sample::Json)
        .ok_or_else(|| format!("jsonPath {path} matches nothing in the answer"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_match_or_the_raw_text() {
        let body = br#"{"data":{"ok":true,"items":[{"v":1},{"v":2}]}}"#;
        assert_eq!(pick(body, "$.data.ok").unwrap(), Sample::Json(json!(true)));
        assert_eq!(
            pick(body, "$.data.items[*].v").unwrap(),
            Sample::Json(json!(1))
        );
        assert!(
            pick(body, "$.data.missing")
                .unwrap_err()
                .contains("matches nothing")
        );
        assert_eq!(
            pick(b"healthy", "$").unwrap(),
            Sample::Text("healthy".into())
        );
        assert_eq!(pick(b"", "$").unwrap(), Sample::Text(String::new()));
    }
}
