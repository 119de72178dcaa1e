#!/usr/bin/env bash
# Builds what the end-to-end suite's real node runs besides the Kubernetes commands of
# build-binaries.sh, into the suite's cache outside the repository; what is cached is reused.
# Prints `<name>=<path>` lines on stdout, one per program:
#   coredns     CoreDNS from the Go module proxy (the cluster DNS, as K3s packages it)
#   pause       Kubernetes' own pause.c of the pinned release, compiled statically with gcc
#   standin     e2e/node/standin: the stand-in for the fleet's apps (logs numbered lines, counts them)
#   standin.wasm  the same program as a WASI module, for the Wasm app
#   wasm-runc   e2e/node/wasm-runc: runc wrapper for the `wasmedge` handler (a stand-in, not WasmEdge)
#   wasi-run    e2e/node/wasi-run: the wazero runner it mounts into Wasm containers
#   pack-image  e2e/node/pack-image: writes `docker save` tarballs without a registry
#
#   EDGEFLEET_E2E_CACHE   cache root (default: $HOME/.cache/edgefleet-e2e)
set -euo pipefail

COREDNS_VERSION=v1.14.7      # cluster DNS (K3s 1.35 packages CoreDNS 1.12-1.14; v1.14.7 builds with Go 1.26)
KUBERNETES_VERSION=v1.35.4   # the release whose build/pause/linux/pause.c is the pod sandbox's pause (as in build-binaries.sh)

if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "node build: Go is needed to build the node's programs (Go 1.26; see the README)" >&2; exit 1; }
command -v gcc >/dev/null 2>&1 || { echo "node build: gcc is needed to compile Kubernetes' pause.c" >&2; exit 1; }

sources="$(cd "$(dirname "$0")/node" && pwd)"
cache_root=${EDGEFLEET_E2E_CACHE:-$HOME/.cache/edgefleet-e2e}
export CGO_ENABLED=0 GOTOOLCHAIN=local
ldflags='-s -w'

log() { printf 'node build: %s\n' "$*" >&2; }
timed() { local name=$1; shift; local start=$SECONDS; "$@" >&2; log "$name built in $((SECONDS - start)) s"; }

coredns_dir="$cache_root/coredns-$COREDNS_VERSION"
build_coredns() {
  mkdir -p "$coredns_dir"
  GOBIN="$coredns_dir" go install -trimpath -ldflags="$ldflags" "github.com/coredns/coredns@$COREDNS_VERSION"
}

pause_dir="$cache_root/pause-k8s-$KUBERNETES_VERSION"
build_pause() {
  local module tag
  module=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  tag=$(sed -n 's/^TAG ?= *//p' "$module/build/pause/Makefile")
  mkdir -p "$pause_dir"
  # The flags of build/pause/Makefile, without Docker.
  gcc -Os -Wall -Werror -static -DVERSION="v$tag-$KUBERNETES_VERSION" -o "$pause_dir/pause" "$module/build/pause/linux/pause.c"
  echo "$tag" >"$pause_dir/version"
}

# The suite's own programs, cached by the hash of their sources and the Go version.
programs_hash=$( (go version; cd "$sources" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
programs_dir="$cache_root/node-programs-$programs_hash"
build_programs() {
  local work="$programs_dir.tmp"
  rm -rf "$work" && mkdir -p "$work"
  (
    cd "$sources"
    go build -trimpath -ldflags="$ldflags" -o "$work/" ./standin ./wasm-runc ./wasi-run ./pack-image
    GOOS=wasip1 GOARCH=wasm go build -trimpath -ldflags="$ldflags" -o "$work/standin.wasm" ./standin
  )
  mv "$work" "$programs_dir"
}

[ -x "$coredns_dir/coredns" ] || timed "CoreDNS $COREDNS_VERSION" build_coredns
[ -x "$pause_dir/pause" ] || timed "pause" build_pause
[ -d "$programs_dir" ] || timed "the stand-ins, the Wasm stand-in runtime and pack-image" build_programs

echo "coredns=$coredns_dir/coredns"
echo "pause=$pause_dir/pause"
echo "pause-version=$(cat "$pause_dir/version")"
for program in standin standin.wasm wasm-runc wasi-run pack-image; do echo "$program=$programs_dir/$program"; done
