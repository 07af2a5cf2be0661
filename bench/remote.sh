#!/usr/bin/env bash
# Remote clusters: the plugin and kubectl side by side through an emulated link to the fake
# API server over TLS (HTTP/2 offered, as kube-apiserver does).
#
#   bash bench/remote.sh         # needs hyperfine, kubectl, curl and python3
#
# For each link (40 ms round trip at 50 Mbit/s: a cluster in the next region; 150 ms at
# 10 Mbit/s: another continent over a VPN), prints the wall times of reading one rollout,
# approving one step and listing 5,000 rollouts, then what each command sent: requests,
# requests in sequence (each waited for an answer), connections, and bytes on the wire.
# Round trips before the first answer = TCP (1) + TLS (1) + requests in sequence.
# kubectl is given the fully specified resource (rollouts.v1beta1.rollouts.kruise.io): with
# its discovery cache warm that costs it no discovery, where `rollouts.rollouts.kruise.io`
# makes it read discovery again on every call.
source "$(dirname "$0")/common.sh" hyperfine kubectl curl python3

paused='{"status":{"canaryStatus":{"currentStepState":"StepPaused"}}}'
ready='{"status":{"canaryStatus":{"currentStepState":"StepReady"}}}'

# wire SPEC "label" cmd...: run the command once and print one table row from the fake's
# record of it (requests, requests in sequence, connections, bytes each way).
wire() {
  local gap=$1 label=$2; shift 2
  local before
  before=$(curl -sk "$URL/fake/requests" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["count"], d["link"]["bytes_up"], d["link"]["bytes_down"], d["link"]["connections"])')
  "$@" >/dev/null
  read -r n up down conns <<<"$before"
  curl -sk "$URL/fake/requests?since=$n&gap_ms=$gap" | python3 -c "
import json, sys
d = json.load(sys.stdin)
l = d['link']
print('| \`$label\` | %d | %d | %d | %d | %.1f | %.1f |' % (d['requests'], d['waves'], 2 + d['waves'],
      l['connections'] - $conns, (l['bytes_down'] - $down) / 1024, (l['bytes_up'] - $up) / 1024))"
}

for spec in 40ms/50mbit 150ms/10mbit; do
  rtt_ms=${spec%%ms*}
  log="$work/log-${rtt_ms}"
  # 5,000 rollouts: the seed and 4,999 copies of it.
  "$FAKE" --kubeconfig "$work/kc" --tls --link="$spec" --copies 4999 \
    tests/fixtures/rollout-seed-v1beta1.yaml tests/fixtures/deployment-nginx.yaml >"$log" &
  pids+=($!)
  for _ in $(seq 1200); do grep -q '^link on' "$log" 2>/dev/null && break; sleep 0.05; done
  URL=$(sed -n 's/^serving on //p' "$log")
  export KUBECONFIG="$work/kc"
  kubectl get rollouts.v1beta1.rollouts.kruise.io rollouts-nginx >/dev/null

  echo "## Remote: ${spec/\// round trip, } each way"
  echo
  hyperfine -N --warmup 2 --runs 10 --style basic --export-markdown "$work/status.md" \
    -n "kubectl-kruise rollout status rollouts-nginx -o json" "$BIN rollout status rollouts-nginx -o json" \
    -n "kubectl get rollout rollouts-nginx -o json" \
    "kubectl get rollouts.v1beta1.rollouts.kruise.io rollouts-nginx -o json" >/dev/null
  cat "$work/status.md"
  echo
  hyperfine -N --warmup 1 --runs 10 --style basic --export-markdown "$work/approve.md" \
    --prepare "kubectl patch rollouts.v1beta1.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p '$paused'" \
    -n "kubectl-kruise rollout approve rollouts-nginx" "$BIN rollout approve rollouts-nginx" \
    -n "kubectl patch --subresource=status" \
    "kubectl patch rollouts.v1beta1.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p '$ready'" >/dev/null
  cat "$work/approve.md"
  echo
  hyperfine -N --warmup 1 --runs 5 --style basic --export-markdown "$work/list.md" \
    -n "kubectl-kruise rollout list -A (5,000)" "$BIN rollout list -A" \
    -n "kubectl get rollouts -A (5,000)" "kubectl get rollouts.v1beta1.rollouts.kruise.io -A" >/dev/null
  cat "$work/list.md"
  echo
  echo "| command | requests | in sequence | round trips | connections | KiB down | KiB up |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  gap=$((rtt_ms / 2))
  wire "$gap" "kubectl-kruise rollout status rollouts-nginx" "$BIN" rollout status rollouts-nginx
  wire "$gap" "kubectl get rollout rollouts-nginx" kubectl get rollouts.v1beta1.rollouts.kruise.io rollouts-nginx -o json
  kubectl patch rollouts.v1beta1.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p "$paused" >/dev/null
  wire "$gap" "kubectl-kruise rollout approve rollouts-nginx" "$BIN" rollout approve rollouts-nginx
  wire "$gap" "kubectl patch --subresource=status" kubectl patch rollouts.v1beta1.rollouts.kruise.io rollouts-nginx --subresource=status --type=merge -p "$ready"
  wire "$gap" "kubectl-kruise rollout list -A" "$BIN" rollout list -A
  wire "$gap" "kubectl get rollouts -A" kubectl get rollouts.v1beta1.rollouts.kruise.io -A
  echo
  kill "${pids[-1]}" 2>/dev/null || true
done
