#!/usr/bin/env bash
# Tests of the Python binding, for `make test`: makes (or reuses) the virtual
# environment python/.venv with the pinned packages of requirements-dev.txt,
# then runs mypy --strict and pytest. Exits non-zero on any failure.
#
#   python/run-tests.sh [pytest arguments...]
#   python/run-tests.sh --setup    # only make the venv (what .ci/run does first)
#
# PYTHON chooses the interpreter that makes the venv (default: python3,
# which must be 3.10 or later). The compiled module is cached in the user
# cache directory (LICVERIFY_CACHE_DIR overrides it): the first run on a
# machine compiles it, which takes Cranelift 10-20 s here.
set -euo pipefail

cd "$(dirname "$0")"
started=$(date +%s)
venv=.venv
python=${PYTHON:-python3}

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
	echo "run-tests.sh: $python is $("$python" --version 2>&1); licverify needs Python 3.10 or later" >&2
	exit 1
}

# The venv is made again when the requirements or the interpreter change.
stamp="$venv/.requirements"
want="$(cat requirements-dev.txt; "$python" -c 'import sys; print(sys.version)')"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	rm -rf "$venv"
	"$python" -m venv "$venv"
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	printf '%s' "$want" > "$stamp"
fi

# wasmtime's wheel, kept for the test that installs the built wheel into a
# fresh venv offline.
wasmtime_version=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("wasmtime"))')
if ! ls "$venv/wheelhouse/wasmtime-$wasmtime_version-"*.whl >/dev/null 2>&1; then
	"$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		"wasmtime==$wasmtime_version" -d "$venv/wheelhouse"
fi

if [ "${1:-}" = "--setup" ]; then
	echo "python venv ready: $venv ($("$venv/bin/python" --version))"
	exit 0
fi

echo "mypy --strict (src, tests, bench.py)"
"$venv/bin/python" -m mypy --strict

echo "pytest"
status=0
"$venv/bin/python" -m pytest -q "$@" || status=$?
echo "python-test: $(( $(date +%s) - started )) s"
exit $status
