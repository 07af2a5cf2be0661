//! The `prometheus` provider: an instant query, as Argo sends it (a form POST to
//! `/api/v1/query`, again as a GET where POST is not allowed), its answer read into the
//! `result` the conditions see.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use super::http::{Call, Http};
use crate::model::analysis::{Prometheus, Sample, Unmeasured};

/// Where Argo reads the address a template leaves empty.
pub const ADDRESS_ENV: &str = "ARGO_ROLLOUTS_PROMETHEUS_ADDRESS";

pub async fn measure(http: &mut Http, p: &Prometheus) -> Result<Sample, Unmeasured> {
    let address = match &p.address {
        Some(a) => a.clone(),
        None => std::env::var(ADDRESS_ENV).map_err(|_| {
            Unmeasured::fatal(format!(
                "the template gives no Prometheus address and {ADDRESS_ENV} is not set"
            ))
        })?,
    };
    let url = format!("{}/api/v1/query", address.trim_end_matches('/'));
    let now = jiff::Timestamp::now().as_millisecond() as f64 / 1000.0;
    let form = format!(
        "query={}&time={now:.3}",
        utf8_percent_encode(&p.query, NON_ALPHANUMERIC)
    );
    let (mut status, mut body) = http.send(call(p, "POST", &url, Some(form.clone()))).await?;
    if status == 405 || status == 501 {
        let get = format!("{url}?{form}");
        (status, body) = http.send(call(p, "GET", &get, None)).await?;
    }
    parse(status, &body)
}

fn call<'a>(p: &'a Prometheus, method: &'a str, url: &'a str, body: Option<String>) -> Call<'a> {
    Call {
        method,
        url,
        headers: &p.headers,
        content_type: body.as_ref().map(|_| "application/x-www-form-urlencoded"),
        body,
        timeout: p.timeout,
        insecure: p.insecure,
    }
}

fn number(v: &Value) -> Result<f64, String> {
    // Prometheus sends sample values as strings: "0.01", "NaN", "+Inf".
    let s = v.as_str().ok_or("a sample value is not a string")?;
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => s.parse().map_err(|_| format!("{s:?} is not a number")),
    }
}

/// The answer of `/api/v1/query`: a vector gives a list (one number per series), a matrix
/// every sample in one list, a scalar a number; an error names Prometheus' reason.
pub fn parse(status: u16, body: &[u8]) -> Result<Sample, Unmeasured> {
    let doc: Value = serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)])
            .trim()
            .to_string();
        format!("HTTP {status} from Prometheus, not a query answer: {text:?}")
    })?;
    if doc["status"] != "success" {
        let kind = doc["errorType"].as_str().unwrap_or("error");
        let why = doc["error"].as_str().unwrap_or("no reason given");
        let message = format!("Prometheus answered HTTP {status}, {kind}: {why}");
        // A query Prometheus cannot parse fails the same way every time.
        return Err(if kind == "bad_data" {
            Unmeasured::fatal(format!("{message} (fix the template's query)"))
        } else {
            message.into()
        });
    }
    let data = &doc["data"];
    let result = &data["result"];
    match data["resultType"].as_str() {
        Some("vector") => result
            .as_array()
            .ok_or("a vector without a result list")?
            .iter()
            .map(|s| number(&s["value"][1]))
            .collect::<Result<_, _>>()
            .map(Sample::Numbers)
            .map_err(Unmeasured::from),
        Some("matrix") => {
            let mut all = Vec::new();
            for series in result.as_array().ok_or("a matrix without a result list")? {
                for v in series["values"].as_array().into_iter().flatten() {
                    all.push(number(&v[1])?);
                }
            }
            Ok(Sample::Numbers(all))
        }
        Some("scalar") => Ok(Sample::Number(number(&result[1])?)),
        Some(other) => Err(Unmeasured::fatal(format!(
            "the query gives a {other}; conditions take a vector, matrix or scalar"
        ))),
        None => Err("the answer has no resultType".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_matrices_scalars_and_errors() {
        let v = br#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"a":"1"},"value":[1,"0.5"]},{"metric":{},"value":[1,"NaN"]}]}}"#;
        let Sample::Numbers(n) = parse(200, v).unwrap() else {
            panic!()
        };
        assert_eq!(n[0], 0.5);
        assert!(n[1].is_nan());
        let m = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{},"values":[[1,"1"],[2,"+Inf"]]}]}}"#;
        assert_eq!(
            parse(200, m).unwrap(),
            Sample::Numbers(vec![1.0, f64::INFINITY])
        );
        let s = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#;
        assert_eq!(parse(200, s).unwrap(), Sample::Number(2.0));
        let e = br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        let bad = parse(400, e).unwrap_err();
        assert_eq!(
            bad.message,
            "Prometheus answered HTTP 400, bad_data: parse error (fix the template's query)"
        );
        assert!(
            bad.fatal,
            "a query that cannot be parsed is not measured again"
        );
        let down = parse(502, b"Bad Gateway").unwrap_err();
        assert!(down.message.contains("HTTP 502") && !down.fatal);
        let st = br#"{"status":"success","data":{"resultType":"string","result":[1,"x"]}}"#;
        assert!(
            parse(200, st)
                .unwrap_err()
                .message
                .contains("gives a string")
        );
    }
}
