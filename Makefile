GO ?= go

.PHONY: help test vectors issuers fuzz check wasm wasm-check demo bench testissuer

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# go test -v, less the per-test noise: what stays is each package's ok/FAIL,
# skips, and the summary lines the tests print (conformance counts, vector
# counts). A failing run prints its test logs too.
GOTEST_QUIET = grep -Ev '^(=== |[[:space:]]*--- PASS|[[:space:]]+--- SKIP|PASS$$|[[:space:]]+[^[:space:]]+\.go:[0-9]+: )'
GOTEST_FAILED = grep -Ev '^(=== |[[:space:]]*--- PASS|PASS$$)'

test: check wasm-check ## run every test (Go, conformance, vectors in Go/wazero, Node, Chromium, Python/wasmtime, JVM/Chicory, Rust/wasmtime)
	@echo "$(GO) test -count=1 -v ./..."
	@out=$$($(GO) test -count=1 -v ./... 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "$$out" | $(GOTEST_QUIET); else echo "$$out" | $(GOTEST_FAILED); exit $$rc; fi
	@# verify's whole suite and the vectors natively through the wasm
	@# build's Ed25519 (internal/ed25519wasm), conformance data included.
	@out=$$($(GO) test -count=1 -tags licverify_ed25519wasm ./verify/ ./testvectors/ 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "$$out" | grep -E '^(ok|FAIL)' | sed 's/^/ed25519wasm: /'; else echo "$$out"; exit $$rc; fi
	@# The wazero runner and the stress test (which starts in the
	@# interpreter and is handed over to the compiled module mid-run) again
	@# under the race detector; their summary lines are printed even though
	@# the tests pass.
	@out=$$($(GO) test -race -count=1 -run '^(TestVectors|TestStress)$$' -v ./host 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "$$out" | $(GOTEST_QUIET); else echo "$$out" | $(GOTEST_FAILED); exit $$rc; fi
	$(MAKE) --no-print-directory oldest-go-test
	$(MAKE) --no-print-directory js-test
	$(MAKE) --no-print-directory python-test
	$(MAKE) --no-print-directory java-test
	$(MAKE) --no-print-directory rust-test

check: ## vet and formatting
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vectors: ## regenerate testvectors/*.json from the deterministic generator
	cd testvectors && $(GO) run ./gen -out .

# The issuers' own files, which the generator turns into issuers.json:
# quantummeta-license's .qkey licenses (in python/.venv, where
# requirements-dev.txt pins it) and what each recipe of docs/issuers.md
# writes. Every run writes the same bytes.
ISSUERS = testvectors/issuers
issuers: ## write testvectors/issuers again with quantummeta-license and each recipe (then make vectors)
	python/run-tests.sh --setup
	python/.venv/bin/python $(ISSUERS)/quantummeta/issue.py $(ISSUERS)/quantummeta
	python/.venv/bin/python $(ISSUERS)/recipes/python.py $(ISSUERS)/recipes/out/python.json
	node $(ISSUERS)/recipes/node.mjs $(ISSUERS)/recipes/out/node.json
	$(GO) run ./$(ISSUERS)/recipes/go $(ISSUERS)/recipes/out/go.json
	java -Dfile.encoding=UTF-8 $(ISSUERS)/recipes/java/SignStatusProof.java $(ISSUERS)/recipes/out/java.json
	php $(ISSUERS)/recipes/php/sign.php $(ISSUERS)/recipes/out/php.json

FUZZ_TARGETS = canonical:FuzzTransform canonical:FuzzPythonForm canonical:FuzzNumber canonical:FuzzDuplicates verify:FuzzParseKeyring verify:FuzzStatusProof \
	verify:FuzzRevocationSet verify:FuzzLifecycle verify:FuzzLicense verify:FuzzQKey verify:FuzzSplitObject wasm:FuzzCall \
	verify:FuzzIDTable internal/jsontext:FuzzUnescape internal/jsontext:FuzzAppendString internal/jsontext:FuzzReaders internal/ed25519wasm:FuzzFieldOps internal/ed25519wasm:FuzzVerify \
	internal/ed25519wasm:FuzzReduceDigest internal/ed25519wasm:FuzzCheckPublicKey \
	internal/msg:FuzzSprintf internal/timefmt:FuzzRFC3339

# Go 1.26's fuzz coordinator can end a clean run with "context deadline
# exceeded" when -fuzztime expires while a worker is mid-call
# (go.dev/issue/75804, fixed in Go 1.27). A run fails here only when it
# wrote a failing input to testdata/fuzz, or failed some other way.
fuzz: ## run every fuzz target for FUZZTIME each (default 60s)
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; corpus=$$pkg/testdata/fuzz/$$name; \
		before=$$(ls $$corpus 2>/dev/null | wc -l); \
		echo "$(GO) test -run '^$$' -fuzz '^$$name$$' -fuzztime $${FUZZTIME:-60s} ./$$pkg"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $${FUZZTIME:-60s} ./$$pkg 2>&1); rc=$$?; \
		echo "$$out" | grep '^fuzz: elapsed' | tail -1; echo "$$out" | grep -v '^fuzz: elapsed'; \
		if [ $$rc -ne 0 ]; then \
			after=$$(ls $$corpus 2>/dev/null | wc -l); \
			if [ "$$after" = "$$before" ] && echo "$$out" | grep -q '^    context deadline exceeded$$'; then \
				echo "$$name: no failing input; the deadline race of go.dev/issue/75804, not a finding"; \
			else exit 1; fi; \
		fi; \
	done

# The module is built reproducibly: same Go version and sources, same bytes.
WASM_ENV = GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 GOWASM= GOFLAGS=
WASM_BUILD = $(GO) build -buildmode=c-shared -trimpath -buildvcs=false -ldflags='-s -w -buildid='

wasm: ## build host/licverify.wasm reproducibly, copy it into js/, python/ and rust/; print its size and sha256
	$(WASM_ENV) $(WASM_BUILD) -o host/licverify.wasm ./wasm
	cp host/licverify.wasm js/licverify.wasm
	cp host/licverify.wasm python/src/licverify/licverify.wasm
	cp internal/api/ops.json python/src/licverify/ops.json
	cp host/licverify.wasm rust/licverify.wasm
	cp internal/api/ops.json rust/ops.json
	@echo "host/licverify.wasm: $$(wc -c < host/licverify.wasm) bytes, $$(gzip -9c host/licverify.wasm | wc -c) gzip, built with $$($(GO) env GOVERSION)"
	@echo "sha256 $$( (sha256sum host/licverify.wasm 2>/dev/null || shasum -a 256 host/licverify.wasm) | cut -d' ' -f1)"

wasm-check: ## fail if the committed host/licverify.wasm differs from a fresh build
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(WASM_ENV) $(WASM_BUILD) -o "$$tmp/licverify.wasm" ./wasm && \
	if cmp -s "$$tmp/licverify.wasm" host/licverify.wasm; then \
		echo "host/licverify.wasm is up to date"; \
	else \
		echo "host/licverify.wasm differs from a fresh build with $$($(GO) env GOVERSION); run make wasm"; exit 1; \
	fi

.PHONY: js-test
js-test: ## the npm package (js/) in Node and Chromium: every vector identical to Go, the demo page
	@test -d js/node_modules || (cd js && npm ci --no-audit --no-fund)
	@start=$$(date +%s); (cd js && npm test --silent); status=$$?; \
	echo "js-test: $$(( $$(date +%s) - start )) s"; exit $$status

# The oldest Go the module supports is go.mod's go line (wazero needs
# 1.25); the toolchain line pins the Go that builds the committed .wasm.
# vet's stdversion check refuses any newer API, and the packages without
# wazero are tested with that toolchain too (the module proxy serves it).
OLDEST_GO = go1.25.14
.PHONY: oldest-go-test
oldest-go-test: ## vet everything and test the pure packages with the oldest supported Go ($(OLDEST_GO))
	GOTOOLCHAIN=$(OLDEST_GO) $(GO) vet ./...
	@out=$$(GOTOOLCHAIN=$(OLDEST_GO) $(GO) test -count=1 ./canonical ./verify ./internal/... ./testvectors ./epochstore 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "$$out" | grep -E '^(ok|FAIL)' | sed 's/^/$(OLDEST_GO): /'; else echo "$$out"; exit $$rc; fi

.PHONY: python-test java-test rust-test
python-test: ## the Python package (python/) over wasmtime: mypy --strict, every vector identical to Go
	python/run-tests.sh

java-test: ## the JVM library (java/), the module compiled to JVM classes at build time: every vector identical to Go, raw and typed; sample/ on the installed jar
	java/run-tests.sh

rust-test: ## the Rust crate (rust/) over wasmtime: every vector identical to Go, typed API, threads, the compilation cache
	rust/run-tests.sh

demo: ## build the CLI, then verify the bundled samples (examples/demo) through it
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -o "$$tmp/licverify" ./cmd/licverify && cd examples/demo && \
	run() { echo "\$$ licverify $$*"; "$$tmp/licverify" "$$@"; }; \
	run proof --keys keyring.json --now 2026-03-01T12:00:00Z --license-id LIC-DEMO-0001 proof.json && \
	run revocation --keys keyring.json --now 2026-03-01T12:00:00Z --lookup LIC-DEMO-0001 revocation-set.json && \
	run license --keys keyring.json --now 2026-03-01T12:00:00Z --product calcpro --write-state "$$tmp/license.state.json" license.key && \
	echo "# a proof whose valid_until was changed after signing:" && \
	{ run proof --keys keyring.json --now 2026-03-01T12:00:00Z proof-tampered.json; test $$? -eq 1; }

testissuer: ## build the lifecycle tests' issuer (testvectors/lifecycle/README.md) and print its path
	@$(GO) build -o bin/testissuer ./internal/testissuer/cmd/testissuer && echo "$(CURDIR)/bin/testissuer"

bench: ## speed, size, start-up and scale in every runtime; writes bench/results.md and bench/chart.png
	@test -d bench/node_modules || (cd bench && npm ci --no-audit --no-fund)
	cd bench && node --expose-gc run.mjs
