#!/usr/bin/env bash
# Build the PyInstaller folder and the MSI (make msi), then check them: both executables exist,
# the console one answers --version, selfcheck, config and doctor on a small demo database (in
# both sending modes), reads secrets from a pipe; the MSI's tables (scripts/check_msi.py).
# Slow (a minute or two of build): not part of `make test`.
# SMOKE_PYTHON=/path/to/python skips make (and its venv) and builds with that interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "FALLA  $*" >&2; exit 1; }
ok() { echo "OK     $*"; }

start=$(date +%s)
if [ -n "${SMOKE_PYTHON:-}" ]; then
    PY=$SMOKE_PYTHON
    "$PY" -m scripts.build_installer --msi
else
    PY=.venv/bin/python
    make msi
fi
echo "build (carpeta + MSI): $(( $(date +%s) - start )) s"

dir=dist/dim-revision
cli=$dir/dim-revision
gui=$dir/dim-revision-gui
[ -x "$cli.exe" ] && cli="$cli.exe" && gui="$gui.exe"
[ -x "$cli" ] || fail "no está el ejecutable de consola $cli"
[ -x "$gui" ] || fail "no está el ejecutable de la ventana $gui"
ok "ejecutables: $gui (ventana), $cli (consola), $(du -sh "$dir" | cut -f1) en total"

version=$("$cli" --version)
expected="dim-revision $("$PY" -c 'import dim_revision; print(dim_revision.__version__)')"
[ "$version" = "$expected" ] || fail "--version: «$version», se esperaba «$expected»"
ok "--version: $version"

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
# Isolated: the checks never touch the real user's config, data or logs, nor /etc/dim-revision.
export DIM_REVISION_HOME="$home" DIM_REVISION_MACHINE_CONFIG="$home/pc/config.toml"
export QT_QPA_PLATFORM=offscreen

"$cli" selfcheck
ok "selfcheck"
DIM_REVISION_HOME="$home/gui" "$gui" selfcheck >/dev/null  # the windowed one runs it too on Linux
ok "selfcheck (ejecutable de la ventana)"

# A small demo database, and the machine-wide file pointing at it (what the MSI's DB_URL does).
demo="$home/demo.sqlite3"
"$cli" demo --no-gui --db "$demo" --solicitudes 12 --prestaciones 40 >/dev/null
[ -s "$demo" ] || fail "no se creó la base de demostración $demo"
"$cli" config machine --db-url "sqlite:///$demo" --modo estaciones
shown=$("$cli" config show)
grep -qF "# archivo de la PC: $DIM_REVISION_MACHINE_CONFIG (leído)" <<<"$shown" \
    || fail "config show no dice que leyó el archivo de la PC: $shown"
ok "config machine / config show"

# Pipes work in the console executable: the value is read from stdin (this Linux has no keyring,
# so storing it is refused with the Spanish explanation, exit 2, and no traceback).
set +e
out=$(echo "valor-de-prueba" | "$cli" secrets set botmaker-token 2>&1); code=$?
set -e
[ "$code" = 2 ] || fail "secrets set por tubería: código $code: $out"
grep -q "llavero" <<<"$out" && ! grep -q "Traceback" <<<"$out" \
    || fail "secrets set por tubería: «$out»"
ok "secrets set lee la entrada estándar: ${out%%$'\n'*}"

expect_lines() {  # expect_lines OUTPUT LINE...: every LINE is a line prefix in OUTPUT
    local output=$1; shift
    for line in "$@"; do
        grep -qF -- "$line" <<<"$output" || fail "doctor: falta «$line» en:"$'\n'"$output"
    done
}

# Mode "estaciones": this PC sends, so doctor must fail on what a headless CI box lacks (no
# keyring, so no Botmaker token or link key; no WhatsApp line) and pass everything else.
set +e
out=$("$cli" doctor 2>&1); code=$?
set -e
[ "$code" = 1 ] || fail "doctor (estaciones) terminó con $code, se esperaba 1:"$'\n'"$out"
sed 's/^/       | /' <<<"$out"
expect_lines "$out" \
    "[OK] Configuración: $DIM_REVISION_MACHINE_CONFIG se lee bien" \
    "[OK] Base de datos: conectada a sqlite:///$demo" \
    "[OK] Esquema: al día" \
    "[FALLA] Llavero y secretos: no hay un llavero del sistema disponible" \
    "[FALLA] Clave de los links" \
    "[FALLA] Botmaker: falta la línea de WhatsApp" \
    "Hay fallas"
unexpected=$(grep -F "[FALLA]" <<<"$out" | grep -vE "Llavero y secretos|Clave de los links|Botmaker" || true)
[ -z "$unexpected" ] || fail "doctor (estaciones): fallas inesperadas: $unexpected"
ok "doctor (estaciones): sólo fallan llavero, clave de links y Botmaker, como se espera aquí"

# Mode "servicio" (what IT pushes with MODO=servicio): the PC needs no secret at all, so the same
# keyring-less box passes.
"$cli" config machine --modo servicio >/dev/null
set +e
out=$("$cli" doctor 2>&1); code=$?
set -e
[ "$code" = 0 ] || fail "doctor (servicio) terminó con $code, se esperaba 0:"$'\n'"$out"
sed 's/^/       | /' <<<"$out"
expect_lines "$out" \
    "[OK] Llavero y secretos: esta PC no necesita secretos" \
    "[OK] Envíos de WhatsApp: modo servicio" \
    "Todo en orden."
ok "doctor (servicio): todo en orden sin ningún secreto"

msi=$(ls dist/dim-revision-*-x64.msi)
"$PY" -m scripts.check_msi "$msi" --folder "$dir"
ok "MSI: $msi, $(du -h "$msi" | cut -f1)"
