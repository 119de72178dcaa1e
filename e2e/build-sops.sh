#!/usr/bin/env bash
# Builds the pinned sops and age-keygen from the Go module proxy into the end-to-end suite's cache
# root, beside the cluster binaries of build-binaries.sh (which takes 25-40 minutes; this takes about
# 3). What is already in the cache is reused. Prints the folder of the two programs on its last line.
# The end-to-end suite and test/fixtures/secrets/regenerate.sh use them; `npm test` never does.
#
#   EDGEFLEET_E2E_CACHE   cache root (default: $HOME/.cache/edgefleet-e2e)
set -euo pipefail

SOPS_VERSION=v3.13.3   # needs Go 1.25.8 or later
AGE_VERSION=v1.3.1     # the age that sops v3.13.3 itself links

if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "sops build: Go is needed to build sops and age-keygen (Go 1.26; see docs/e2e-suite.md)" >&2; exit 1; }

cache_root=${EDGEFLEET_E2E_CACHE:-$HOME/.cache/edgefleet-e2e}
bin="$cache_root/sops-${SOPS_VERSION}_age-${AGE_VERSION}/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$bin"

build() { # name package@version
  [ -x "$bin/$1" ] && return
  local start=$SECONDS
  go install -trimpath -ldflags='-s -w' "$2" >&2
  printf 'sops build: %s built in %d s\n' "$1" "$((SECONDS - start))" >&2
}

build sops "github.com/getsops/sops/v3/cmd/sops@$SOPS_VERSION"
build age-keygen "filippo.io/age/cmd/age-keygen@$AGE_VERSION"
echo "$bin"
