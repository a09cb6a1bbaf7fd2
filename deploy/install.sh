#!/usr/bin/env bash
# Installs gatewarden as a systemd service (docs/operations.md, "Running under systemd").
#
#   sudo deploy/install.sh PACKAGE CONFIG
#
# PACKAGE: a tarball made by `npm pack` (gatewarden-<version>.tgz) or a checkout.
# CONFIG:  the estate's config; copied to /etc/gatewarden/gatewarden.yaml unless one is there.
# Node.js 24 must be on the PATH of systemd (/usr/bin/node or /usr/local/bin/node).
# Running it again upgrades the package and keeps the config and the data.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 PACKAGE CONFIG" >&2
  exit 2
fi
PACKAGE="$1"
CONFIG="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX=/opt/gatewarden

if [ "$(id -u)" -ne 0 ]; then echo "run as root (sudo)" >&2; exit 1; fi
command -v node >/dev/null || { echo "node (24 LTS) is not on PATH" >&2; exit 1; }
command -v systemctl >/dev/null || { echo "systemctl not found: this script is for systemd hosts" >&2; exit 1; }

# A system user with no login and no home of its own; dialout owns the serial ports.
if ! id gatewarden >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/gatewarden --no-create-home --shell /usr/sbin/nologin gatewarden
fi
usermod --append --groups dialout gatewarden

# The package, with its production dependencies (serialport and better-sqlite3 build here if no prebuilt fits).
npm install --global --prefix "$PREFIX" --omit=dev --no-audit --no-fund "$PACKAGE"

# Config: root-owned, readable by the service's group only (it names keys and users).
install -d -o root -g gatewarden -m 0750 /etc/gatewarden
if [ ! -e /etc/gatewarden/gatewarden.yaml ]; then
  install -o root -g gatewarden -m 0640 "$CONFIG" /etc/gatewarden/gatewarden.yaml
else
  echo "kept /etc/gatewarden/gatewarden.yaml (compare with $CONFIG)"
fi
# The data folder (systemd's StateDirectory makes it too, with the same owner and mode).
install -d -o gatewarden -g gatewarden -m 0700 /var/lib/gatewarden

# Check the config as the service user before the service is enabled: every error at once.
runuser -u gatewarden -- "$PREFIX/bin/gatewarden" check-config /etc/gatewarden/gatewarden.yaml

install -o root -g root -m 0644 "$HERE/systemd/gatewarden.service" /etc/systemd/system/gatewarden.service
if [ ! -e /etc/systemd/journald.conf.d/gatewarden.conf ]; then
  install -d -m 0755 /etc/systemd/journald.conf.d
  install -o root -g root -m 0644 "$HERE/systemd/journald-gatewarden.conf" /etc/systemd/journald.conf.d/gatewarden.conf
  systemctl restart systemd-journald
fi
systemctl daemon-reload
systemctl enable gatewarden.service
systemctl restart gatewarden.service
systemctl --no-pager status gatewarden.service || true
echo "logs: journalctl -u gatewarden -f -o cat"
