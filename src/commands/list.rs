//! `rollout list`: one line per rollout, fetched page by page so memory stays flat.

use anyhow::Result;

use super::emit;
use crate::cli::{ListArgs, ObjectFormat};
use crate::cluster::RolloutApi;
use crate::exit::Code;
use crate::model::summary::{Summary, summarize};
use crate::model::{decode, display_name};
use crate::render::{self, LIST_HEADER};

/// JSON list items, streamed: indented to sit inside `"items": [ ... ]`.
fn json_item(s: &Summary, first: bool) -> Result<String> {
    let body = render::json(s)?;
    let indented: Vec<String> = body
        .trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect();
    Ok(format!(
        "{}{}",
        if first { "\n" } else { ",\n" },
        indented.join("\n")
    ))
}

/// YAML list items, streamed: each a one-element sequence, which concatenate into one.
fn yaml_item(s: &Summary) -> Result<String> {
    render::yaml(&[s])
}

pub async fn run(api: &RolloutApi, args: &ListArgs) -> Result<Code> {
    let mut pages = api.lister(
        args.all_namespaces,
        args.chunk_size,
        args.selector.as_deref(),
    );
    let now = jiff::Timestamp::now();
    let mut count = 0usize;
    match args.output {
        Some(ObjectFormat::Json) => {
            emit("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [")?
        }
        Some(ObjectFormat::Yaml) => emit("apiVersion: v1\nkind: List\nitems:\n")?,
        _ => {}
    }
    while let Some(page) = pages.next_page().await? {
        let mut rows = Vec::with_capacity(page.len());
        let mut text = String::new();
        for obj in &page {
            let rollout = match decode(obj) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("warning: skipping an object: {e}");
                    continue;
                }
            };
            let s = summarize(&rollout, None);
            match args.output {
                None => rows.push(render::list_row(
                    &s,
                    &render::age_since(rollout.creation_timestamp.as_deref(), now),
                    args.all_namespaces,
                )),
                Some(ObjectFormat::Name) => text.push_str(&format!("{}\n", display_name(&s.name))),
                Some(ObjectFormat::Json) => text.push_str(&json_item(&s, count == 0)?),
                Some(ObjectFormat::Yaml) => text.push_str(&yaml_item(&s)?),
            }
            count += 1;
        }
        if args.output.is_none() && !rows.is_empty() {
            // Each page is its own table; the header comes once, with the first rows.
            let header: Vec<&str> = args
                .all_namespaces
                .then_some("NAMESPACE")
                .into_iter()
                .chain(LIST_HEADER)
                .collect();
            let first_page = count == rows.len();
            let table = render::plain_table(Some(&header), rows);
            text = if first_page {
                table
            } else {
                table
                    .split_once('\n')
                    .map(|(_, r)| r.to_string())
                    .unwrap_or_default()
            };
        }
        emit(&text)?;
    }
    match args.output {
        Some(ObjectFormat::Json) => emit(if count == 0 { "]\n}\n" } else { "\n  ]\n}\n" })?,
        Some(ObjectFormat::Yaml) if count == 0 => emit("[]\n")?,
        None if count == 0 => {
            if args.all_namespaces {
                eprintln!("No rollouts found.");
            } else {
                eprintln!("No rollouts found in {} namespace.", api.namespace());
            }
        }
        _ => {}
    }
    Ok(Code::Ok)
}
