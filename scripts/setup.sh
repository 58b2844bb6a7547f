#!/usr/bin/env bash
# Creates .venv and installs the project (idempotent: re-running only installs what changed).
#   scripts/setup.sh           runtime (build the report)
#   scripts/setup.sh --test    plus test tools and their Debian packages
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"

bash scripts/system-deps.sh "${1:-}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=".venv/.installed${extra:+-test}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Instalando el paquete informe${extra} en .venv …"
  # PYTHONWARNINGS: no setuptools banner about editable installs in a normal run.
  # A pip configuration that lists local package folders which do not exist makes pip warn once per
  # package ("Location … is ignored"); those lines say nothing about this install and are dropped.
  quiet_pip() { PYTHONWARNINGS=ignore .venv/bin/python -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
  quiet_pip install -q --disable-pip-version-check --upgrade pip
  quiet_pip install -q --disable-pip-version-check -e ".${extra}"
  touch "$stamp"
fi

# Test-only npm tools of the accessibility audit (axe-core, puppeteer-core), pinned in the lock file.
if [ -n "$extra" ]; then
  a11y=tests/a11y
  if [ ! -d "$a11y/node_modules" ] || [ "$a11y/package-lock.json" -nt "$a11y/node_modules" ]; then
    echo "Instalando las herramientas de accesibilidad (npm ci en $a11y) …"
    npm ci --prefix "$a11y" --no-audit --no-fund --silent
    touch "$a11y/node_modules"
  fi
fi
