//! CEL as admission sees it: objects are maps, and JSON integers are `int` (as Kubernetes
//! decodes them), so `batchPartition + 1` type-checks.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

/// A JSON value as a CEL value.
pub fn to_cel(v: &Value) -> cel::Value {
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => cel::Value::Int(i),
            None => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(a) => cel::Value::List(Arc::new(a.iter().map(to_cel).collect())),
        Value::Object(o) => {
            let map: HashMap<String, cel::Value> =
                o.iter().map(|(k, v)| (k.clone(), to_cel(v))).collect();
            map.into()
        }
    }
}

/// Evaluate `expr` with `object`, `oldObject` and `request` bound: `Ok(Some(b))` for a
/// boolean result, `Ok(None)` when evaluation fails (a missing key, a type error), as an
/// admission policy's failure, and `Err` when the expression does not compile.
pub fn eval(
    expr: &str,
    object: &Value,
    old_object: &Value,
    request: &Value,
) -> Result<Option<bool>, String> {
    let program = cel::Program::compile(expr).map_err(|e| e.to_string())?;
    let mut ctx = cel::Context::default();
    ctx.add_variable_from_value("object", to_cel(object));
    ctx.add_variable_from_value("oldObject", to_cel(old_object));
    ctx.add_variable_from_value("request", to_cel(request));
    ctx.add_variable_from_value("params", cel::Value::Null);
    Ok(match program.execute(&ctx) {
        Ok(cel::Value::Bool(b)) => Some(b),
        _ => None,
    })
}
