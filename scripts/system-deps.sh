#!/usr/bin/env bash
# Debian packages the project needs, installed only when missing.
#   scripts/system-deps.sh          what the build needs (chromium prints the PDF; fonts)
#   scripts/system-deps.sh --test   plus what the tests need (poppler-utils, nodejs, npm)
set -euo pipefail

need=()
# Each listing is captured once and matched in the shell: `cmd | grep -q` under pipefail fails
# at random (grep exits on the first match, cmd gets SIGPIPE).
fonts=$(fc-list 2>/dev/null || true)
[[ ${fonts,,} == *"dejavu sans"* ]] || need+=(fonts-dejavu-core)
# Chromium, or the browser named by INFORME_CHROMIUM (informe/construccion/pdf.py).
command -v "${INFORME_CHROMIUM:-chromium}" >/dev/null || need+=(chromium)
if [ "${1:-}" = "--test" ]; then
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  # Accessibility audit (tests/a11y): axe-core and puppeteer-core run on Node.
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "Instalando paquetes de Debian: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "ERROR: faltan paquetes de Debian (${need[*]}) y no hay permisos de root ni sudo." >&2
  echo "Instálelos con: apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
