//! Where a command's output goes: straight to stdout and stderr, or, when one command runs
//! in several clusters at once, into the scope of its cluster, which tags each line with the
//! cluster's name and gathers `-o json|yaml` documents to be printed as one List.
//!
//! The scope is task-local, so the verbs print as they always do and know nothing of how
//! many clusters they run in.

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::Value;

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// The document format a scope gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Docs {
    Json,
    Yaml,
}

impl From<crate::cli::DataFormat> for Docs {
    fn from(f: crate::cli::DataFormat) -> Docs {
        match f {
            crate::cli::DataFormat::Json => Docs::Json,
            crate::cli::DataFormat::Yaml => Docs::Yaml,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// What one cluster's run printed, held until it is shown.
#[derive(Debug, Default)]
pub struct Held {
    pub lines: Vec<(Stream, String)>,
    /// Its documents, each carrying `cluster`, Lists opened into their items.
    pub docs: Vec<Value>,
    /// `list`'s table rows (KIND first), and whether the KIND column means anything there.
    pub rows: Vec<Vec<String>>,
    pub kinds: bool,
}

/// How a scope shows what its cluster prints.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shown {
    /// Lines go out as they come (the command follows something); else they are held until
    /// the cluster is done, to be shown in the clusters' order.
    pub live: bool,
    /// `-o json|yaml`: the documents' format.
    pub docs: Option<Docs>,
    /// Each document goes out as it comes, tagged (a followed status's changes); else
    /// they are gathered into one List.
    pub stream_docs: bool,
    /// `list` hands rows rather than a table.
    pub rows: bool,
}

/// One cluster's share of a command run in several.
pub struct Scope {
    pub cluster: String,
    shown: Shown,
    state: Mutex<State>,
    /// What the command is doing now, in a few words (a train's live view shows it).
    status: Mutex<String>,
}

#[derive(Default)]
struct State {
    held: Held,
    /// An unfinished line of stdout, and the document text gathered.
    partial: String,
    text: String,
}

impl Scope {
    pub fn new(cluster: &str, shown: Shown) -> Arc<Scope> {
        Arc::new(Scope {
            cluster: cluster.to_string(),
            shown,
            state: Mutex::new(State::default()),
            status: Mutex::new(String::new()),
        })
    }

    /// The status its command last set.
    pub fn status(&self) -> String {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The run is over: what it printed and has not shown yet.
    pub fn finish(&self) -> Held {
        let mut st = self.state();
        let partial = std::mem::take(&mut st.partial);
        if !partial.is_empty() {
            st.held.lines.push((Stream::Out, partial));
        }
        let text = std::mem::take(&mut st.text);
        if let Some(format) = self.shown.docs {
            match parse_docs(&text, format) {
                Some(docs) => {
                    let docs = docs
                        .into_iter()
                        .flat_map(open_list)
                        .map(|d| tagged_doc(d, &self.cluster));
                    st.held.docs.extend(docs);
                }
                None => st
                    .held
                    .lines
                    .extend(text.lines().map(|l| (Stream::Out, l.to_string()))),
            }
        }
        std::mem::take(&mut st.held)
    }

    fn out(&self, text: &str) -> std::io::Result<()> {
        let mut st = self.state();
        if let Some(format) = self.shown.docs {
            if !self.shown.stream_docs {
                st.text.push_str(text);
                return Ok(());
            }
            // Streamed: each write is one whole document (an event), shown at once.
            if let Some(docs) = parse_docs(text, format) {
                drop(st);
                let mut out = String::new();
                for d in docs {
                    let d = tagged_doc(d, &self.cluster);
                    match format {
                        Docs::Json => out.push_str(&format!("{d}\n")),
                        Docs::Yaml => out.push_str(&format!(
                            "---\n{}",
                            serde_saphyr::to_string(&d).unwrap_or_default()
                        )),
                    }
                }
                return write_out(&out);
            }
        }
        st.partial.push_str(text);
        let Some(end) = st.partial.rfind('\n') else {
            return Ok(());
        };
        let rest = st.partial.split_off(end + 1);
        let done = std::mem::replace(&mut st.partial, rest);
        let lines = done.lines().map(|l| (Stream::Out, l.to_string()));
        if self.shown.live {
            drop(st);
            let text: String = lines
                .map(|(_, l)| format!("{}\n", tag(&self.cluster, &l)))
                .collect();
            above_view(|| write_out(&text))
        } else {
            st.held.lines.extend(lines);
            Ok(())
        }
    }

    fn err(&self, line: &str) {
        if self.shown.live {
            above_view(|| {
                for l in line.lines() {
                    eprintln!("{}", tag(&self.cluster, l));
                }
            });
        } else {
            let mut st = self.state();
            st.held
                .lines
                .extend(line.lines().map(|l| (Stream::Err, l.to_string())));
        }
    }
}

/// `[prod-eu] rollout.rollouts.kruise.io/web approved`.
pub fn tag(cluster: &str, line: &str) -> String {
    format!("[{cluster}] {line}")
}

/// The document with `cluster` as its first field.
pub fn tagged_doc(doc: Value, cluster: &str) -> Value {
    match doc {
        Value::Object(fields) => {
            let mut tagged = serde_json::Map::with_capacity(fields.len() + 1);
            tagged.insert("cluster".into(), cluster.into());
            tagged.extend(fields.into_iter().filter(|(k, _)| k != "cluster"));
            Value::Object(tagged)
        }
        other => serde_json::json!({"cluster": cluster, "value": other}),
    }
}

/// A `kind: List` document as its items; any other as itself.
fn open_list(doc: Value) -> Vec<Value> {
    match doc {
        Value::Object(mut m) if m.get("kind").and_then(Value::as_str) == Some("List") => {
            match m.remove("items") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        other => vec![other],
    }
}

fn parse_docs(text: &str, format: Docs) -> Option<Vec<Value>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    match format {
        Docs::Json => serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .collect::<Result<_, _>>()
            .ok(),
        Docs::Yaml => serde_saphyr::from_multiple::<Value>(text)
            .ok()
            .map(|d| d.into_iter().filter(|v| !v.is_null()).collect()),
    }
}

/// A live view drawn on stderr (a train's line per cluster): lines printed meanwhile go
/// above it, not through it.
static VIEW: Mutex<Option<indicatif::MultiProgress>> = Mutex::new(None);

/// Draw lines above `view` from now on (none: straight out again).
pub fn set_view(view: Option<indicatif::MultiProgress>) {
    *VIEW.lock().unwrap_or_else(|e| e.into_inner()) = view;
}

/// `f`, which prints, with the live view (if any) cleared while it does.
pub fn above_view<R>(f: impl FnOnce() -> R) -> R {
    let view = VIEW.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match view {
        Some(v) => v.suspend(f),
        None => f(),
    }
}

/// Say what the command in this cluster's scope is doing now; nothing outside a scope.
pub fn set_status(text: &str) {
    if let Some(s) = current() {
        *s.status.lock().unwrap_or_else(|e| e.into_inner()) = text.to_string();
    }
}

fn write_out(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Run `f` with its output in `scope`.
pub async fn scoped<F: Future>(scope: Arc<Scope>, f: F) -> F::Output {
    SCOPE.scope(scope, f).await
}

fn current() -> Option<Arc<Scope>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// `f`, to run on another thread (`spawn_blocking`) inside the scope of the task that made
/// it: a task-local scope does not follow work to another thread by itself, and a cluster's
/// lines printed there would go out untagged.
pub fn carry<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
    let scope = current();
    move || match scope {
        Some(s) => SCOPE.sync_scope(s, f),
        None => f(),
    }
}

/// Print to stdout (or the cluster's scope), flushed, so that a closed pipe surfaces as an
/// error the caller can recognise.
pub fn out(text: &str) -> std::io::Result<()> {
    match current() {
        Some(s) => s.out(text),
        None => write_out(text),
    }
}

/// Print a line to stderr (or the cluster's scope).
pub fn err(line: &str) {
    match current() {
        Some(s) => s.err(line),
        None => eprintln!("{line}"),
    }
}

/// Whether output goes to a person's terminal that can be redrawn: never inside a
/// cluster's scope, whose lines are tagged and interleaved with other clusters'.
pub fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    current().is_none() && std::io::stdout().is_terminal()
}

/// Inside one cluster's scope of a command run in several.
pub fn in_cluster_scope() -> bool {
    current().is_some()
}

/// `list` in several clusters: hand the rows to the scope (true), to be shown in one table
/// with the others'; false outside a scope that takes rows.
pub fn rows(rows: &mut Vec<Vec<String>>, kinds: bool) -> bool {
    let Some(s) = current() else {
        return false;
    };
    if !s.shown.rows {
        return false;
    }
    let mut st = s.state();
    st.held.kinds |= kinds;
    st.held.rows.append(rows);
    true
}

/// Show held lines, each tagged with its cluster.
pub fn show(cluster: &str, lines: &[(Stream, String)]) -> std::io::Result<()> {
    above_view(|| show_now(cluster, lines))
}

fn show_now(cluster: &str, lines: &[(Stream, String)]) -> std::io::Result<()> {
    let mut out = String::new();
    for (stream, line) in lines {
        match stream {
            Stream::Out => out.push_str(&format!("{}\n", tag(cluster, line))),
            Stream::Err => {
                write_out(&std::mem::take(&mut out))?;
                eprintln!("{}", tag(cluster, line));
            }
        }
    }
    write_out(&out)
}

/// `errln!("...")`: `eprintln!` that goes through the cluster's scope.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::err(&format!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn held_lines_are_whole_and_in_order() {
        let scope = Scope::new("eu", Shown::default());
        scoped(scope.clone(), async {
            out("one\ntw").unwrap();
            err("note: x");
            out("o\n").unwrap();
            out("tail").unwrap();
        })
        .await;
        let held = scope.finish();
        assert_eq!(
            held.lines,
            vec![
                (Stream::Out, "one".to_string()),
                (Stream::Err, "note: x".to_string()),
                (Stream::Out, "two".to_string()),
                (Stream::Out, "tail".to_string()),
            ]
        );
    }

    #[tokio::test]
    async fn documents_are_gathered_lists_opened_and_tagged() {
        let scope = Scope::new(
            "us",
            Shown {
                docs: Some(Docs::Json),
                live: true,
                ..Shown::default()
            },
        );
        scoped(scope.clone(), async {
            out("{\"kind\": \"List\", \"items\": [{\"name\": \"a\"}, ").unwrap();
            out("{\"name\": \"b\"}]}\n{\"name\": \"c\", \"cluster\": \"stale\"}").unwrap();
        })
        .await;
        let docs = scope.finish().docs;
        assert_eq!(
            docs,
            vec![
                serde_json::json!({"cluster": "us", "name": "a"}),
                serde_json::json!({"cluster": "us", "name": "b"}),
                serde_json::json!({"cluster": "us", "name": "c"}),
            ]
        );
        assert_eq!(
            serde_json::to_string(&docs[0]).unwrap(),
            r#"{"cluster":"us","name":"a"}"#,
            "cluster comes first"
        );
    }

    #[tokio::test]
    async fn yaml_documents_are_read_too() {
        let scope = Scope::new(
            "x",
            Shown {
                docs: Some(Docs::Yaml),
                ..Shown::default()
            },
        );
        scoped(scope.clone(), async {
            out("apiVersion: v1\nkind: List\nitems:\n- name: a\n").unwrap();
        })
        .await;
        assert_eq!(
            scope.finish().docs,
            vec![serde_json::json!({"cluster": "x", "name": "a"})]
        );
    }

    #[test]
    fn outside_a_scope_nothing_is_held() {
        assert!(!in_cluster_scope());
        assert!(!rows(&mut vec![vec!["a".into()]], false));
    }
}
