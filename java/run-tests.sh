#!/usr/bin/env bash
# Builds and tests the JVM library: the module compiled to JVM classes at build
# time, every test vector through it (raw frames and the typed API) compared
# byte for byte with native Go's, the API and epoch-store tests; then installs
# it in the local Maven repository and builds and runs sample/, a program that
# depends on it by its coordinates as a user's would. Needs java (17+), mvn
# and go on PATH (python3 and node too for the cross-language epoch-store
# test; under CI=true their absence fails it); Maven downloads what it needs
# on the first run. Extra arguments go to Maven (e.g. -o, -Dtest=AbiTest).
set -euo pipefail
cd "$(dirname "$0")"

for tool in java mvn go; do
    command -v "$tool" >/dev/null || { echo "run-tests.sh: $tool is not on PATH" >&2; exit 2; }
done

rm -rf target/surefire-reports
status=0
mvn -B -q install "$@" || status=$?
if [ "$status" -eq 0 ]; then
    echo "run-tests.sh: sample/ against the installed artifact"
    mvn -B -q -f sample/pom.xml verify -Dsurefire.failIfNoSpecifiedTests=false "$@" || status=$?
fi

# mvn -q hides Surefire's totals when every test passes: print them from its reports.
if compgen -G 'target/surefire-reports/TEST-*.xml' >/dev/null; then
    awk '
        /<testsuite[ >]/ {
            for (i = 1; i <= NF; i++) {
                if (split($i, kv, "=") == 2) {
                    gsub(/[">]/, "", kv[2])
                    if (kv[1] == "tests") t += kv[2]
                    else if (kv[1] == "failures") f += kv[2]
                    else if (kv[1] == "errors") e += kv[2]
                    else if (kv[1] == "skipped") s += kv[2]
                }
            }
        }
        END { printf "Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", t, f, e, s }
    ' target/surefire-reports/TEST-*.xml
else
    echo "run-tests.sh: no test reports were written" >&2
    [ "$status" -ne 0 ] || status=1
fi
exit "$status"
