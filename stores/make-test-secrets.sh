#!/usr/bin/env bash
# Writes and encrypts the example fleet's dummy telemetry-credentials Secret for every store of the
# inventory that has an age key and no such file yet, as an operator would for a real store: run in
# the repository, whose .sops.yaml (written by `npm run synth`) picks the store's key and the
# operators'. The values are TEST-ONLY dummies. Needs sops (e2e/build-sops.sh builds it; needs Go).
set -euo pipefail
cd "$(dirname "$0")/.."
sops=${SOPS:-$(bash e2e/build-sops.sh | tail -1)/sops}
[ -f .sops.yaml ] || { echo "no .sops.yaml: run npm run synth first" >&2; exit 1; }

grep -v '^#' stores/inventory.csv | tail -n +2 | while IFS=, read -r id _ _ _ _ _ _ _ _ age_recipient; do
  file="secrets/$id/telemetry-credentials.yaml"
  [ -n "$age_recipient" ] && [ ! -f "$file" ] || continue
  mkdir -p "secrets/$id"
  printf '%s\n' 'apiVersion: v1' 'kind: Secret' 'metadata:' '  name: telemetry-credentials' '  namespace: edgefleet-telemetry' 'type: Opaque' \
    'stringData:' "  username: $id" "  password: TEST-ONLY-not-a-real-password-$id" >"$file"
  "$sops" --encrypt --in-place "$file"
  echo "encrypted $file"
done
