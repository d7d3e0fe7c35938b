#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run.
# Idempotent: packages already present are not reinstalled, and apt is not
# touched at all when nothing is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-dev
  libssl-dev openssl libcmocka-dev libcbor-dev libcjson-dev
  libsqlite3-dev sqlite3 zip unzip xxd procps lsof
  liblzma-dev
  python3
  dpkg-dev  # dpkg-shlibdeps: the .deb's library dependencies (cpack)
  gcc-arm-none-eabi libnewlib-arm-none-eabi  # the device libraries for a Cortex-M4
  qemu-system-arm  # the Cortex-M4 board (mps2-an386) that runs our firmware
  libsystemd-dev dbus-daemon  # BLE: sd-bus, and a private bus for the simulated BlueZ
  postgresql libpq-dev  # the central audit store; tests start their own server
  bsdiff  # bench/delta's anchor
)

# The mbedTLS port is built from Debian's source package, so apt needs a
# deb-src line for the release this machine runs.
SRC_LIST=/etc/apt/sources.list.d/mcutools-src.sources
need_src=0
if [ ! -f "$SRC_LIST" ]; then
  need_src=1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ] && [ "$need_src" -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
# Several builds may run setup at once; wait for apt's lock instead of failing.
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
if [ "$need_src" -eq 1 ]; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  echo "setup: adding the deb-src line for $codename"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$codename" | $SUDO tee "$SRC_LIST.tmp" >/dev/null
  $SUDO mv "$SRC_LIST.tmp" "$SRC_LIST"
fi
$SUDO "${APT[@]}" update -qq
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}"
fi
