# The two commands a newcomer needs: `make demo` and `make test`. Both install missing system
# packages first (apt-get as root; otherwise the exact command is printed and make stops).
SWIFT ?= swift
BIN := .build/debug/jobflow-tui

.PHONY: deps build test demo bench release image-check clean

deps:
	@./scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

demo: build
	@./scripts/demo.sh

release: deps
	$(SWIFT) build -c release

# The binary the Dockerfile ships (Swift runtime linked in), and what its runtime stage must
# provide (scripts/image-check.sh; docs/deploy.md). Slow: a full release build.
image-check: deps
	$(SWIFT) build -c release --static-swift-stdlib --product jobflow-tui
	./scripts/image-check.sh .build/release/jobflow-tui

bench: deps
	$(SWIFT) build -c release --product jobflow-bench
	.build/release/jobflow-bench

clean:
	rm -rf .build
