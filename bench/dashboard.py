"""Drive the dashboard in headless Chromium over WebDriver (plain HTTP to chromedriver on
port 9515) and print the figures bench/dashboard.sh promises. Standard library only."""

import json
import statistics
import sys
import time
import urllib.request

url, c01, pid, start_ns, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
DRIVER = "http://127.0.0.1:9515"
ROWS = 50_000


def call(method, path, body=None):
    req = urllib.request.Request(DRIVER + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)["value"]


caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--window-size=1400,1000", "--enable-precise-memory-info",
             f"--user-data-dir={work}/profile"]}}}}
session = call("POST", "/session", caps)["sessionId"]
S = f"/session/{session}"


def js(script, *args):
    return call("POST", S + "/execute/sync", {"script": script, "args": list(args)})


def rss_kib():
    fields = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status"))
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def cpu_ticks():
    parts = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def wait(script, limit=120):
    t = time.time()
    while not js(script):
        if time.time() - t > limit:
            raise SystemExit(f"timed out: {script}")
        time.sleep(0.01)


call("POST", S + "/url", {"url": url})
# Every list arrived (the page holds every row), then the first rows drawn.
wait(f"return typeof fleet !== 'undefined' && fleet.rows.size >= {ROWS}")
arrived = time.time()
wait("return document.querySelectorAll('#fleet-body tr[data-id]').length > 0")
drawn = time.time()
print("## Dashboard: 50 clusters, 1,000 rollouts each (50,000 rows)\n")
print("| measure | value |\n|---|---:|")
print(f"| start to every list on the page | {(arrived - start_ns / 1e9) * 1000:.0f} ms |")
print(f"| lists on the page to first rows on screen | {(drawn - arrived) * 1000:.0f} ms |")

# A change on the server, to the screen: the row of one rollout in c01, filtered to it.
js("const f = document.getElementById('filter'); f.value = 'cluster:c01 rollouts-nginx-00001';"
   "f.dispatchEvent(new Event('input')); return true")
wait("return document.querySelectorAll('#fleet-body tr[data-id]').length === 1")
path = "/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx-00001/status"
lat = []
for i in range(20):
    step = 2 + i % 2
    body = json.dumps({"status": {"canaryStatus": {"currentStepIndex": step}, "currentStepIndex": step}})
    req = urllib.request.Request(c01 + path, method="PATCH", data=body.encode(),
                                 headers={"Content-Type": "application/merge-patch+json"})
    sent = time.time() * 1000
    urllib.request.urlopen(req).read()
    shown = js("""return new Promise(done => {
        const want = arguments[0];
        const look = () => {
          const r = document.querySelector('#fleet-body tr[data-id]');
          if (r && r.innerText.includes(want)) done(Date.now()); else requestAnimationFrame(look);
        };
        look();
      })""", f"\t{step}/3\t")
    lat.append(shown - sent)
lat.sort()
print(f"| server change to screen, p50 / p95 of 20 | {statistics.median(lat):.0f} / {lat[18]:.0f} ms |")

# Frames while scrolling through every row, then while filtering: the longest task the
# browser ran (a task over 50 ms is a dropped frame; Chrome reports those as long tasks),
# and the time from a keystroke to the frame after it is drawn.
js("window.__long = 0; new PerformanceObserver(l => l.getEntries().forEach(e => "
   "window.__long = Math.max(window.__long, e.duration))).observe({type: 'longtask'}); return true")
js("const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); return true")
wait(f"return document.querySelectorAll('#fleet-body tr[data-id]').length > 0 && fleet.shown.length >= {ROWS}")
# Clearing the filter is a filter keystroke: its tasks count with filtering's.
long_clear = js("const l = window.__long; window.__long = 0; return l")
worst_scroll = js("""return new Promise(done => {
    const sc = document.getElementById('scroller');
    let last = performance.now(), worst = 0, n = 0;
    const step = () => {
      const now = performance.now();
      worst = Math.max(worst, now - last); last = now;
      sc.scrollTop += sc.scrollHeight / 120;
      if (++n < 120) requestAnimationFrame(step); else done(worst);
    };
    requestAnimationFrame(step);
  })""")
worst_filter = js("""return new Promise(async done => {
    const f = document.getElementById('filter');
    let worst = 0;
    for (const q of ['r', 'ro', 'rollouts-nginx-0001', 'cluster:c07', 'state:wait', '']) {
      const t = performance.now();
      f.value = q; f.dispatchEvent(new Event('input'));
      await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
      worst = Math.max(worst, performance.now() - t);
    }
    done(worst);
  })""")
long_scroll = js("const l = window.__long; window.__long = 0; return l")
print(f"| longest frame scrolling 50,000 rows (120 frames) | {worst_scroll:.0f} ms |")
print(f"| longest task while scrolling (0: none over 50 ms) | {long_scroll:.0f} ms |")
long_filter = max(long_clear, js("return window.__long"))
print(f"| longest filter keystroke to the frame after it drawn (6 filters) | {worst_filter:.0f} ms |")
print(f"| longest task while filtering (0: none over 50 ms) | {long_filter:.0f} ms |")

rss, hwm = rss_kib()
before = cpu_ticks()
time.sleep(10)
idle = cpu_ticks() - before
print(f"| dashboard RSS settled / peak | {rss / 1024:.1f} / {hwm / 1024:.1f} MiB |")
print(f"| dashboard CPU over 10 s idle, tab open | {idle * 10} ms |")
heap = js("return performance.memory ? performance.memory.usedJSHeapSize : null")
if heap:
    print(f"| page JS heap | {heap / 1048576:.0f} MiB |")
call("DELETE", S)
