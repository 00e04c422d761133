#!/usr/bin/env bash
# Install the Debian packages DIM Revisión needs (Qt's runtime libraries, venv, ODBC, PostgreSQL
# for the tests, msitools/wixl for the MSI). Usage: debian-deps.sh run|test|installer. Does
# nothing when everything is already there.
set -euo pipefail
RUN_PKGS="python3 python3-venv make libglib2.0-0 libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0
          libfontconfig1 libdbus-1-3 fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
          libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libodbc2"
TEST_PKGS="xvfb xauth postgresql"
INSTALLER_PKGS="msitools wixl"  # msiinfo/msibuild and wixl: build and check the MSI on Linux
case "${1:-run}" in
  run) want="$RUN_PKGS" ;;
  test) want="$RUN_PKGS $TEST_PKGS" ;;
  installer) want="$RUN_PKGS $INSTALLER_PKGS" ;;
  *) echo "usage: $0 run|test|installer" >&2; exit 64 ;;
esac
command -v dpkg-query >/dev/null || exit 0  # not Debian: the developer installs Qt's libraries
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Instalando paquetes de Debian:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Faltan paquetes y no hay permisos de administrador: apt-get install$missing" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
