#!/usr/bin/env bash
# Refresh requirements.lock: resolve pyproject's ranges afresh in a throw-away venv and pin what it installed.
# Run the tests on the new lock before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q -e '.[dev]'
{ echo "# Pinned toolchain the tests passed with; refresh: bash scripts/refresh_lock.sh"
  "$tmp/venv/bin/pip" freeze --exclude-editable | sort -f; } > requirements.lock
rm -rf "$tmp"
echo "wrote requirements.lock ($(grep -c '==' requirements.lock) packages)"
