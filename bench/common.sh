# Sourced by the benchmarks: check the tools given as arguments, build the release binaries,
# and make a work directory (also $HOME, so kubectl's discovery cache stays out of the
# user's) that is removed, with every process in $pids, on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in "$@"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 1; }
done

cargo build --release --workspace --quiet
BIN="$PWD/target/release/kubectl-kruise"
FAKE="$PWD/target/release/fake-apiserver"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work"
