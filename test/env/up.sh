#!/usr/bin/env bash
# Brings a machine up to what the integration tests need: npm deps, Debian
# packages, a running dockerd and the locally made base images (no container
# registry is reachable, so images are built from debootstrap + host node).
# Idempotent: when everything is already there it only checks and exits.
#
# Overridable (used to time a cold build without touching the real images):
#   NEXUS_NODE_IMAGE   default node:20-bookworm-slim
#   NEXUS_BASE_IMAGE   default debian:bookworm-slim
#   NEXUS_PG_IMAGE     default postgres:15-bookworm
#   NEXUS_NGINX_IMAGE  default nginx:stable-bookworm
#   NEXUS_PYTHON_IMAGE default python:3.11-slim-bookworm
#   NEXUS_CACHE_DIR    default /var/cache/nexus-test
set -euo pipefail

NODE_IMAGE="${NEXUS_NODE_IMAGE:-node:20-bookworm-slim}"
BASE_IMAGE="${NEXUS_BASE_IMAGE:-debian:bookworm-slim}"
PG_IMAGE="${NEXUS_PG_IMAGE:-postgres:15-bookworm}"
NGINX_IMAGE="${NEXUS_NGINX_IMAGE:-nginx:stable-bookworm}"
PYTHON_IMAGE="${NEXUS_PYTHON_IMAGE:-python:3.11-slim-bookworm}"
CACHE_DIR="${NEXUS_CACHE_DIR:-/var/cache/nexus-test}"
ROOTFS="$CACHE_DIR/rootfs-bookworm"
PG_ROOTFS="$CACHE_DIR/rootfs-bookworm-postgres"
NGINX_ROOTFS="$CACHE_DIR/rootfs-bookworm-nginx"
PYTHON_ROOTFS="$CACHE_DIR/rootfs-bookworm-python"
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

# Static-site image: Debian's nginx-light, laid out like the official image
# where generated Dockerfiles rely on it (nginx on PATH, /etc/nginx/mime.types,
# /etc/nginx/conf.d/*.conf, /usr/share/nginx/html, logs to stdout/stderr, a
# user "nginx" with uid/gid 101, CMD nginx -g 'daemon off;').
ensure_nginx_rootfs() {
  debootstrap_rootfs "$NGINX_ROOTFS" debootstrap-nginx.log --include=nginx-light
}

# Files of the stage are hard links into the cached rootfs: replace, never
# write through them.
#   append_line STAGE_FILE LINE
append_line() {
  local f="$1" tmp="$1.new.$$"
  { cat "$f"; echo "$2"; } >"$tmp"
  chmod --reference="$f" "$tmp"
  rm -f "$f"
  mv "$tmp" "$f"
}

build_nginx_image() {
  local stage="$CACHE_DIR/stage-nginx.$$"
  log "docker import $NGINX_IMAGE"
  rm -rf "$stage"
  cp -al "$NGINX_ROOTFS" "$stage"
  rm -rf "$stage/.complete" "$stage"/etc/nginx/sites-enabled/* "$stage"/var/www/html \
    "$stage"/usr/share/doc "$stage"/usr/share/man "$stage"/usr/share/locale
  # As in the official image: uid/gid 101 named nginx, and the default config's
  # log files are the container's stdout/stderr.
  grep -q '^nginx:' "$stage/etc/group" || append_line "$stage/etc/group" 'nginx:x:101:'
  grep -q '^nginx:' "$stage/etc/passwd" \
    || append_line "$stage/etc/passwd" 'nginx:x:101:101:nginx user:/nonexistent:/usr/sbin/nologin'
  rm -f "$stage"/var/log/nginx/access.log "$stage"/var/log/nginx/error.log
  ln -s /dev/stdout "$stage/var/log/nginx/access.log"
  ln -s /dev/stderr "$stage/var/log/nginx/error.log"
  mkdir -p "$stage/usr/share/nginx/html" "$stage/etc/nginx/conf.d"
  rm -f "$stage/usr/share/nginx/html/index.html" "$stage/etc/nginx/conf.d/default.conf"
  echo '<!DOCTYPE html><title>nginx</title><p>nginx in a locally made image.</p>' \
    >"$stage/usr/share/nginx/html/index.html"
  cat >"$stage/etc/nginx/conf.d/default.conf" <<'CONF'
server {
    listen 80;
    listen [::]:80;
    server_name localhost;
    location / {
        root /usr/share/nginx/html;
        index index.html index.htm;
    }
}
CONF
  tar -C "$stage" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'EXPOSE 80' \
    --change 'CMD ["nginx", "-g", "daemon off;"]' \
    - "$NGINX_IMAGE" >/dev/null
  rm -rf "$stage"
  # -t: nginx runs and its default config (conf.d/default.conf) is valid.
  docker run --rm "$NGINX_IMAGE" nginx -t -q || die "$NGINX_IMAGE does not run nginx"
}

# Python image: Debian's python3 (3.11) with pip and venv, the host CA bundle,
# `python`/`pip` on PATH like the official image, and pip allowed to install
# into the system site-packages (Debian refuses that by default, PEP 668).
ensure_python_rootfs() {
  debootstrap_rootfs "$PYTHON_ROOTFS" debootstrap-python.log --include=python3,python3-pip,python3-venv
}

build_python_image() {
  local stage="$CACHE_DIR/stage-python.$$"
  log "docker import $PYTHON_IMAGE"
  rm -rf "$stage"
  cp -al "$PYTHON_ROOTFS" "$stage"
  rm -rf "$stage/.complete" "$stage"/usr/share/doc "$stage"/usr/share/man "$stage"/usr/share/locale
  mkdir -p "$stage/usr/local/bin" "$stage/etc/ssl/certs"
  # Debian has no `python` without python-is-python3; python3-pip ships /usr/bin/pip.
  [[ -e "$stage/usr/bin/python" || -e "$stage/usr/local/bin/python" ]] \
    || ln -s /usr/bin/python3 "$stage/usr/local/bin/python"
  [[ -e "$stage/usr/bin/pip" || -e "$stage/usr/local/bin/pip" ]] \
    || ln -s /usr/bin/pip3 "$stage/usr/local/bin/pip"
  rm -f "$stage$CA_BUNDLE"
  cp -L "$CA_BUNDLE" "$stage$CA_BUNDLE"
  tar -C "$stage" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
    --change 'CMD ["python3"]' \
    - "$PYTHON_IMAGE" >/dev/null
  rm -rf "$stage"
  local out
  out=$(docker run --rm "$PYTHON_IMAGE" python -c 'print(1)') || die "$PYTHON_IMAGE does not run python"
  [[ "$out" == 1 ]] || die "$PYTHON_IMAGE printed '$out' instead of 1"
  docker run --rm "$PYTHON_IMAGE" pip --version >/dev/null || die "$PYTHON_IMAGE does not run pip"
}

all_images=("$NODE_IMAGE" "$BASE_IMAGE" "$PG_IMAGE" "$NGINX_IMAGE" "$PYTHON_IMAGE")
missing_images=()
for image in "${all_images[@]}"; do
  have_image "$image" || missing_images+=("$image")
done
if ((${#missing_images[@]})); then
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
  if ! have_image "$NGINX_IMAGE"; then
    ensure_nginx_rootfs
    build_nginx_image
  fi
  if ! have_image "$PYTHON_IMAGE"; then
    ensure_python_rootfs
    build_python_image
  fi
  flock -u 9
  exec 9>&-
fi

log "ready"
