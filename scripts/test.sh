#!/usr/bin/env bash
# The one test script: install everything the full suite needs on a fresh machine, then run it.
# The README's test command and CI (.ci/run) both run this; arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

# Debian packages: Chromium for the browser tests (driven by Playwright, no 'playwright install').
apt_needed=()
[ -x /usr/bin/chromium ] || apt_needed+=(chromium)
if [ ${#apt_needed[@]} -gt 0 ]; then
    $sudo apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${apt_needed[@]}"
fi

python3 -m venv .venv
pip=(.venv/bin/pip install -q)
# The openai-whisper engine's tests: torch pinned to the CPU build on this machine's disk, openai-whisper
# without its triton dependency (about 1 GB, GPU only).
"${pip[@]}" torch==2.13.0
"${pip[@]}" --no-deps openai-whisper==20250625
"${pip[@]}" tiktoken numba more-itertools tqdm
"${pip[@]}" -e '.[test,dask]'

.venv/bin/ruff check .
# mypy reads an installed copy: the repository root is the package, and its folder is not named video2blog.
typecheck=$(mktemp -d)
trap 'rm -rf "$typecheck"' EXIT
"${pip[@]}" --no-deps --target "$typecheck" .
(cd "$typecheck" && "$OLDPWD/.venv/bin/mypy" --config-file "$OLDPWD/pyproject.toml" -p video2blog)
.venv/bin/python -m pytest -q "$@"
