#!/usr/bin/env bash
# Builds the two independent linters that `npm run lint:tree` (and .ci/run) run over the synthesized
# tree, kube-score and kubeconform, from the Go module proxy, and the JSON Schemas kubeconform checks
# against, none of which come from edgefleet itself:
#
#   e2e/build-linters.sh
#       kube-score and kubeconform into <cache>/linters-<versions>/bin/, and the strict standalone
#       JSON Schemas of Kubernetes $K8S_VERSION into <cache>/linters-<versions>/schemas/, converted
#       from api/openapi-spec/swagger.json of the k8s.io/kubernetes module of that version (fetched
#       through the Go module proxy) by e2e/linters/k8s-openapi2jsonschema.py. Prints that folder.
#   e2e/build-linters.sh --crd-schemas DIR
#       converts every CustomResourceDefinition in DIR (../shared/crds in CI) with kubeconform's own
#       scripts/openapi2jsonschema.py (from the kubeconform module, strict: additionalProperties false
#       at every level, the root included) into <cache>/linters-<versions>/crd-schemas-<hash>/, one
#       folder per content of DIR. Prints that folder.
#
# What is already in the cache is reused; nothing here needs the network once it is built. The
# converters need python3 with PyYAML (Debian: apt-get install python3-yaml).
#
#   EDGEFLEET_E2E_CACHE   cache root (default: $HOME/.cache/edgefleet-e2e)
set -euo pipefail

KUBE_SCORE_VERSION=v1.20.0
KUBECONFORM_VERSION=v0.8.0   # its go.mod asks for Go 1.26
K8S_VERSION=v1.35.4          # the Kubernetes of the stores (K3s v1.35); schemas from its swagger.json

here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "linters build: Go is needed to build kube-score and kubeconform (Go 1.26; see docs/validate.md)" >&2; exit 1; }

cache_root=${EDGEFLEET_E2E_CACHE:-$HOME/.cache/edgefleet-e2e}
dir="$cache_root/linters-kube-score-${KUBE_SCORE_VERSION}_kubeconform-${KUBECONFORM_VERSION}_k8s-${K8S_VERSION}"
export CGO_ENABLED=0 GOTOOLCHAIN=local

python_with_yaml() {
  local py
  for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' 2>/dev/null; then echo "$py"; return; fi
  done
  echo "linters build: the schema converters need python3 with PyYAML (Debian: apt-get install python3-yaml)" >&2
  exit 1
}

# The source of a module version, from the Go module proxy (through the module cache).
module_dir() { # module@version
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
}

if [ "${1:-}" = "--crd-schemas" ]; then
  crds="${2:?linters build: --crd-schemas needs the folder of the CRDs}"
  [ -d "$crds" ] || { echo "linters build: $crds is not a folder" >&2; exit 1; }
  mapfile -t files < <(find "$crds" -type f \( -name '*.yaml' -o -name '*.yml' \) | LC_ALL=C sort)
  [ "${#files[@]}" -gt 0 ] || { echo "linters build: no CRD files in $crds" >&2; exit 1; }
  hash="$(cat "${files[@]}" | sha256sum | cut -c1-16)"
  out="$dir/crd-schemas-$hash"
  if [ ! -f "$out/.complete" ]; then
    py="$(python_with_yaml)"
    converter="$(module_dir "github.com/yannh/kubeconform@$KUBECONFORM_VERSION")/scripts/openapi2jsonschema.py"
    rm -rf "$out" && mkdir -p "$out"
    # The converter writes into the current folder; a file name that says group, kind and version
    # (kubeconform: -schema-location '<out>/{{.Group}}_{{.ResourceKind}}_{{.ResourceAPIVersion}}.json').
    for f in "${files[@]}"; do abs+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
    (cd "$out" && DENY_ROOT_ADDITIONAL_PROPERTIES=1 FILENAME_FORMAT='{fullgroup}_{kind}_{version}' "$py" "$converter" "${abs[@]}" >/dev/null)
    printf '%s\n' "${files[@]}" >"$out/.sources"
    touch "$out/.complete"
    printf 'linters build: %d CRD schemas from %d files in %s\n' "$(find "$out" -name '*.json' | wc -l)" "${#files[@]}" "$crds" >&2
  fi
  echo "$out"
  exit 0
fi

mkdir -p "$dir/bin"
build() { # name package version
  [ -x "$dir/bin/$1" ] && return
  local start=$SECONDS
  # -X main.version: what `version` prints (both set it at release time the same way).
  GOBIN="$dir/bin" nice -n 10 go install -trimpath -ldflags="-s -w -X main.version=${3#v}" "$2@$3" >&2
  printf 'linters build: %s built in %d s\n' "$1" "$((SECONDS - start))" >&2
}
build kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"
build kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"

# kubeconform's layout: <version>-standalone-strict/<kind>-<group>-<version>.json, as in its default
# registry, so that -schema-location keeps its usual template.
schemas="$dir/schemas/${K8S_VERSION}-standalone-strict"
if [ ! -f "$schemas/.complete" ]; then
  start=$SECONDS
  py="$(python_with_yaml)"
  swagger="$(module_dir "k8s.io/kubernetes@$K8S_VERSION")/api/openapi-spec/swagger.json"
  rm -rf "$schemas"
  "$py" "$here/linters/k8s-openapi2jsonschema.py" "$swagger" "$schemas" >&2
  sha256sum "$swagger" | sed "s|  .*|  k8s.io/kubernetes@$K8S_VERSION/api/openapi-spec/swagger.json|" >"$schemas/.source"
  touch "$schemas/.complete"
  printf 'linters build: Kubernetes %s schemas in %d s\n' "$K8S_VERSION" "$((SECONDS - start))" >&2
fi
echo "$dir"
