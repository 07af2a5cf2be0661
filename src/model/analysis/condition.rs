//! Success and failure conditions: CEL over `result`, with the helpers Argo's conditions use
//! (`isNaN`, `isInf`, `asInt`, `asFloat`, `len`), so the common Argo forms read the same.
//! Anything CEL cannot parse, and any function it does not know, is refused when the
//! template is read, naming the construct: never skipped.
//!
//! The `cel` crate evaluates; what it has no helper for is registered here.

use std::collections::HashMap;
use std::sync::Arc;

use cel::objects::Key;
use cel::{Context, ExecutionError, Program, Value as Cel};
use serde_json::Value;

/// What a provider measured, as a condition sees it in `result`.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// A Prometheus vector (one number per series) or matrix (every sample).
    Numbers(Vec<f64>),
    /// A Prometheus scalar.
    Number(f64),
    /// A web provider's JSON, numbers as doubles as Argo (Go) decodes them.
    Json(Value),
    /// A web answer that is not JSON.
    Text(String),
}

/// A number as Prometheus and Argo print it: `NaN`, `+Inf`, `0.01`.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{x}")
    }
}

impl Sample {
    /// The value shown in tables, reports and Events.
    pub fn display(&self) -> String {
        match self {
            Sample::Numbers(v) => format!(
                "[{}]",
                v.iter().map(|x| number(*x)).collect::<Vec<_>>().join(",")
            ),
            Sample::Number(x) => number(*x),
            Sample::Json(v) => v.to_string(),
            Sample::Text(s) => s.clone(),
        }
    }

    fn to_cel(&self) -> Cel {
        match self {
            Sample::Numbers(v) => Cel::List(Arc::new(v.iter().map(|x| Cel::Float(*x)).collect())),
            Sample::Number(x) => Cel::Float(*x),
            Sample::Json(v) => json_to_cel(v),
            Sample::Text(s) => Cel::String(Arc::new(s.clone())),
        }
    }
}

fn json_to_cel(v: &Value) -> Cel {
    match v {
        Value::Null => Cel::Null,
        Value::Bool(b) => Cel::Bool(*b),
        Value::Number(n) => Cel::Float(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Cel::String(Arc::new(s.clone())),
        Value::Array(a) => Cel::List(Arc::new(a.iter().map(json_to_cel).collect())),
        Value::Object(m) => Cel::from(
            m.iter()
                .map(|(k, v)| (Key::from(k.as_str()), json_to_cel(v)))
                .collect::<HashMap<Key, Cel>>(),
        ),
    }
}

/// Functions a condition may call: CEL's own and the Argo helpers registered below.
const KNOWN: &[&str] = &[
    "size",
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "max",
    "min",
    "isNaN",
    "isInf",
    "asInt",
    "asFloat",
    "len",
];

/// What to write instead of the Argo (expr) functions CEL does not have.
fn instead(name: &str) -> Option<&'static str> {
    Some(match name {
        "default" | "isNil" => {
            "they test the whole result in Argo, whatever their argument; guard with size(result) > 0"
        }
        "any" => "use result.exists(x, x < 0.1)",
        "none" => "use !result.exists(x, x < 0.1)",
        "one" => "use result.exists_one(x, x < 0.1)",
        "count" => "use size(result.filter(x, x < 0.1))",
        "sum" | "mean" => "compute it in the query",
        "now" | "duration" | "timestamp" => "time functions are not available in conditions",
        _ => return None,
    })
}

/// A condition, parsed and checked.
#[derive(Debug)]
pub struct Condition {
    source: String,
    program: Program,
}

impl Condition {
    /// Parse `source` and check every function it calls.
    pub fn compile(source: &str) -> Result<Self, String> {
        let program = Program::compile(source).map_err(|e| {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("").trim().to_string();
            format!("{source:?} is not a CEL expression: {first}")
        })?;
        for f in program.references().functions() {
            let operator = f.starts_with('_') || f.starts_with('@') || f.starts_with("!_");
            if operator || f.starts_with("-_") || KNOWN.contains(&f) {
                continue;
            }
            return Err(match instead(f) {
                Some(hint) => format!("{f}() is not supported in conditions: {hint}"),
                None => format!("unknown function {f}() in {source:?}"),
            });
        }
        Ok(Condition {
            source: source.to_string(),
            program,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// True or false for `result`; anything else (a type mismatch, an index out of range, an
    /// unknown name, a result that is not a bool) is an error: the measurement is an Error.
    pub fn evaluate(&self, result: &Sample) -> Result<bool, String> {
        let mut ctx = Context::default();
        ctx.add_variable_from_value("result", result.to_cel());
        register(&mut ctx);
        match self.program.execute(&ctx) {
            Ok(Cel::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "{:?} gave {other:?}, not true or false",
                self.source
            )),
            Err(e) => Err(format!("{:?}: {}", self.source, explain(&e, result))),
        }
    }
}

fn explain(e: &ExecutionError, result: &Sample) -> String {
    let nan = match result {
        Sample::Numbers(v) => v.iter().any(|x| x.is_nan()),
        Sample::Number(x) => x.is_nan(),
        _ => false,
    };
    match e {
        ExecutionError::NoSuchOverload(_) if nan => {
            "NaN cannot be compared; test it with isNaN(result[0])".into()
        }
        ExecutionError::IndexOutOfBounds(_) => {
            format!("index out of range (result is {})", result.display())
        }
        other => other.to_string(),
    }
}

fn number_of(v: &Cel) -> Option<f64> {
    match v {
        Cel::Float(x) => Some(*x),
        Cel::Int(i) => Some(*i as f64),
        Cel::UInt(u) => Some(*u as f64),
        Cel::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn register(ctx: &mut Context) {
    // Names no standard overload takes, so these cannot fail to register.
    let _ = ctx.add_function("isNaN", |x: f64| x.is_nan());
    let _ = ctx.add_function("isInf", |x: f64| x.is_infinite());
    let _ = ctx.add_function("asFloat", |v: Cel| -> Result<f64, ExecutionError> {
        number_of(&v).ok_or_else(|| ExecutionError::function_error("asFloat", "not a number"))
    });
    let _ = ctx.add_function("asInt", |v: Cel| -> Result<i64, ExecutionError> {
        match v {
            Cel::Int(i) => Ok(i),
            Cel::String(s) => s
                .trim()
                .parse()
                .map_err(|_| ExecutionError::function_error("asInt", "not an integer")),
            Cel::Float(x) if x.fract() == 0.0 => Ok(x as i64),
            _ => Err(ExecutionError::function_error("asInt", "not an integer")),
        }
    });
    let _ = ctx.add_function("len", |v: Cel| -> Result<i64, ExecutionError> {
        Ok(match v {
            Cel::List(l) => l.len() as i64,
            Cel::Map(m) => m.map.len() as i64,
            Cel::String(s) => s.chars().count() as i64,
            _ => return Err(ExecutionError::function_error("len", "no length")),
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(src: &str, s: &Sample) -> Result<bool, String> {
        Condition::compile(src)?.evaluate(s)
    }

    #[test]
    fn the_common_argo_forms_read_the_same() {
        let v = Sample::Numbers(vec![0.005]);
        assert_eq!(eval("result[0] < 0.01", &v), Ok(true));
        assert_eq!(eval("result[0] >= 0.95", &v), Ok(false));
        assert_eq!(eval("result[0] < 1", &v), Ok(true), "int literal vs double");
        assert_eq!(eval("len(result) > 0 && result[0] <= 0.02", &v), Ok(true));
        assert_eq!(eval("result.all(x, x < 0.1)", &v), Ok(true));
        let web = Sample::Json(json!({"healthy": true, "ratio": 1}));
        assert_eq!(
            eval("result.healthy == true && result.ratio >= 0.99", &web),
            Ok(true)
        );
        assert_eq!(eval("asFloat('0.5') < 1.0", &web), Ok(true));
        assert_eq!(eval("result == 'ok'", &Sample::Text("ok".into())), Ok(true));
    }

    #[test]
    fn an_empty_vector_or_nan_is_an_error_never_a_pass() {
        let empty = Sample::Numbers(vec![]);
        let e = eval("result[0] < 0.01", &empty).unwrap_err();
        assert!(e.contains("index out of range"), "{e}");
        let nan = Sample::Numbers(vec![f64::NAN]);
        let e = eval("result[0] < 0.01", &nan).unwrap_err();
        assert!(e.contains("isNaN"), "{e}");
        assert_eq!(eval("isNaN(result[0])", &nan), Ok(true));
        assert_eq!(nan.display(), "[NaN]");
        assert_eq!(Sample::Number(f64::INFINITY).display(), "+Inf");
    }

    #[test]
    fn what_cel_cannot_say_is_refused_when_read() {
        assert!(
            Condition::compile("result[0] < 0.01 and true")
                .unwrap_err()
                .contains("is not a CEL expression")
        );
        let e = Condition::compile("default(result[0], 0) < 1").unwrap_err();
        assert!(e.starts_with("default() is not supported"), "{e}");
        let e = Condition::compile("frobnicate(result)").unwrap_err();
        assert!(e.contains("unknown function frobnicate()"), "{e}");
        assert!(Condition::compile("result + 1").is_ok());
        assert!(
            eval("result[0] + 1", &Sample::Numbers(vec![1.0])).is_err(),
            "not a bool"
        );
    }
}
