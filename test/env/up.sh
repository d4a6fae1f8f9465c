#!/usr/bin/env bash
# Brings a machine up to what the integration tests need: npm deps, Debian
# packages, a running dockerd and the locally made base images (no container
# registry is reachable, so images are built from debootstrap + host node).
# Idempotent: when everything is already there it only checks and exits.
#
# Overridable (used to time a cold build without touching the real images):
#   NEXUS_NODE_IMAGE   default node:20-bookworm-slim
#   NEXUS_BASE_IMAGE   default debian:bookworm-slim
#   NEXUS_CACHE_DIR    default /var/cache/nexus-test
set -euo pipefail

NODE_IMAGE="${NEXUS_NODE_IMAGE:-node:20-bookworm-slim}"
BASE_IMAGE="${NEXUS_BASE_IMAGE:-debian:bookworm-slim}"
PG_IMAGE="${NEXUS_PG_IMAGE:-postgres:15-bookworm}"
CACHE_DIR="${NEXUS_CACHE_DIR:-/var/cache/nexus-test}"
ROOTFS="$CACHE_DIR/rootfs-bookworm"
PG_ROOTFS="$CACHE_DIR/rootfs-bookworm-postgres"
LOG_DIR=/var/log/nexus-test
# postgresql-15: host binaries for the throwaway clusters of the state-store tests.
APT_PACKAGES=(docker.io nginx debootstrap git ca-certificates curl postgresql-15)
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { echo "[env] $*"; }
die() { echo "[env] ERROR: $*" >&2; exit 1; }

cd "$(dirname "$0")/../.."
mkdir -p "$LOG_DIR" "$CACHE_DIR"

# --- npm dependencies -------------------------------------------------------
# npm ci writes node_modules/.package-lock.json, so its age tells whether the
# installed tree predates the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Debian packages ----------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt.log" 2>&1 \
    || { tail -n 30 "$LOG_DIR/apt.log" >&2; die "apt-get install failed (log: $LOG_DIR/apt.log)"; }
fi

# --- dockerd --------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $LOG_DIR/dockerd.log)"
  # setsid: dockerd must outlive this script and not get its signals.
  setsid dockerd >"$LOG_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { tail -n 20 "$LOG_DIR/dockerd.log" >&2; die "dockerd did not become ready in 30 s"; }
fi

# --- base images ------------------------------------------------------------------
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror apt is configured with; read at run time so no host name
# is written down here.
mirror_url() {
  local url=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    url=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z "$url" && -f /etc/apt/sources.list ]]; then
    url=$(awk '/^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [[ -n "$url" ]] || die "no Debian mirror found in apt sources"
  echo "$url"
}

# debootstrap into a temp dir and rename, so an interrupted run never leaves a
# half-made rootfs that a later run would trust.
#   debootstrap_rootfs DEST LOG_NAME [debootstrap option...]
debootstrap_rootfs() {
  local dest="$1" log_file="$LOG_DIR/$2" tmp="$1.tmp.$$" mirror
  shift 2
  [[ -f "$dest/.complete" ]] && return
  mirror=$(mirror_url)
  log "debootstrap minbase bookworm $* -> $dest (log: $log_file)"
  rm -rf "$tmp"
  debootstrap --variant=minbase "$@" bookworm "$tmp" "$mirror" >"$log_file" 2>&1 \
    || { tail -n 30 "$log_file" >&2; rm -rf "$tmp"; die "debootstrap failed"; }
  # Package lists and debs are useless in an image and double its size.
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
  touch "$tmp/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
}

ensure_rootfs() {
  debootstrap_rootfs "$ROOTFS" debootstrap.log
}

build_base_image() {
  log "docker import $BASE_IMAGE"
  tar -C "$ROOTFS" --exclude=./.complete -c . \
    | docker import --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
}

build_node_image() {
  local stage="$CACHE_DIR/stage.$$"
  log "docker import $NODE_IMAGE (host node $(node --version))"
  rm -rf "$stage"
  # Hard links make the copy instant; every file added below is new (or
  # removed first), so the cached rootfs is never modified through a link.
  cp -al "$ROOTFS" "$stage"
  rm -f "$stage/.complete" "$stage/usr/bin/node" "$stage/usr/bin/npm" "$stage/usr/bin/npx"
  cp /usr/bin/node "$stage/usr/bin/node"
  mkdir -p "$stage/usr/lib/node_modules" "$stage/etc/ssl/certs"
  rm -rf "$stage/usr/lib/node_modules/npm"
  cp -a /usr/lib/node_modules/npm "$stage/usr/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$stage/usr/bin/npx"
  # Containers reach the npm registry only if they trust the host's CA bundle.
  rm -f "$stage$CA_BUNDLE"
  cp -L "$CA_BUNDLE" "$stage$CA_BUNDLE"
  tar -C "$stage" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_EXTRA_CA_CERTS=$CA_BUNDLE" \
    --change 'CMD ["node"]' \
    - "$NODE_IMAGE" >/dev/null
  rm -rf "$stage"
  local out
  out=$(docker run --rm "$NODE_IMAGE" node -e 'console.log(1)') || die "$NODE_IMAGE does not run node"
  [[ "$out" == 1 ]] || die "$NODE_IMAGE printed '$out' instead of 1"
}

# The platform Postgres image: Debian's postgresql-15 in its own debootstrap
# rootfs, with an entrypoint that behaves like the official image for what
# Nexus uses (initdb with POSTGRES_PASSWORD on an empty data dir, scram auth,
# listen on all container addresses, run as the postgres user).
ensure_pg_rootfs() {
  debootstrap_rootfs "$PG_ROOTFS" debootstrap-postgres.log --include=postgresql-15
}

build_pg_image() {
  local stage="$CACHE_DIR/stage-pg.$$"
  log "docker import $PG_IMAGE"
  rm -rf "$stage"
  cp -al "$PG_ROOTFS" "$stage"
  # The package's own cluster is not used: the entrypoint makes one in the volume.
  rm -rf "$stage/.complete" "$stage"/var/lib/postgresql/15 "$stage"/etc/postgresql/15
  install -m 0755 test/env/postgres-entrypoint.sh "$stage/usr/local/bin/nexus-postgres-entrypoint"
  tar -C "$stage" -c . | docker import \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'EXPOSE 5432' \
    --change 'ENTRYPOINT ["/usr/local/bin/nexus-postgres-entrypoint"]' \
    - "$PG_IMAGE" >/dev/null
  rm -rf "$stage"
  docker run --rm --entrypoint postgres "$PG_IMAGE" --version >/dev/null || die "$PG_IMAGE does not run postgres"
}

if ! have_image "$NODE_IMAGE" || ! have_image "$BASE_IMAGE" || ! have_image "$PG_IMAGE"; then
  # One builder at a time; a concurrent run waits here, then finds the images.
  exec 9>"$CACHE_DIR/build.lock"
  flock 9
  if ! have_image "$NODE_IMAGE" || ! have_image "$BASE_IMAGE"; then
    ensure_rootfs
    have_image "$BASE_IMAGE" || build_base_image
    have_image "$NODE_IMAGE" || build_node_image
  fi
  if ! have_image "$PG_IMAGE"; then
    ensure_pg_rootfs
    build_pg_image
  fi
  flock -u 9
  exec 9>&-
fi

log "ready"
