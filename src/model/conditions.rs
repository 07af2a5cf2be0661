//! Status conditions, as every API object writes them: shared by the Kruise and the KubeVela
//! decoders.

use serde_json::Value;

use super::json::str_at;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition_time: Option<String>,
}

/// Conditions as the API writes them (`type`, `status`, `reason`, `message`, ...).
pub(crate) fn conditions_of(v: Option<&Value>) -> Vec<Condition> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|c| {
                    Some(Condition {
                        type_: str_at(c, "/type")?,
                        status: str_at(c, "/status").unwrap_or_default(),
                        reason: str_at(c, "/reason").filter(|r| !r.is_empty()),
                        message: str_at(c, "/message").filter(|m| !m.is_empty()),
                        last_transition_time: str_at(c, "/lastTransitionTime"),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}
