#!/usr/bin/env bash
# The dashboard at fleet scale: 50 fake clusters on loopback, 1,000 rollouts each (50,000),
# shown in headless Chromium driven over WebDriver (bench/dashboard.py, Python's standard
# library only).
#
#   bash bench/dashboard.sh      # needs chromium, chromedriver, python3, curl
#
# Prints: time from start to every list arrived, and from then to the first rows on screen;
# a change on the server to the screen (p50/p95 of 20); the longest frame while scrolling
# and filtering; the dashboard's peak and settled RSS; its CPU over 10 s idle with the tab
# open; the page's JS heap.
source "$(dirname "$0")/common.sh" chromium chromedriver python3 curl

"$FAKE" --clusters 50 --copies 999 --kubeconfig "$work/kc" \
  tests/fixtures/rollout-seed-v1beta1.yaml tests/fixtures/deployment-nginx.yaml >"$work/log" &
pids+=($!)
for _ in $(seq 2400); do grep -q '^serving 50 clusters' "$work/log" 2>/dev/null && break; sleep 0.05; done
export KUBECONFIG="$work/kc"
c01=$(sed -n 's/^cluster c01 //p' "$work/log")

start=$(date +%s%N)
"$BIN" dashboard --all-contexts --no-browser --port 0 >"$work/url" 2>"$work/err" &
dash=$!
pids+=($dash)
for _ in $(seq 200); do [ -s "$work/url" ] && break; sleep 0.05; done
chromedriver --port=9515 >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 200); do curl -sf http://127.0.0.1:9515/status >/dev/null && break; sleep 0.05; done

python3 bench/dashboard.py "$(head -1 "$work/url")" "$c01" "$dash" "$start" "$work"
