#!/usr/bin/env bash
# Benchmarks, side by side with kubectl, against the fake API server on loopback.
#
#   bash bench/run.sh            # needs hyperfine (apt-get install hyperfine) and kubectl
#
# Prints markdown tables: start-up, one status read, one approval, time and peak memory of
# `rollout list -A` over 5,000 and 50,000 rollouts (memory should stay flat), an idle
# `list --watch` and `status --watch` over 30 s (CPU time and requests), and the requests
# each verb makes. The fake answers `resourceVersion=0` lists as a 1.28 server's watch
# cache does: everything in one body, `limit` ignored.
source "$(dirname "$0")/common.sh" hyperfine kubectl /usr/bin/time curl timeout openssl

# A CA for the kubeconfigs, as every real kubeconfig carries one (certificate-authority-data).
# Without one, kube loads the system's root certificates at start-up (about 3 ms here).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=bench" -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
ca_data=$(base64 -w0 <"$work/ca.crt")

# serve NAME COPIES [FILES...]: start a fake API server with the fixtures (or FILES) and
# COPIES numbered copies of each Rollout among them.
serve() {
  local name=$1 copies=$2; shift 2
  [ $# -gt 0 ] || set -- tests/fixtures/*.yaml
  "$FAKE" --kubeconfig "$work/$name" --copies "$copies" "$@" >"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1200); do
    if [ -s "$work/$name.log" ]; then
      sed -i "s|^    server: |    certificate-authority-data: $ca_data\n    server: |" "$work/$name"
      return
    fi
    sleep 0.05
  done
  echo "bench: the fake API server did not start" >&2; exit 1
}

# requests NAME: how many requests the fake NAME has served.
requests() {
  local url
  url=$(sed -n 's/^serving on //p' "$work/$1.log")
  curl -sf "$url/fake/requests" | sed 's/.*"count":\([0-9]*\).*/\1/'
}

serve kc 0
export KUBECONFIG="$work/kc"
paused='{"status":{"canaryStatus":{"currentStepState":"StepPaused"}}}'
ready='{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}'

echo "## Start-up (no cluster access)"
hyperfine -N --warmup 5 --style basic --export-markdown "$work/startup.md" \
  -n "kubectl-kruise version" "$BIN version" \
  -n "kubectl-kruise --help" "$BIN --help" \
  -n "kubectl version --client" "kubectl version --client" >/dev/null
cat "$work/startup.md"

echo; echo "## Read one rollout"
hyperfine -N --warmup 5 --style basic --export-markdown "$work/status.md" \
  -n "kubectl-kruise rollout status rollouts-nginx -o json" "$BIN rollout status rollouts-nginx -o json" \
  -n "kubectl get rollouts.v1beta1.rollouts.kruise.io rollouts-nginx -o json" \
  "kubectl get rollouts.v1beta1.rollouts.kruise.io rollouts-nginx -o json" >/dev/null
cat "$work/status.md"

echo; echo "## Approve one step (state reset before each run)"
hyperfine -N --warmup 3 --style basic --export-markdown "$work/approve.md" \
  --prepare "kubectl patch rollouts.v1beta1.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p '$paused'" \
  -n "kubectl-kruise rollout approve rollouts-nginx" "$BIN rollout approve rollouts-nginx" \
  -n "kubectl patch --subresource=status (no checks, no resourceVersion)" \
  "kubectl patch rollouts.v1beta1.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p '$ready'" >/dev/null
cat "$work/approve.md"

echo; echo "## rollout list -A: wall time and peak memory"
echo "| rollouts | command | wall (s) | peak RSS (MiB) |"
echo "|---:|---|---:|---:|"
for n in 5000 50000; do
  # Exactly N rollouts: the seed and N-1 copies of it.
  serve "kc$n" "$((n - 1))" tests/fixtures/rollout-seed-v1beta1.yaml tests/fixtures/deployment-nginx.yaml
  for cmd in "$BIN rollout list -A" "kubectl get rollouts.v1beta1.rollouts.kruise.io -A"; do
    # Warm kubectl's discovery cache, then measure.
    KUBECONFIG="$work/kc$n" $cmd >/dev/null
    out=$({ KUBECONFIG="$work/kc$n" /usr/bin/time -f "%e %M" $cmd >/dev/null; } 2>&1 | tail -1)
    read -r secs kib <<<"$out"
    printf '| %s | `%s` | %s | %.1f |\n' "$n" "${cmd/#$BIN/kubectl-kruise}" "$secs" "$(echo "$kib / 1024" | bc -l)"
  done
done

echo; echo "## Idle watches over 30 s: CPU time and requests"
echo "| command | CPU (s) | requests |"
echo "|---|---:|---:|"
# A step in progress: nothing for `status --watch` to stop at, so it stays and follows.
upgrading='{"status":{"canaryStatus":{"currentStepState":"StepUpgrade"}}}'
kubectl patch rollouts.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p "$upgrading" >/dev/null
for cmd in "$BIN rollout list --watch -A" "$BIN rollout status rollouts-nginx --watch" \
           "$BIN rollout status rollouts-nginx --until=completed"; do
  before=$(requests kc)
  # Started in a pipe, so the view prints lines; SIGINT after 30 s ends it (exit 130).
  out=$({ /usr/bin/time -f "%U %S" timeout -s INT 30 $cmd >/dev/null || true; } 2>&1 | tail -1)
  read -r usr sys <<<"$out"
  after=$(requests kc)
  printf '| `%s` | %.2f | %s |\n' "${cmd/#$BIN/kubectl-kruise}" "$(echo "$usr + $sys" | bc -l)" "$((after - before))"
done

echo; echo "## Requests per command (against the fake; audit Events on)"
echo "| command | requests |"
echo "|---|---:|"
reset() { kubectl patch rollouts.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p "$paused" >/dev/null; }
for cmd in "rollout status rollouts-nginx" "rollout list" "rollout approve rollouts-nginx" \
           "rollout approve rollouts-nginx --expect-step=1" "rollout pause rollouts-nginx" \
           "rollout resume rollouts-nginx" "rollout history rollout/rollouts-nginx"; do
  reset
  before=$(requests kc)
  $BIN $cmd >/dev/null 2>&1 || true
  after=$(requests kc)
  printf '| `kubectl-kruise %s` | %s |\n' "$cmd" "$((after - before))"
done
