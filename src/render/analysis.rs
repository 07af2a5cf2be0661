//! An analysis report as a table: one row per measurement of each metric, then the verdict.

use crate::model::analysis::Report;

/// `METRIC  #  VALUE  VERDICT  MESSAGE` rows, and the run's verdict under them.
pub fn report_table(r: &Report) -> String {
    let mut rows = Vec::new();
    for m in &r.metrics {
        if m.state.measurements.is_empty() {
            rows.push(vec![
                m.name.clone(),
                "-".into(),
                "-".into(),
                m.verdict().into(),
                "not measured".into(),
            ]);
        }
        for (i, x) in m.state.measurements.iter().enumerate() {
            rows.push(vec![
                m.name.clone(),
                (i + 1).to_string(),
                x.value.clone().unwrap_or_else(|| "-".into()),
                x.phase.as_str().into(),
                x.message.clone().unwrap_or_default(),
            ]);
        }
    }
    let mut out = super::plain_table(Some(&["METRIC", "#", "VALUE", "VERDICT", "MESSAGE"]), rows);
    let verdicts: Vec<String> = r
        .metrics
        .iter()
        .map(|m| format!("{} {}", m.name, m.verdict()))
        .collect();
    out.push_str(&format!(
        "\nanalysis {} ({})\n",
        r.phase.as_str(),
        verdicts.join(", ")
    ));
    out
}
