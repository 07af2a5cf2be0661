#!/usr/bin/env bash
# Many clusters: one command across 50 fake clusters on loopback (one process), cluster c01
# behind an emulated 150 ms link at 10 Mbit/s, and one more context (down01) whose server
# accepts connections and never answers. Each cluster holds 100 rollouts.
#
#   bash bench/clusters.sh       # needs hyperfine, curl and GNU time
#
# Prints: `list -A` and `approve` in the slowest cluster alone and across all 50 (the goal:
# at most 20% over the slowest alone), the same with the silent cluster added under
# --request-timeout=1s (the goal: it costs at most that), and peak memory of `list -A`
# in 1 cluster and in 50 (it grows with the rows printed, not with the clusters).
source "$(dirname "$0")/common.sh" hyperfine curl /usr/bin/time

"$FAKE" --clusters 50 --silent-contexts 1 --link=150ms/10mbit --copies 99 --kubeconfig "$work/kc" \
  tests/fixtures/rollout-seed-v1beta1.yaml tests/fixtures/deployment-nginx.yaml >"$work/log" &
pids+=($!)
for _ in $(seq 1200); do grep -q '^serving 50 clusters' "$work/log" 2>/dev/null && break; sleep 0.05; done
export KUBECONFIG="$work/kc"
all=$(seq -f 'c%02g' 1 50 | paste -sd,)

# Each cluster's seed rollout back to waiting for approval, for the next approve.
paused='{"status":{"canaryStatus":{"currentStepState":"StepPaused"}}}'
path=/apis/rollouts.kruise.io/v1beta1/namespaces/default/rollouts/rollouts-nginx/status
sed -n 's/^cluster \(c[0-9]*\) //p' "$work/log" | while read -r url; do
  echo "curl -sf -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' -d '$paused' $url$path &"
done >"$work/reset-all.sh"
echo wait >>"$work/reset-all.sh"
head -1 "$work/reset-all.sh" | sed 's/ &$//' >"$work/reset-c01.sh"

echo "## Many clusters: 50 on loopback, c01 at 150 ms, 100 rollouts each"
echo
hyperfine -N --warmup 1 --runs 10 --style basic --export-markdown "$work/list.md" \
  -n "list -A, c01 alone (100 rollouts)" "$BIN rollout list -A --context c01" \
  -n "list -A --contexts c01..c50 (5,000 rollouts)" "$BIN rollout list -A --contexts $all" >/dev/null
cat "$work/list.md"
echo
hyperfine -N --warmup 1 --runs 10 --style basic --export-markdown "$work/approve.md" \
  -n "approve, c01 alone" --prepare "bash $work/reset-c01.sh" "$BIN rollout approve rollouts-nginx --context c01" \
  -n "approve --contexts c01..c50" --prepare "bash $work/reset-all.sh" "$BIN rollout approve rollouts-nginx --contexts $all" >/dev/null
cat "$work/approve.md"
echo
hyperfine -N -i --warmup 1 --runs 5 --style basic --export-markdown "$work/down.md" \
  -n "list -A --all-contexts (50 + down01), --request-timeout=1s" \
  "$BIN rollout list -A --all-contexts --request-timeout=1s" >/dev/null
cat "$work/down.md"
echo
echo "| peak RSS of \`list -A\` | KiB |"
echo "|---|---:|"
/usr/bin/time -f "%M" -o "$work/rss" "$BIN" rollout list -A --context c02 >/dev/null 2>&1
echo "| c02 alone (100 rows) | $(cat "$work/rss") |"
/usr/bin/time -f "%M" -o "$work/rss" "$BIN" rollout list -A --contexts "$all" >/dev/null 2>&1
echo "| c01..c50 (5,000 rows) | $(cat "$work/rss") |"
