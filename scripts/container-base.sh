#!/usr/bin/env bash
# Makes the local base images for the CPU variant of the worker image, on machines that cannot pull from an image
# registry (the CUDA base cannot be pulled here):
#   localhost/llmrec-base        the runtime base: a Debian bookworm minbase root file system (debootstrap from the
#                                Debian mirror apt uses) with this machine's Node 20 (node + npm; Debian ships Node 18
#                                only) and its CA bundle (npm inside a build trusts what npm on the host trusts);
#   localhost/llmrec-build-base  the dependency stage's base, like node:20-bookworm: the runtime base plus python3,
#                                make, g++ and Node's headers, because native modules (better-sqlite3) are compiled
#                                when their prebuilt binaries cannot be downloaded (github.com is not reachable here).
# Idempotent: does nothing for an image that exists (--force rebuilds both).
# Also writes /etc/containers/containers.conf if missing (runc + cgroupfs: crun fails on hybrid cgroups here;
# default ulimits: without them "setrlimit ... not permitted").
set -euo pipefail
IMAGE=${LLMREC_BASE_IMAGE:-localhost/llmrec-base}
BUILD_IMAGE=${LLMREC_BUILD_BASE_IMAGE:-localhost/llmrec-build-base}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

need() { command -v "$1" >/dev/null || { echo "container-base: $1 not found (apt-get install -y podman buildah debootstrap uidmap fuse-overlayfs slirp4netns passt runc)" >&2; exit 2; }; }
need podman; need debootstrap; need node; need npm

if [ ! -f /etc/containers/containers.conf ]; then
  mkdir -p /etc/containers
  cat > /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
  echo "container-base: wrote /etc/containers/containers.conf" >&2
fi

force=${1:-}
if [ "$force" = "--force" ] || ! podman image exists "$IMAGE"; then
  t0=$(date +%s)
  root=$(mktemp -d /var/tmp/llmrec-rootfs.XXXXXX)
  debootstrap --variant=minbase --include=ca-certificates,passwd bookworm "$root" "$MIRROR" >&2
  # Node 20 and npm from this machine, where the official images keep them (/usr/local).
  install -D -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" --numeric-owner -c . | podman import --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' - "$IMAGE" >&2
  rm -rf "$root"
  echo "container-base: $IMAGE built in $(( $(date +%s) - t0 )) s ($(podman image inspect "$IMAGE" --format '{{.Size}}') bytes)" >&2
else
  echo "container-base: $IMAGE exists" >&2
fi

if [ "$force" = "--force" ] || ! podman image exists "$BUILD_IMAGE"; then
  t0=$(date +%s)
  ctx=$(mktemp -d)
  headers=$(dirname "$(dirname "$(command -v node)")")/include/node
  [ -f "$headers/node.h" ] || { echo "container-base: Node headers not found at $headers" >&2; exit 2; }
  cp -a "$headers" "$ctx/node-include"
  cat > "$ctx/Containerfile" <<CONTAINERFILE
FROM $IMAGE
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY node-include /usr/local/include/node
ENV npm_config_nodedir=/usr/local
CONTAINERFILE
  podman build -t "$BUILD_IMAGE" "$ctx" >&2
  rm -rf "$ctx"
  echo "container-base: $BUILD_IMAGE built in $(( $(date +%s) - t0 )) s" >&2
else
  echo "container-base: $BUILD_IMAGE exists" >&2
fi
