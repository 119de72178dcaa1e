#!/usr/bin/env bash
# Builds the pinned upstream programs that the end-to-end suite runs, from the Go module proxy, into a
# cache outside the repository. What is already in the cache is reused, so only the first run on a
# machine pays for the build (25-40 minutes on 2 cores). Prints the cache folder on its last line:
#   bin/       etcd, kube-apiserver, kube-controller-manager, kubectl, source-controller, kustomize-controller,
#              and the real node's kubelet, kube-scheduler and kube-proxy;
#              registry (distribution), oras and cosign, for the stores' signed OCI artifacts
#   crds/      the Flux controllers' CRDs, from their own modules
#   gotk-components.yaml  the two Flux controllers' Deployments and CRDs in flux-system, as `flux install` has them
#
#   EDGEFLEET_E2E_CACHE   cache root (default: $HOME/.cache/edgefleet-e2e)
set -euo pipefail

KUBERNETES_VERSION=v1.35.4   # kube-apiserver, kube-controller-manager, kubectl, and the node's kubelet, kube-scheduler, kube-proxy
ETCD_VERSION=v3.6.5          # the etcd that Kubernetes 1.35 pins
FLUX_SOURCE_VERSION=v1.9.6   # source-controller (v1.10 needs Go 1.27)
FLUX_KUSTOMIZE_VERSION=v1.9.6
# source-controller v1.9.6 requires github.com/fluxcd/pkg/artifact v0.18.3, which the module proxy
# here refuses (403); v0.18.0 is served, builds, and serves Git artifacts the same way.
FLUX_ARTIFACT_VERSION=v0.18.0
DISTRIBUTION_VERSION=v3.1.2  # the OCI registry the stores pull their artifacts from (behind nginx for per-store access)
ORAS_VERSION=v1.3.6          # pushes and tags the artifacts, as the publisher would
COSIGN_VERSION=v2.6.5        # signs them with a key, and verifies them, offline

if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "e2e build: Go is needed to build the upstream binaries of the end-to-end suite (Go 1.26; see docs/e2e-suite.md)" >&2; exit 1; }

cache_root=${EDGEFLEET_E2E_CACHE:-$HOME/.cache/edgefleet-e2e}
cache="$cache_root/k8s-${KUBERNETES_VERSION}_etcd-${ETCD_VERSION}_flux-${FLUX_SOURCE_VERSION}-${FLUX_KUSTOMIZE_VERSION}"
bin="$cache/bin"
work="$cache/work"
mkdir -p "$bin" "$work"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN=local
ldflags='-s -w'

log() { printf 'e2e build: %s\n' "$*" >&2; }
have() { local f; for f in "$@"; do [ -e "$bin/$f" ] || return 1; done; }
timed() { local name=$1; shift; local start=$SECONDS; "$@" >&2; log "$name built in $((SECONDS - start)) s"; }
module_dir() { go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'; }

fresh_module() { # dir module-path
  rm -rf "$1" && mkdir -p "$1" && (cd "$1" && go mod init "$2" >/dev/null 2>&1)
}

build_kubernetes() {
  local dir="$work/kubernetes" gomod staging_version="v0.${KUBERNETES_VERSION#v1.}"
  fresh_module "$dir" edgefleet.e2e/kubernetes
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  (
    cd "$dir"
    go mod edit -require="k8s.io/kubernetes@$KUBERNETES_VERSION"
    # k8s.io/kubernetes replaces each staging module with a folder its module zip lacks: use the
    # published module of the matching version instead (v1.x.y -> v0.x.y).
    sed -n 's#^[[:space:]]*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$gomod" | while read -r module; do
      go mod edit -replace="$module=$module@$staging_version"
    done
    # One build for all of them: they share most packages, so the node's three cost minutes, not a second build.
    local cmds=(kube-apiserver kube-controller-manager kubectl kube-scheduler kube-proxy kubelet)
    go get -tool $(printf "k8s.io/kubernetes/cmd/%s@$KUBERNETES_VERSION " "${cmds[@]}")
    go build -trimpath -ldflags="$ldflags" -o "$bin/" "${cmds[@]/#/k8s.io/kubernetes/cmd/}"
  )
}

build_etcd() {
  local dir="$work/etcd"
  fresh_module "$dir" edgefleet.e2e/etcd
  # go.etcd.io/etcd/server/v3 holds etcd's entry point; etcd's main module is not published.
  printf '%s\n' 'package main' '' 'import (' '	"os"' '' '	"go.etcd.io/etcd/server/v3/etcdmain"' ')' '' 'func main() { etcdmain.Main(os.Args) }' >"$dir/main.go"
  (cd "$dir" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" && go mod tidy && go build -trimpath -ldflags="$ldflags" -o "$bin/etcd" .)
}

# `go install` refuses modules with replace directives, so build from a copy of the module source
# without its `./api` replace (the api module is published on its own).
build_flux_controller() { # name version
  local name=$1 version=$2 dir="$work/$1"
  rm -rf "$dir" && cp -r "$(module_dir "github.com/fluxcd/$name@$version")" "$dir" && chmod -R u+w "$dir"
  (
    cd "$dir"
    go mod edit -dropreplace="github.com/fluxcd/$name/api"
    if grep -q 'github.com/fluxcd/pkg/artifact ' go.mod; then
      go mod edit -replace="github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@$FLUX_ARTIFACT_VERSION"
    fi
    # No `go mod tidy`: it resolves test-only modules too, some of which the proxy refuses (403).
    go build -trimpath -ldflags="$ldflags" -o "$bin/$name" .
  )
}

# A command of a published module, built in a module of its own (`go install` would refuse a module
# with replace directives; this resolves its requirements the same way, without them).
build_tool() { # name module-path version
  local name=$1 module=$2 version=$3 dir="$work/$1"
  fresh_module "$dir" "edgefleet.e2e/$name"
  (cd "$dir" && go get -tool "$module@$version" && go build -trimpath -ldflags="$ldflags" -o "$bin/$name" "$module")
}

# The CRDs and Deployments of both controllers in flux-system, built with kubectl kustomize from the
# controllers' own config/ folders, as `flux install` would lay them out.
write_flux_manifests() {
  local dir="$work/flux-manifests" name version
  rm -rf "$dir" "$cache/crds" && mkdir -p "$dir" "$cache/crds"
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: flux-system\nresources:\n- namespace.yaml\n' >"$dir/kustomization.yaml"
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n' >"$dir/namespace.yaml"
  for name in source-controller kustomize-controller; do
    version=$FLUX_SOURCE_VERSION; [ "$name" = kustomize-controller ] && version=$FLUX_KUSTOMIZE_VERSION
    cp -r "$(module_dir "github.com/fluxcd/$name@$version")/config" "$dir/$name" && chmod -R u+w "$dir/$name"
    cp "$dir/$name"/crd/bases/*.yaml "$cache/crds/"
    printf -- '- %s/crd\n- %s/manager\n' "$name" "$name" >>"$dir/kustomization.yaml"
  done
  "$bin/kubectl" kustomize "$dir" >"$cache/gotk-components.yaml"
}

have etcd || timed etcd build_etcd
have kube-apiserver kube-controller-manager kubectl kube-scheduler kube-proxy kubelet || timed "kube-apiserver, kube-controller-manager, kubectl, kube-scheduler, kube-proxy and kubelet" build_kubernetes
have source-controller || timed source-controller build_flux_controller source-controller "$FLUX_SOURCE_VERSION"
have kustomize-controller || timed kustomize-controller build_flux_controller kustomize-controller "$FLUX_KUSTOMIZE_VERSION"
have registry || timed registry build_tool registry github.com/distribution/distribution/v3/cmd/registry "$DISTRIBUTION_VERSION"
have oras || timed oras build_tool oras oras.land/oras/cmd/oras "$ORAS_VERSION"
have cosign || timed cosign build_tool cosign github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_VERSION"
[ -s "$cache/gotk-components.yaml" ] || write_flux_manifests
echo "$cache"
