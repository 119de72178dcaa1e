#!/usr/bin/env bash
# Builds the pinned telemetry programs of the end-to-end suite from the Go module proxy into the
# suite's cache root, beside the cluster binaries of build-binaries.sh. What is already in the cache
# is reused. Prints the folder of the programs on its last line:
#   otelcol-edgefleet   the store's log agent: an OpenTelemetry Collector built with its builder (ocb)
#                       from exactly the components the product's configuration uses
#   vmagent             the store's metrics agent (scrapes, buffers on disk, Prometheus remote write)
#   victoria-logs       the central log receiver (OTLP/HTTP and the Loki push API; Apache-2.0)
#   victoria-metrics    the central metrics receiver (Prometheus remote write; Apache-2.0)
# Grafana Loki is AGPL and is not used. Builds run at low priority (nice), one at a time. On 2 busy
# cores with an empty module cache the collector took 6 min, the other three about 2 min in all.
#
#   EDGEFLEET_E2E_CACHE   cache root (default: $HOME/.cache/edgefleet-e2e)
set -euo pipefail

# Every collector component at one release: the builder, core (v0.165.0 / v1.71.0) and contrib.
OTELCOL_VERSION=v0.165.0
VICTORIALOGS_VERSION=v1.52.2
VICTORIAMETRICS_VERSION=v1.151.0   # victoria-metrics and vmagent; newer releases need Go 1.27

if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "telemetry build: Go is needed to build the telemetry programs (Go 1.26; see the README)" >&2; exit 1; }

# The store's log agent: an OpenTelemetry Collector with exactly the components the product's
# configuration uses (the upstream otel/opentelemetry-collector-k8s image has them all). Not
# basicauthextension: at v0.165.0 it needs contrib's extension/internal/basicauth, which the module
# proxy refuses (403). The folder's name carries a hash of this manifest, so a change rebuilds.
contrib=github.com/open-telemetry/opentelemetry-collector-contrib
core=go.opentelemetry.io/collector
otelcol_manifest="dist:
  name: otelcol-edgefleet
  description: edgefleet store log agent (OpenTelemetry Collector ${OTELCOL_VERSION#v}, built with ocb)
  output_path: ./otelcol
  version: ${OTELCOL_VERSION#v}-edgefleet
receivers:
  - gomod: $contrib/receiver/filelogreceiver $OTELCOL_VERSION
processors:
  - gomod: $contrib/processor/resourceprocessor $OTELCOL_VERSION
exporters:
  - gomod: $core/exporter/otlphttpexporter $OTELCOL_VERSION
extensions:
  - gomod: $contrib/extension/storage/filestorage $OTELCOL_VERSION
"

cache_root=${EDGEFLEET_E2E_CACHE:-$HOME/.cache/edgefleet-e2e}
cache="$cache_root/telemetry-otelcol-${OTELCOL_VERSION}-$(printf %s "$otelcol_manifest" | sha256sum | cut -c1-8)_vl-${VICTORIALOGS_VERSION}_vm-${VICTORIAMETRICS_VERSION}"
bin="$cache/bin"
work="$cache/work"
mkdir -p "$bin" "$work"
export CGO_ENABLED=0 GOTOOLCHAIN=local
ldflags='-s -w'

log() { printf 'telemetry build: %s\n' "$*" >&2; }
timed() { # name command... (the command builds $bin/name)
  [ -x "$bin/$1" ] && return
  local name=$1 start=$SECONDS; shift
  "$@" >&2
  log "$name built in $((SECONDS - start)) s ($(du -h "$bin/$name" | cut -f1))"
}
gobuild() { # name package@version [extra ldflags]: go install at low priority into $bin
  GOBIN="$bin" nice -n 10 go install -trimpath -ldflags="$ldflags ${3:-}" "$2"
}

build_otelcol() {
  GOBIN="$work" nice -n 10 go install "$core/cmd/builder@$OTELCOL_VERSION"
  printf %s "$otelcol_manifest" >"$work/otelcol-manifest.yaml"
  (cd "$work" && nice -n 10 ./builder --config otelcol-manifest.yaml --ldflags="$ldflags")
  cp "$work/otelcol/otelcol-edgefleet" "$bin/otelcol-edgefleet"
}

timed otelcol-edgefleet build_otelcol
vm_version="-X github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version"
timed victoria-logs gobuild victoria-logs "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VICTORIALOGS_VERSION" \
  "$vm_version=victoria-logs-$VICTORIALOGS_VERSION"
timed victoria-metrics gobuild victoria-metrics "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics@$VICTORIAMETRICS_VERSION" \
  "$vm_version=victoria-metrics-$VICTORIAMETRICS_VERSION"
timed vmagent gobuild vmagent "github.com/VictoriaMetrics/VictoriaMetrics/app/vmagent@$VICTORIAMETRICS_VERSION" \
  "$vm_version=vmagent-$VICTORIAMETRICS_VERSION"
echo "$bin"
