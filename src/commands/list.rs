//! `rollout list`: one line per rollout, decoded and printed as the list arrives, so memory
//! stays flat however many there are; `--watch` keeps a live fleet view.

use anyhow::Result;
use serde_json::Value;

use super::emit;
use super::options::list_read;
use crate::cli::{ListArgs, ObjectFormat};
use crate::cluster::RolloutApi;
use crate::cluster::stream_list::ItemSink;
use crate::exit::Code;
use crate::model::summary::{Summary, summarize};
use crate::model::view::of_rollout;
use crate::model::{decode, display_name};
use crate::render;

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
    /// KubeVela kinds are listed too: a KIND column tells them apart.
    kinds: bool,
    /// One cluster of several: rows (KIND always first) go to one table of them all.
    clusters: bool,
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
        if self.rows.is_empty() || crate::output::rows(&mut self.rows, self.kinds) {
            return Ok(());
        }
        let header = render::list_header(false, self.kinds, self.all_namespaces);
        let rows = std::mem::take(&mut self.rows);
        let table = render::table_chunk(&header, rows, !self.header_done);
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

impl Printer {
    /// A KubeVela batch rollout, in the same columns.
    fn batch(&mut self, obj: &Value) -> Result<()> {
        let Ok(r) = crate::model::batch::decode_batch(obj) else {
            return Ok(());
        };
        let s = crate::model::batch::summarize_batch(&r, None);
        match self.output {
            None => {
                let mut row = vec![r.kind.resource_name()];
                if self.all_namespaces {
                    row.push(r.namespace.clone());
                }
                row.extend([
                    r.name.clone(),
                    r.component
                        .clone()
                        .or(r.target.clone())
                        .unwrap_or_else(|| "-".into()),
                    "batch".into(),
                    format!(
                        "{}/{}",
                        s.current_step_index.map_or("-".into(), |i| i.to_string()),
                        s.total_steps
                    ),
                    s.stage.into(),
                    format!(
                        "{}/{}",
                        r.upgraded_ready.unwrap_or(0),
                        r.upgraded.unwrap_or(0)
                    ),
                    r.rolling_state.clone().unwrap_or_else(|| "-".into()),
                    render::age_since(r.creation_timestamp.as_deref(), self.now),
                ]);
                self.rows.push(row);
            }
            Some(ObjectFormat::Name) => {
                self.text.push_str(&format!("{}\n", r.display_name()));
            }
            Some(ObjectFormat::Json) => {
                let body = render::json(&s)?;
                let indented: Vec<String> = body
                    .trim_end()
                    .lines()
                    .map(|l| format!("    {l}"))
                    .collect();
                self.text.push_str(&format!(
                    "{}{}",
                    if self.count == 0 { "\n" } else { ",\n" },
                    indented.join("\n")
                ));
            }
            Some(ObjectFormat::Yaml) => self.text.push_str(&render::yaml(&[&s])?),
        }
        self.count += 1;
        Ok(())
    }
}

impl ItemSink for Printer {
    fn item(&mut self, obj: Value) -> Result<()> {
        let rollout = match decode(&obj) {
            Ok(r) => r,
            Err(e) => {
                crate::errln!("warning: skipping an object: {e}");
                return Ok(());
            }
        };
        match self.output {
            None => {
                // A row needs the view alone, not the whole summary: it is made per row of
                // lists of many thousands.
                let view = of_rollout(&rollout, None);
                let mut row = render::list_row(
                    &view,
                    &render::age_since(rollout.creation_timestamp.as_deref(), self.now),
                    self.all_namespaces,
                );
                if self.kinds || self.clusters {
                    row.insert(0, view.kind);
                }
                self.rows.push(row);
                if self.rows.len() >= self.chunk {
                    self.flush_rows()?;
                }
            }
            Some(ObjectFormat::Name) => {
                self.text.push_str(&display_name(&rollout.name));
                self.text.push('\n');
            }
            Some(ObjectFormat::Json) => {
                let s = summarize(&rollout, None);
                self.text.push_str(&json_item(&s, self.count == 0)?);
            }
            Some(ObjectFormat::Yaml) => self.text.push_str(&yaml_item(&summarize(&rollout, None))?),
        }
        self.count += 1;
        if self.text.len() >= BLOCK {
            self.flush_text()?;
        }
        Ok(())
    }
}

pub async fn run(api: &RolloutApi, args: &ListArgs) -> Result<Code> {
    match args.output {
        Some(ObjectFormat::Json) => {
            emit("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [")?
        }
        Some(ObjectFormat::Yaml) => emit("apiVersion: v1\nkind: List\nitems:\n")?,
        _ => {}
    }
    // The Kruise list and discovery go out together; the KubeVela lists, when discovery
    // finds KubeVela, go out while the Kruise list's body is still arriving.
    let read = list_read(args);
    let (vela, opened) = futures::join!(
        crate::cluster::vela_kinds(api.cluster()),
        api.open_list(&read)
    );
    let (vela, opened) = (vela?, opened?);
    let printer = Printer {
        output: args.output,
        kinds: !vela.is_empty(),
        clusters: crate::output::in_cluster_scope(),
        all_namespaces: args.all_namespaces,
        chunk: args.chunk_size as usize,
        now: jiff::Timestamp::now(),
        count: 0,
        rows: Vec::new(),
        header_done: false,
        text: String::new(),
    };
    let batches = futures::future::join_all(vela.iter().map(|kind| async move {
        let bapi = crate::cluster::batch_api(api.cluster(), *kind);
        let objs = if args.all_namespaces {
            bapi.list_all(args.selector.as_deref()).await
        } else {
            bapi.list_values(args.selector.as_deref()).await
        };
        (*kind, objs)
    }));
    let (kruise, batches) = futures::join!(api.read_list(&read, opened, printer), batches);
    let (mut printer, _, _) = kruise?;
    for (kind, objs) in batches {
        match objs {
            Ok(objs) => {
                for mut o in objs {
                    o["apiVersion"] = format!("{}/{}", kind.group(), kind.version()).into();
                    o["kind"] = kind.kind().into();
                    printer.batch(&o)?;
                }
            }
            // The group is served but not this kind (a KubeVela without it).
            Err(crate::cluster::ApiError::NotServed(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    printer.flush_rows()?;
    printer.flush_text()?;
    let count = printer.count;
    match args.output {
        Some(ObjectFormat::Json) => emit(if count == 0 { "]\n}\n" } else { "\n  ]\n}\n" })?,
        Some(ObjectFormat::Yaml) if count == 0 => emit("[]\n")?,
        None if count == 0 => {
            if args.all_namespaces {
                crate::errln!("No rollouts found.");
            } else {
                crate::errln!("No rollouts found in {} namespace.", api.namespace());
            }
        }
        _ => {}
    }
    Ok(Code::Ok)
}

/// The rows of several clusters as one table, a CLUSTER column first; each row as its
/// cluster gave it (KIND first), KIND shown when any cluster serves KubeVela's kinds. In
/// chunks of `chunk` rows, each its own table with the header once, as one cluster's list.
pub fn print_clusters(
    rows: Vec<(String, Vec<String>)>,
    kinds: bool,
    all_namespaces: bool,
    chunk: usize,
) -> Result<()> {
    let header = render::list_header(true, kinds, all_namespaces);
    let mut rows = rows.into_iter().map(|(cluster, mut row)| {
        if !kinds && !row.is_empty() {
            row.remove(0);
        }
        row.insert(0, cluster);
        row
    });
    let mut first = true;
    loop {
        let block: Vec<Vec<String>> = rows.by_ref().take(chunk.max(1)).collect();
        if block.is_empty() {
            return Ok(());
        }
        emit(&render::table_chunk(&header, block, first))?;
        first = false;
    }
}
