#!/usr/bin/env bash
# Build the PyInstaller folder (make installer) and check it runs: --version and selfcheck.
# Slow (about a minute or two of build): not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
make installer
echo "build: $(( $(date +%s) - start )) s"
exe=dist/dim-revision/dim-revision
[ -x "$exe.exe" ] && exe="$exe.exe"
version=$("$exe" --version)
expected="dim-revision $(.venv/bin/python -c 'import dim_revision; print(dim_revision.__version__)')"
if [ "$version" != "$expected" ]; then
    echo "FALLA --version: «$version», se esperaba «$expected»" >&2
    exit 1
fi
echo "OK     --version: $version"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# Isolated home: the check never touches the real user's config, data or logs.
DIM_REVISION_HOME="$home" QT_QPA_PLATFORM=offscreen "$exe" selfcheck
