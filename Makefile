GO ?= go

.PHONY: help test vectors fuzz check wasm wasm-check demo

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: check wasm-check ## run every test (Go, conformance, vectors)
	$(GO) test -count=1 ./...
	@# The wazero runner and the stress test again under the race detector;
	@# their summary lines are printed even though the tests pass.
	@out=$$($(GO) test -race -count=1 -run '^(TestVectors|TestStress)$$' -v ./host 2>&1); rc=$$?; \
	echo "$$out" | grep -E '^(wazero vs native|stress:|ok|FAIL)'; \
	if [ $$rc -ne 0 ]; then echo "$$out" | grep -v '^=== RUN' | tail -40; exit $$rc; fi
	$(MAKE) --no-print-directory js-test

check: ## vet and formatting
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vectors: ## regenerate testvectors/*.json from the deterministic generator
	cd testvectors && $(GO) run ./gen -out .

fuzz: ## run every fuzz target for FUZZTIME (default 60s)
	$(GO) test -run '^$$' -fuzz FuzzTransform -fuzztime $${FUZZTIME:-60s} ./canonical
	$(GO) test -run '^$$' -fuzz FuzzCall -fuzztime $${FUZZTIME:-60s} ./wasm

# The module is built reproducibly: same Go version and sources, same bytes.
WASM_ENV = GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 GOWASM= GOFLAGS=
WASM_BUILD = $(GO) build -buildmode=c-shared -trimpath -buildvcs=false -ldflags='-s -w -buildid='

wasm: ## build host/licverify.wasm reproducibly; print its size and sha256
	$(WASM_ENV) $(WASM_BUILD) -o host/licverify.wasm ./wasm
	cp host/licverify.wasm js/licverify.wasm
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

demo: ## build the CLI, then verify the bundled samples (examples/demo) through it
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) build -o "$$tmp/licverify" ./cmd/licverify && cd examples/demo && \
	run() { echo "\$$ licverify $$*"; "$$tmp/licverify" "$$@"; }; \
	run proof --keys keyring.json --now 2026-03-01T12:00:00Z --license-id LIC-DEMO-0001 proof.json && \
	run revocation --keys keyring.json --now 2026-03-01T12:00:00Z --lookup LIC-DEMO-0001 revocation-set.json && \
	run license --keys keyring.json --now 2026-03-01T12:00:00Z --product calcpro --write-state "$$tmp/license.state.json" license.key && \
	echo "# a proof whose valid_until was changed after signing:" && \
	{ run proof --keys keyring.json --now 2026-03-01T12:00:00Z proof-tampered.json; test $$? -eq 1; }
