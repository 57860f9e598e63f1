#!/usr/bin/env bash
# Builds .bin/vcsimlite (vCenter simulator for the vSphere provider tests) from Debian's govmomi,
# offline (GO111MODULE=off, GOPATH includes /usr/share/gocode). Idempotent: rebuilds only when
# main.go is newer than the binary. Prints the binary's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/.bin/vcsimlite"
src="$root/tools/vcsimlite/main.go"
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
  gopath="$root/.gopath"
  mkdir -p "$gopath/src/vcsimlite" "$root/.bin"
  cp "$src" "$gopath/src/vcsimlite/main.go"
  # A private build cache so concurrent builds in other checkouts do not contend.
  GO111MODULE=off GOFLAGS= GOPATH="$gopath:/usr/share/gocode" GOCACHE="$gopath/cache" \
    go build -p 1 -o "$bin.tmp" vcsimlite
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
