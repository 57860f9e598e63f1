#!/usr/bin/env bash
# Installs everything the project needs on Debian 12 (as root): system tools, npm packages, the build.
# Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages used by the build pipeline, boot tests and the test suite's real clients.
APT_PACKAGES=(
  qemu-utils qemu-system-x86 qemu-system-common ovmf
  mmdebstrap fdisk e2fsprogs dosfstools mtools
  grub-pc-bin grub-efi-amd64-bin grub2-common
  zstd pigz openssl curl ca-certificates
  umoci skopeo xz-utils bzip2
  python3-oauthlib python3-requests-oauthlib python3-requests
  httpie
  docker-registry apache2-utils glance-api python3-glanceclient keystone python3-openstackclient
  dnf rpm createrepo-c busybox-static
  python3-openstacksdk ansible ruby-fog-openstack
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-daemon-system
  golang-go golang-github-vmware-govmomi-dev
  chromium
  postgresql-15
  tmux
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages (run as root to install them): ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages (package-lock.json pins them); skip when node_modules matches the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# Compile TypeScript when a source is newer than the build.
if [ ! -f dist/.built ] || [ -n "$(find src tsconfig.json -newer dist/.built -print -quit)" ]; then
  npx tsc -p tsconfig.json
  touch dist/.built
fi

# vcsimlite: VMware's vCenter simulator from Debian's govmomi, for the vSphere provider tests
# (offline build, rebuilt only when tools/vcsimlite/main.go changes).
if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/github.com/vmware/govmomi ]; then
  tools/vcsimlite/build.sh >/dev/null
fi
