GO ?= go

.PHONY: help test vectors fuzz check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: check ## run every test (Go, conformance, vectors)
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory js-test

check: ## vet and formatting
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vectors: ## regenerate testvectors/*.json from the deterministic generator
	cd testvectors && $(GO) run ./gen -out .

fuzz: ## run every fuzz target for FUZZTIME (default 60s)
	$(GO) test -run '^$$' -fuzz FuzzTransform -fuzztime $${FUZZTIME:-60s} ./canonical

.PHONY: js-test
js-test: ## the npm package (js/) in Node and Chromium: every vector identical to Go, the demo page
	@test -d js/node_modules || (cd js && npm ci --no-audit --no-fund)
	@start=$$(date +%s); (cd js && npm test --silent); status=$$?; \
	echo "js-test: $$(( $$(date +%s) - start )) s"; exit $$status
