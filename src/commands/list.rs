//! `rollout list`: one line per rollout, decoded and printed as the list arrives, so memory
//! stays flat however many there are; `--watch` keeps a live fleet view.

use anyhow::Result;
use serde_json::Value;

use super::emit;
use crate::cli::{ListArgs, ObjectFormat};
use crate::cluster::stream_list::ItemSink;
use crate::cluster::{ListRead, RolloutApi};
use crate::exit::Code;
use crate::model::summary::{Summary, summarize};
use crate::model::{decode, display_name};
use crate::render::{self, LIST_HEADER};

/// Output is written in blocks of about this many bytes: one write per item would cost a
/// system call each.
const BLOCK: usize = 64 * 1024;

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

/// Prints rollouts as they are decoded.
struct Printer {
    output: Option<ObjectFormat>,
    all_namespaces: bool,
    chunk: usize,
    now: jiff::Timestamp,
    count: usize,
    rows: Vec<Vec<String>>,
    header_done: bool,
    text: String,
}

impl Printer {
    /// Print the rows held: each chunk is its own table (as kubectl's chunked output), the
    /// header once, with the first rows.
    fn flush_rows(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let header: Vec<&str> = self
            .all_namespaces
            .then_some("NAMESPACE")
            .into_iter()
            .chain(LIST_HEADER)
            .collect();
        let table = render::plain_table(Some(&header), std::mem::take(&mut self.rows));
        let table = if self.header_done {
            table
                .split_once('\n')
                .map(|(_, r)| r.to_string())
                .unwrap_or_default()
        } else {
            table
        };
        self.header_done = true;
        self.text.push_str(&table);
        self.flush_text()
    }

    fn flush_text(&mut self) -> Result<()> {
        if !self.text.is_empty() {
            emit(&std::mem::take(&mut self.text))?;
        }
        Ok(())
    }
}

impl ItemSink for Printer {
    fn item(&mut self, obj: Value) -> Result<()> {
        let rollout = match decode(&obj) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("warning: skipping an object: {e}");
                return Ok(());
            }
        };
        let s = summarize(&rollout, None);
        match self.output {
            None => {
                self.rows.push(render::list_row(
                    &s,
                    &render::age_since(rollout.creation_timestamp.as_deref(), self.now),
                    self.all_namespaces,
                ));
                if self.rows.len() >= self.chunk {
                    self.flush_rows()?;
                }
            }
            Some(ObjectFormat::Name) => {
                self.text.push_str(&display_name(&s.name));
                self.text.push('\n');
            }
            Some(ObjectFormat::Json) => self.text.push_str(&json_item(&s, self.count == 0)?),
            Some(ObjectFormat::Yaml) => self.text.push_str(&yaml_item(&s)?),
        }
        self.count += 1;
        if self.text.len() >= BLOCK {
            self.flush_text()?;
        }
        Ok(())
    }
}

pub fn read_of(args: &ListArgs) -> ListRead {
    ListRead {
        all_namespaces: args.all_namespaces,
        selector: args.selector.clone(),
        consistent: args.consistent,
        page_size: args.chunk_size,
    }
}

pub async fn run(api: &RolloutApi, args: &ListArgs) -> Result<Code> {
    if args.watch {
        return super::fleet::run(api, args).await;
    }
    match args.output {
        Some(ObjectFormat::Json) => {
            emit("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [")?
        }
        Some(ObjectFormat::Yaml) => emit("apiVersion: v1\nkind: List\nitems:\n")?,
        _ => {}
    }
    let printer = Printer {
        output: args.output,
        all_namespaces: args.all_namespaces,
        chunk: args.chunk_size as usize,
        now: jiff::Timestamp::now(),
        count: 0,
        rows: Vec::new(),
        header_done: false,
        text: String::new(),
    };
    let (mut printer, _, _) = api.list_into(&read_of(args), printer).await?;
    printer.flush_rows()?;
    printer.flush_text()?;
    let count = printer.count;
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
