#!/usr/bin/env bash
# Runs the Chicory harness: every test vector through host/licverify.wasm on
# Chicory (compiled to JVM bytecode), each response compared byte for byte with
# native Go's. Needs java (17+), mvn and go on PATH; Maven downloads what it
# needs on the first run. Extra arguments go to Maven (e.g. -o, -Dtest=AbiTest).
set -euo pipefail
cd "$(dirname "$0")"

for tool in java mvn go; do
    command -v "$tool" >/dev/null || { echo "run-tests.sh: $tool is not on PATH" >&2; exit 2; }
done

rm -rf target/surefire-reports
status=0
mvn -B -q test "$@" || status=$?

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
