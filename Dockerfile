# The in-cluster operator image: ghcr.io/practice/jobflow-tui:0.1.0
#   docker build -t ghcr.io/practice/jobflow-tui:0.1.0 .
# The Swift runtime is linked statically (--static-swift-stdlib), so the runtime stage needs only
# the C libraries the binary links: libcurl (the API client), ncursesw (the terminal UI) and CA
# certificates. `make image-check` verifies that set on a local release build (docs/deploy.md).

# The toolchain the project is built and tested with (6.3). Override with --build-arg.
ARG SWIFT_IMAGE=swift:6.3-bookworm

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev libncurses-dev libyaml-dev pkg-config binutils \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that source edits do not refetch them. (Package.resolved is not
# committed in this repository, so versions follow Package.swift's ranges.)
COPY Package.swift ./
RUN swift package resolve
# SwiftPM checks that every declared target's directory exists, tests included.
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product jobflow-tui \
 && install -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/jobflow-tui" /jobflow-tui \
 && strip /jobflow-tui \
 && /jobflow-tui --version

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libncursesw6 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 jobflow \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin jobflow
COPY --from=build /jobflow-tui /usr/local/bin/jobflow-tui
# Numeric, so that Kubernetes can check runAsNonRoot; the Deployment runs as the same UID.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/jobflow-tui"]
CMD ["operator", "--headless"]
