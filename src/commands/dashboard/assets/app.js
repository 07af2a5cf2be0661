// kubectl kruise dashboard: the fleet page and the release page. Plain JavaScript, no
// build step, no network beyond this server. Every word about a release's state comes from
// the server (the CLI's view of it); this file only lays it out. Text from the cluster is
// always set as text, never as HTML.
"use strict";

const ROW_HEIGHT = 28; // px; app.css gives each fleet row exactly this height
const $ = (id) => document.getElementById(id);

// The session's secret arrives in the URL's fragment (never sent to a server), is kept for
// this tab only, and leaves the address bar at once.
const secret = (() => {
  const m = location.hash.match(/secret=([0-9a-f]+)/);
  if (m) {
    sessionStorage.setItem("kruise-secret", m[1]);
    // `#/r/...&secret=...` opens a release page.
    const rest = location.hash.replace(/[#&]?secret=[0-9a-f]+/, "");
    history.replaceState(null, "", location.pathname + location.search + (rest.startsWith("#/") ? rest : "#/"));
  }
  return sessionStorage.getItem("kruise-secret");
})();

const api = (path, opts = {}) =>
  fetch(path, {
    ...opts,
    headers: { "X-Kruise-Session": secret, ...(opts.headers || {}) },
    cache: "no-store",
  });

// ---------- the fleet, as the server streams it ----------

const fleet = {
  rows: new Map(), // id -> row
  clusters: [],
  columns: [],
  many: false,
  shown: [], // rows after filter and sort
  selected: 0,
  dirty: true,
};

// A row as the server sends it, `[id, rank, text, created, labels, ...cells]`, as an object.
// The id is `CLUSTER GROUP NAMESPACE NAME` (a context's name may hold spaces: split from
// the right).
function rowOf(a, kindAt, stateAt) {
  const [id, rank, text, created, labels, ...cells] = a;
  const parts = id.split(" ");
  const name = parts.pop();
  const namespace = parts.pop();
  parts.pop();
  return {
    id, rank, text, created, labels, cells, name, namespace,
    cluster: parts.join(" "), kind: cells[kindAt], state: cells[stateAt],
    // What a filter word is looked for in, made once: a keystroke then only compares.
    hay: cells.join(" ").toLowerCase(),
  };
}

function applyChanges(doc) {
  fleet.columns = doc.columns;
  const kindAt = doc.columns.indexOf("KIND");
  const stateAt = doc.columns.indexOf("STATE");
  if (doc.full) fleet.rows = new Map();
  // A few changed rows are moved within the sorted rows (a binary search each); sorting all
  // 50,000 again for every change would cost a frame.
  const sorted = !doc.full && !fleet.changed && fleet.sortedFor === fleet.rows &&
    doc.rows.length + doc.gone.length < 1000 ? fleet.sorted : null;
  for (const a of doc.rows) {
    const r = rowOf(a, kindAt, stateAt);
    if (sorted) {
      unplace(sorted, fleet.rows.get(a[0]));
      sorted.splice(place(sorted, r), 0, r);
    }
    fleet.rows.set(a[0], r);
  }
  for (const id of doc.gone) {
    if (sorted) unplace(sorted, fleet.rows.get(id));
    fleet.rows.delete(id);
  }
  fleet.clusters = doc.clusters;
  fleet.trains = doc.trains || [];
  fleet.many = doc.many;
  fleet.summary = doc.summary;
  fleet.dirty = true;
  if (!sorted) fleet.changed = true;
  scheduleRender();
  if (route.release && doc.rows.some((a) => a[0] === route.release.id)) {
    clearTimeout(releaseTimer);
    releaseTimer = setTimeout(() => loadRelease(false), 100);
  }
}

// Server-sent events from a fetch's body: `onData` with each event's data, `onBytes` on
// anything at all (a comment included), until the body ends.
async function readEvents(resp, onData, onBytes) {
  const reader = resp.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onBytes();
    buf += dec.decode(value, { stream: true });
    let at;
    while ((at = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (data) onData(data);
    }
  }
}

let conn = { abort: null, lastData: 0, backoff: 1000, timer: null };

function setConn(text, bad) {
  const el = $("conn");
  el.textContent = text;
  el.classList.toggle("bad", !!bad);
}

async function connect() {
  if (conn.abort || document.hidden) return;
  const ctl = new AbortController();
  conn.abort = ctl;
  setConn("connecting…");
  try {
    const resp = await api("/api/stream", { signal: ctl.signal });
    if (resp.status === 401) {
      lock();
      return;
    }
    if (!resp.ok) throw new Error(await resp.text());
    setConn("live");
    conn.backoff = 1000;
    conn.lastData = Date.now();
    await readEvents(resp, (data) => applyChanges(JSON.parse(data)), () => (conn.lastData = Date.now()));
    throw new Error("the server closed the connection");
  } catch (e) {
    if (conn.abort !== ctl) return; // stopped on purpose
    conn.abort = null;
    if (document.hidden) return;
    setConn(`connection lost (${e.message || e}): reconnecting…`, true);
    setTimeout(connect, conn.backoff);
    conn.backoff = Math.min(conn.backoff * 2, 10000);
  }
}

function disconnect(why) {
  if (conn.abort) {
    const ctl = conn.abort;
    conn.abort = null;
    ctl.abort();
  }
  setConn(why);
}

// A hidden tab costs nothing: no connection while it is hidden, every row again when shown.
document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    disconnect("paused while the tab is hidden");
    stopWatchingRelease();
  } else {
    connect();
    if (route.release) loadRelease(false);
  }
});

// The server sends a comment every 15 s: silence for 40 s is a dropped connection.
setInterval(() => {
  if (conn.abort && Date.now() - conn.lastData > 40000) {
    const ctl = conn.abort;
    conn.abort = null;
    ctl.abort();
    setConn("connection lost: reconnecting…", true);
    connect();
  }
}, 5000);

// ---------- the filter ----------

function parseFilter(text) {
  const terms = [];
  for (const word of text.trim().toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = word.match(/^(ns|namespace|cluster|state|kind|label):(.*)$/);
    if (m) terms.push({ key: m[1] === "namespace" ? "ns" : m[1], value: m[2] });
    else terms.push({ key: "any", value: word });
  }
  return terms;
}

function matches(r, terms) {
  for (const t of terms) {
    const v = t.value;
    switch (t.key) {
      case "ns":
        if (r.namespace.toLowerCase() !== v) return false;
        break;
      case "cluster":
        if (r.cluster.toLowerCase() !== v) return false;
        break;
      case "state":
        if (!r.state.toLowerCase().startsWith(v)) return false;
        break;
      case "kind":
        if (!r.kind.toLowerCase().startsWith(v)) return false;
        break;
      case "label": {
        const [k, val] = v.split("=");
        const have = Object.entries(r.labels).find(([lk]) => lk.toLowerCase() === k);
        if (!have || (val !== undefined && have[1].toLowerCase() !== val)) return false;
        break;
      }
      default:
        if (!r.hay.includes(v)) return false;
    }
  }
  return true;
}

function filterText() {
  return new URLSearchParams(location.search).get("q") || "";
}

$("filter").addEventListener("input", (e) => {
  const q = e.target.value;
  const url = new URL(location.href);
  if (q) url.searchParams.set("q", q);
  else url.searchParams.delete("q");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
  fleet.dirty = true;
  fleet.selected = 0;
  scheduleRender();
});

// ---------- the fleet page ----------

// What needs a person first (the server's rank), then by place and name (plain code-point
// order: Kubernetes names are ASCII, and localeCompare costs 10x on 50,000 rows).
const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
function compare(a, b) {
  return a.rank - b.rank || cmp(a.cluster, b.cluster) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

function age(created) {
  if (!created) return "<unknown>";
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ""}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ""}`;
  return d < 365 * 2 ? `${d}d` : `${Math.floor(d / 365)}y`;
}

function releaseHref(r) {
  return "#/r/" + [r.cluster, r.kind, r.namespace, r.name].map(encodeURIComponent).join("/");
}

// Where row `r` belongs in the sorted rows `arr`: the first place not before it.
function place(arr, r) {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(arr[mid], r) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Take row `r` (if any) out of the sorted rows `arr`.
function unplace(arr, r) {
  if (!r) return;
  for (let i = place(arr, r); i < arr.length && compare(arr[i], r) === 0; i++) {
    if (arr[i] === r) {
      arr.splice(i, 1);
      return;
    }
  }
}

let frame = 0;
function scheduleRender() {
  if (!frame) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  if (route.release) return;
  if (fleet.dirty) {
    // Sorted once per change of the rows; a keystroke in the filter only filters.
    if (fleet.sortedFor !== fleet.rows || fleet.changed) {
      fleet.sorted = [...fleet.rows.values()].sort(compare);
      fleet.sortedFor = fleet.rows;
      fleet.changed = false;
    }
    const terms = parseFilter(filterText());
    fleet.shown = terms.length ? fleet.sorted.filter((r) => matches(r, terms)) : fleet.sorted;
    fleet.dirty = false;
    renderHead();
    renderCounts();
  }
  renderRows();
}

function renderHead() {
  const head = $("fleet-head");
  const want = fleet.columns.join("|");
  if (head.dataset.cols === want) return;
  head.dataset.cols = want;
  head.replaceChildren(
    ...fleet.columns.map((c) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      return th;
    }),
  );
}

// Release trains (autopilot --one-by-one), from the Events each records on its rollouts:
// a line per rollout, its clusters in the dashboard's order, each with its last word
// (Started, Passed, Stopped) and, on hover or for a stop, the train's own message.
function renderTrains() {
  const byRelease = new Map();
  for (const n of fleet.trains || []) {
    const k = `${n.namespace}/${n.rollout}`;
    if (!byRelease.has(k)) byRelease.set(k, new Map());
    byRelease.get(k).set(n.cluster, n);
  }
  $("trains").hidden = byRelease.size === 0;
  const names = fleet.clusters.map((c) => c.name);
  $("train-list").replaceChildren(
    ...[...byRelease.entries()].map(([k, notes]) => {
      const li = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = k;
      li.append(title);
      const stops = [];
      for (const c of names) {
        const n = notes.get(c);
        const span = document.createElement("span");
        span.className = `train-stop train-${n ? n.action : "none"}`;
        span.textContent = `${c || "this cluster"}: ${n ? n.action : "—"}`;
        if (n) span.title = n.message;
        if (n && n.action === "Stopped") stops.push(n.message);
        li.append(" ", span);
      }
      for (const m of stops) {
        const p = document.createElement("p");
        p.className = "bad";
        p.textContent = m;
        li.append(p);
      }
      return li;
    }),
  );
}

function renderCounts() {
  renderTrains();
  const shown = fleet.shown.length === fleet.rows.size ? "" : ` (${fleet.shown.length} shown)`;
  $("counts").textContent = `${fleet.summary}${shown}`;
  const list = $("clusters");
  list.replaceChildren(
    ...fleet.clusters
      .filter((c) => fleet.many || c.error || c.note)
      .map((c) => {
        const li = document.createElement("li");
        const name = c.name || "this cluster";
        li.textContent = c.error
          ? `${name}: ${c.error}`
          : `${name}: ${c.listed ? c.summary : "listing…"}${c.note ? ` (${c.note})` : ""}`;
        if (c.error) li.className = "bad";
        return li;
      }),
  );
}

// Only the rows on screen are in the document: 50,000 rows cost 40. Those rows are kept
// and their text changed in place as the page scrolls: building them anew each frame cost
// a dropped frame now and then on a slow machine.
const pool = { rows: [], columns: "", top: null, bottom: null };

function poolRow(n) {
  const tr = document.createElement("tr");
  for (let j = 0; j < n; j++) tr.append(document.createElement("td"));
  return tr;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function renderRows() {
  const sc = $("scroller");
  const body = $("fleet-body");
  const total = fleet.shown.length;
  if (total === 0) {
    pool.columns = "";
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = Math.max(1, fleet.columns.length);
    td.className = "empty";
    td.textContent = fleet.rows.size
      ? "No release matches the filter."
      : fleet.clusters.every((c) => c.listed || c.error)
        ? "No releases."
        : "Listing…";
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  const count = Math.ceil(sc.clientHeight / ROW_HEIGHT) + 10;
  // Fewer rows than before (a filter) while scrolled far down: the last ones are shown, and
  // the browser then scrolls back to them.
  const first = Math.max(0, Math.min(Math.floor(sc.scrollTop / ROW_HEIGHT) - 5, total - count));
  const last = Math.min(total, first + count);
  const columns = fleet.columns.join("|");
  const n = fleet.columns.length;
  if (pool.columns !== columns) {
    pool.columns = columns;
    pool.rows = [];
    pool.top = document.createElement("tr");
    pool.bottom = document.createElement("tr");
    pool.top.className = pool.bottom.className = "spacer";
    body.replaceChildren(pool.top, pool.bottom);
  }
  // Rows the page has no release for are hidden, not removed: a filter narrowing to a few
  // rows and widening again then builds nothing.
  while (pool.rows.length < count) {
    const tr = poolRow(n);
    pool.rows.push(tr);
    body.insertBefore(tr, pool.bottom);
  }
  pool.rows.forEach((tr, k) => {
    const hide = k >= last - first;
    if (tr.hidden !== hide) tr.hidden = hide;
    if (hide && tr.row) {
      tr.row = null;
      delete tr.dataset.id;
    }
  });
  pool.top.style.height = `${first * ROW_HEIGHT}px`;
  pool.bottom.style.height = `${(total - last) * ROW_HEIGHT}px`;
  const nameAt = fleet.columns.indexOf("NAME");
  for (let i = first; i < last; i++) {
    const r = fleet.shown[i];
    const tr = pool.rows[i - first];
    const selected = i === fleet.selected;
    const cls = `state-${r.state}` + (selected ? " selected" : "");
    if (tr.className !== cls) tr.className = cls;
    if (selected) tr.setAttribute("aria-selected", "true");
    else tr.removeAttribute("aria-selected");
    tr.dataset.index = i;
    if (tr.row !== r) {
      tr.row = r;
      tr.dataset.id = r.id;
      tr.title = r.text;
      r.cells.forEach((c, j) => {
        const td = tr.children[j];
        if (j === nameAt) {
          let link = td.firstElementChild;
          if (!link) {
            link = document.createElement("a");
            td.replaceChildren(link);
          }
          link.href = releaseHref(r);
          setText(link, c);
        } else if (j !== r.cells.length - 1) {
          setText(td, c);
        }
      });
    }
    // The age moves on by itself.
    setText(tr.children[r.cells.length - 1], age(r.created));
  }
}

$("scroller").addEventListener("scroll", () => scheduleRender(), { passive: true });
window.addEventListener("resize", () => scheduleRender());

function moveSelection(by) {
  const n = fleet.shown.length;
  if (!n) return;
  fleet.selected = Math.max(0, Math.min(n - 1, fleet.selected + by));
  const sc = $("scroller");
  const y = fleet.selected * ROW_HEIGHT;
  const head = ROW_HEIGHT;
  if (y < sc.scrollTop) sc.scrollTop = y;
  else if (y + 2 * head > sc.scrollTop + sc.clientHeight)
    sc.scrollTop = y + 2 * head - sc.clientHeight;
  scheduleRender();
}

document.addEventListener("keydown", (e) => {
  if ($("confirm").open) return;
  const typing = e.target.tagName === "INPUT";
  if (typing) {
    if (e.key === "Escape" || e.key === "Enter" || e.key === "ArrowDown") {
      e.target.blur();
      $("scroller").focus();
      e.preventDefault();
    }
    return;
  }
  if (route.release) {
    if (e.key === "Escape" || (e.key === "Backspace" && !e.altKey)) {
      location.hash = "#/";
      e.preventDefault();
    }
    return;
  }
  if (e.key === "/") {
    $("filter").focus();
    e.preventDefault();
  } else if (e.key === "j" || e.key === "ArrowDown") {
    moveSelection(1);
    e.preventDefault();
  } else if (e.key === "k" || e.key === "ArrowUp") {
    moveSelection(-1);
    e.preventDefault();
  } else if (e.key === "Enter" && fleet.shown[fleet.selected]) {
    if (e.target.tagName === "A") return; // the link opens it
    location.hash = releaseHref(fleet.shown[fleet.selected]);
    e.preventDefault();
  }
});

// ---------- the release page ----------

const route = { release: null };

function readRoute() {
  stopWatchingRelease();
  const m = location.hash.match(/^#\/r\/([^/]*)\/([^/]+)\/([^/]+)\/([^/]+)$/);
  if (!m) {
    route.release = null;
    $("release-view").hidden = true;
    $("fleet-view").hidden = false;
    document.title = "kubectl kruise dashboard";
    fleet.dirty = true;
    scheduleRender();
    return;
  }
  const [cluster, kind, namespace, name] = m.slice(1).map(decodeURIComponent);
  const id = [cluster, kind.split(".").slice(1).join("."), namespace, name].join(" ");
  route.release = { cluster, kind, namespace, name, id, data: null };
  $("fleet-view").hidden = true;
  $("release-view").hidden = false;
  $("r-title").textContent = `${namespace}/${name}` + (cluster ? ` in ${cluster}` : "");
  $("r-result").textContent = "";
  document.title = `${name} · kubectl kruise dashboard`;
  loadRelease(true);
}
window.addEventListener("hashchange", readRoute);

function cell(tr, text, tag = "td") {
  const td = document.createElement(tag);
  td.textContent = text == null ? "-" : String(text);
  tr.append(td);
  return td;
}

function fillTable(table, head, rows) {
  table.hidden = rows.length === 0;
  const thead = document.createElement("thead");
  const hr = document.createElement("tr");
  head.forEach((h) => cell(hr, h, "th"));
  thead.append(hr);
  const tbody = document.createElement("tbody");
  for (const r of rows) {
    const tr = document.createElement("tr");
    r.forEach((c) => cell(tr, c));
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
}

let releaseTimer = null;
let loading = null;

async function loadRelease(first) {
  const r = route.release;
  if (!r) return;
  if (first) {
    $("r-state").textContent = "loading…";
    $("r-actions").replaceChildren();
    delete $("r-actions").dataset.drawn;
  }
  const q = new URLSearchParams({
    cluster: r.cluster,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
  });
  // The template diff costs three reads: asked for once, when the page opens.
  if (first) q.set("diff", "true");
  const mine = {};
  loading = mine;
  let resp;
  try {
    resp = await api(`/api/release?${q}`);
  } catch (e) {
    $("r-why").textContent = `could not read the release: ${e.message || e}`;
    return;
  }
  if (loading !== mine || route.release !== r) return;
  if (resp.status === 401) return lock();
  if (!resp.ok) {
    $("r-state").textContent = (await resp.text()).trim();
    return;
  }
  r.data = await resp.json();
  if (first) r.revisions = r.data.revisions;
  showRelease(r.data, r.revisions);
  if (!r.watch) watchRelease(r, q);
}

// While a release page is open (and the tab shown), the server watches the release, its
// pods and its Events, and says when any changed: the page then reads itself again.
async function watchRelease(r, q) {
  if (document.hidden || route.release !== r) return;
  const ctl = new AbortController();
  r.watch = ctl;
  const wq = new URLSearchParams(q);
  wq.delete("diff");
  if (r.data && r.data.podSelector) wq.set("selector", r.data.podSelector);
  try {
    const resp = await api(`/api/release/changes?${wq}`, { signal: ctl.signal });
    if (!resp.ok) throw new Error(await resp.text());
    await readEvents(resp, () => {
      clearTimeout(releaseTimer);
      releaseTimer = setTimeout(() => loadRelease(false), 100);
    }, () => {});
  } catch (e) {
    if (ctl.signal.aborted) return;
  }
  // The watch ended (the server went away, or the connection dropped): again, later.
  if (r.watch === ctl) {
    r.watch = null;
    setTimeout(() => route.release === r && !r.watch && watchRelease(r, q), 2000);
  }
}

function stopWatchingRelease() {
  const r = route.release;
  if (r && r.watch) {
    const ctl = r.watch;
    r.watch = null;
    ctl.abort();
  }
}

function showRelease(d, revisions) {
  const s = d.status;
  const step = s.currentStepIndex ? `step ${s.currentStepIndex}/${s.totalSteps}` : `-/${s.totalSteps}`;
  $("r-state").textContent = `${s.stage} · ${step} · ${s.stateText}`;
  const why = [];
  if (s.why) why.push(s.why);
  if (s.message) why.push(`“${s.message}”`);
  if (d.owner) why.push(`Part of KubeVela application ${d.owner}.`);
  if (s.next) why.push(`Next: ${s.next}`);
  $("r-why").textContent = why.join(" ");
  $("r-status-cmd").textContent = d.statusCommand;

  // Buttons are redrawn only when they change: a redraw would take the keyboard's focus.
  const actions = $("r-actions");
  const drawn = JSON.stringify([d.readOnly, d.actions]);
  if (actions.dataset.drawn !== drawn) {
    actions.dataset.drawn = drawn;
    actions.replaceChildren(...actionButtons(d));
  }
  showDetails(d, s, revisions);
}

function actionButtons(d) {
  return d.readOnly
      ? [Object.assign(document.createElement("p"), {
          className: "note",
          textContent: "Read-only: no action is offered (--read-only).",
        })]
      : d.actions.map((a) => {
          const wrap = document.createElement("div");
          wrap.className = "action";
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = a.verb[0].toUpperCase() + a.verb.slice(1);
          b.dataset.verb = a.verb;
          b.disabled = !a.enabled;
          const why = document.createElement("span");
          why.className = "reason";
          why.id = `why-${a.verb}`;
          if (!a.enabled) {
            why.textContent = a.reason;
            b.setAttribute("aria-describedby", why.id);
            b.title = a.reason;
          }
          b.addEventListener("click", () => confirmAction(a));
          wrap.append(b, why);
          return wrap;
        });
}

function showDetails(d, s, revisions) {
  const steps = $("r-steps");
  steps.replaceChildren(
    ...s.steps.map((st) => {
      const li = document.createElement("li");
      li.className = `step ${st.status}`;
      const parts = [];
      if (st.replicas) {
        const count = st.pods != null ? st.pods : st.replicas;
        parts.push(st.replicas.endsWith("%") ? `${st.replicas} of pods (${count})` : `${count} pod${count == 1 ? "" : "s"}`);
      }
      if (st.traffic) parts.push(`traffic ${st.traffic}`);
      if (st.matches) parts.push(`${st.matches} header match${st.matches > 1 ? "es" : ""}`);
      parts.push(st.pause === "manual" ? "waits for approval" : st.pause === "none" ? "moves on" : `pause ${st.pause}`);
      li.textContent = `${st.index}. ${parts.join(", ")} — ${st.status}`;
      if (st.status === "current") li.setAttribute("aria-current", "step");
      return li;
    }),
  );
  const when = s.conditions.find((c) => c.type === "Progressing");
  if (when && when.lastTransitionTime) {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = `Progressing since ${when.lastTransitionTime} (${when.reason || ""})`;
    steps.append(li);
  }

  const pods = [...d.pods].sort((a, b) => (a.batch || "").localeCompare(b.batch || "") || a.name.localeCompare(b.name));
  $("r-pods-note").textContent = d.podsError ? `Pods could not be read: ${d.podsError}` : pods.length ? "" : "No pods.";
  fillTable($("r-pods"), ["BATCH", "NAME", "READY", "STATUS", "RESTARTS", "REVISION", "AGE"],
    pods.map((p) => [p.batch || "-", p.name, p.ready, p.phase, p.restarts, p.revision || "-", age(p.created)]));

  const traffic = $("r-traffic");
  const current = s.steps.find((st) => st.status === "current");
  const lines = d.routes.map((rt) => `service ${rt.service || "-"} → ${rt.refs.join(", ") || "no route objects"}`);
  if (!lines.length) lines.push("No traffic routing: the release moves pods only.");
  if (current && current.traffic) lines.push(`Now: ${current.traffic} of traffic to the new version.`);
  traffic.replaceChildren(...lines.map((l) => Object.assign(document.createElement("p"), { textContent: l })));

  const images = (rev) => [...new Set(d.pods.filter((p) => p.revision === rev).flatMap((p) => p.images))];
  const revs = [
    ["Stable", s.stableRevision, revisions && revisions.stable, revisions && revisions.stableImages],
    ["Canary", s.canaryRevision, revisions && revisions.canary, revisions && revisions.canaryImages],
  ].map(([label, rev, number, imgs]) => {
    const p = document.createElement("p");
    imgs = imgs && imgs.length ? imgs : rev ? images(rev) : [];
    const named = number ? `revision ${number}${rev ? ` (${rev})` : ""}` : rev || "-";
    p.textContent = `${label}: ${named}${imgs.length ? `: ${imgs.join(", ")}` : ""}`;
    return p;
  });
  if (revisions && revisions.diff) {
    const pre = document.createElement("pre");
    pre.className = "diff";
    pre.setAttribute("aria-label", "What the release changes in the pod template");
    for (const line of revisions.diff.split("\n")) {
      const span = document.createElement("span");
      span.textContent = line + "\n";
      if (line.startsWith("+") && !line.startsWith("+++")) span.className = "add";
      else if (line.startsWith("-") && !line.startsWith("---")) span.className = "del";
      pre.append(span);
    }
    revs.push(pre);
  }
  $("r-revisions").replaceChildren(...revs);

  fillTable($("r-conditions"), ["TYPE", "STATUS", "REASON", "MESSAGE", "SINCE"],
    s.conditions.map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime]));
  $("r-events-note").textContent = d.eventsError ? `Events could not be read: ${d.eventsError}` : d.events.length ? "" : "No events.";
  fillTable($("r-events"), ["LAST SEEN", "TYPE", "REASON", "FROM", "MESSAGE"],
    d.events.map((e) => [e.last ? age(e.last) : "-", e.type, e.reason, e.from, e.message]));
}

// An action asks first, showing its command line (undo: the server's dry run of it),
// then runs exactly that command on the server.
async function confirmAction(a) {
  const r = route.release;
  const verb = a.verb[0].toUpperCase() + a.verb.slice(1);
  const body = {
    cluster: r.cluster, kind: r.kind, namespace: r.namespace, name: r.name,
    verb: a.verb, step: a.step,
  };
  const dlg = $("confirm");
  $("confirm-title").textContent = `${verb} ${r.namespace}/${r.name}?`;
  $("confirm-what").textContent =
    a.verb === "approve" && a.step ? `Approves step ${a.step} only; if the release has moved on, nothing is written.` : "This runs:";
  $("confirm-cmd").textContent = a.command;
  $("confirm-go").textContent = verb;
  const pre = $("confirm-preview");
  pre.hidden = true;
  if (a.verb === "undo") {
    pre.hidden = false;
    pre.textContent = "asking the API server what would change (dry run)…";
    api("/api/action", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...body, preview: true }),
    })
      .then((resp) => (resp.ok ? resp.json() : resp.text().then((t) => ({ error: t }))))
      .then((v) => {
        const p = v.preview;
        pre.textContent = v.error ? v.error : [...p.out, ...p.err].join("\n") || "(nothing would change)";
      });
  }
  dlg.returnValue = "";
  dlg.showModal();
  $("confirm-cancel").focus();
  dlg.addEventListener(
    "close",
    async () => {
      if (dlg.returnValue !== "go") return;
      $("r-result").textContent = `${verb}: running…`;
      const resp = await api("/api/action", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!resp.ok) {
        $("r-result").textContent = `${verb} refused: ${(await resp.text()).trim()}`;
        return;
      }
      const v = await resp.json();
      const ran = v.ran;
      const text = [...ran.out, ...ran.err].join(" ");
      $("r-result").textContent = `${ran.code === 0 ? "" : `${verb} failed (exit ${ran.code}): `}${text}`;
      $("r-result").classList.toggle("bad", ran.code !== 0);
      loadRelease(false);
    },
    { once: true },
  );
}

// ---------- start ----------

function lock() {
  disconnect("locked");
  $("locked").hidden = false;
  $("fleet-view").hidden = true;
  $("release-view").hidden = true;
}

if (!secret) {
  lock();
} else {
  $("filter").value = filterText();
  readRoute();
  connect();
}
