#!/usr/bin/env bash
# Installs the Debian packages that the end-to-end suite's real node needs, when any is missing, as
# CI does on a fresh machine (Debian 12, as root). The versions are Debian bookworm's; the suite was
# measured with those below, and says so when it finds others. Nothing else is installed, and no
# service is started: the suite starts containerd itself, inside the node's network namespace, and
# nginx itself, in front of the OCI registry, with its own configuration.
set -euo pipefail

# package      command it provides    version the suite was measured with (bookworm)
PACKAGES=(
  "containerd                   containerd  1.6.20"  # the node's container runtime, and ctr for image imports
  "runc                         runc        1.1.5"   # the OCI runtime under containerd (and under the Wasm stand-in)
  "containernetworking-plugins  /usr/lib/cni/bridge 1.1.1"  # CNI bridge, host-local, loopback, portmap
  "iptables                     iptables    1.8.9"   # kube-proxy (iptables mode) and kubelet's own chains
  "conntrack                    conntrack   1.4.7"   # kube-proxy clears UDP conntrack entries with it
  "iproute2                     ip          6.1.0"   # network namespace, veth, routes
  "util-linux                   nsenter     2.38"    # nsenter and unshare, to start the node's processes in its namespaces
  "busybox-static               /bin/busybox 1.35.0" # the shell of the VM restarter's image (with the suite's kubectl)
  "nginx-light                  /usr/sbin/nginx 1.22.1" # the registry's per-store access proxy (the suite runs its own, with its own config; the package's service is never started)
)

missing=()
for line in "${PACKAGES[@]}"; do
  read -r package command _ <<<"$line"
  if [[ $command == /* ]]; then [ -e "$command" ] || missing+=("$package"); else command -v "$command" >/dev/null 2>&1 || missing+=("$package"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "node packages: all installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "node packages: ${missing[*]} missing; the suite's node needs them installed as root (apt-get install ${missing[*]})" >&2
  exit 1
fi

start=$SECONDS
# policy-rc.d 101 keeps the packages' maintainer scripts from starting containerd on the host.
policy=/usr/sbin/policy-rc.d
had_policy=false; [ -e "$policy" ] && had_policy=true
$had_policy || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; trap 'rm -f "$policy"' EXIT; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx-light's maintainer scripts enable its service (port 80 on every address) for the next boot;
# the suite runs its own nginx, on 127.0.0.1, so the package's service stays disabled.
if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
  update-rc.d nginx disable >/dev/null 2>&1 || true
  systemctl disable --quiet nginx.service >/dev/null 2>&1 || true
fi
echo "node packages: installed ${missing[*]} in $((SECONDS - start)) s"

for line in "${PACKAGES[@]}"; do
  read -r package _ measured <<<"$line"
  installed=$(dpkg-query -W -f='${Version}' "$package")
  [[ $installed == "$measured"* || $installed == *":$measured"* ]] || echo "node packages: $package $installed, the suite was measured with $measured" >&2
done
