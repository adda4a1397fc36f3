#!/bin/sh
# What the Dockerfile's runtime stage promises, checked without Docker: the release binary built
# with --static-swift-stdlib needs only shared libraries that debian:bookworm-slim plus
# libcurl4, libncursesw6 and ca-certificates provide, and it starts.
#   make image-check     (builds the release binary first; slow: several minutes)
#   scripts/image-check.sh --swift-dynamic BIN
#                        the same checks on a binary with a dynamic Swift runtime (the debug build
#                        the test suite has): the Swift toolchain's own libraries are left out,
#                        everything else must still come from the runtime image. `make test` runs
#                        this form (EndToEndTests/DeployManifestTests); the static form is the
#                        image's own promise.
set -eu
swift_dynamic=0
if [ "${1:-}" = "--swift-dynamic" ]; then swift_dynamic=1; shift; fi
swiftlibs='libswift|libFoundation|lib_FoundationICU|libdispatch|libBlocksRuntime'
BIN=${1:-.build/release/jobflow-tui}
[ -x "$BIN" ] || { echo "image-check: $BIN not found; run make image-check" >&2; exit 2; }

# The binary's direct dependencies (DT_NEEDED). Their own dependencies are the runtime packages'
# business: apt installs libcurl4's (OpenSSL, nghttp2, zlib, …) and libncursesw6's (libtinfo6).
#   glibc (libc6, in every Debian image): libc, libm, libdl, libpthread, librt, libutil, ld-linux
#   libgcc-s1, libstdc++6 (required packages, in debian:bookworm-slim)
#   libcurl4 -> libcurl.so.4;  libncursesw6 -> libncursesw.so.6, libtinfo.so.6;  zlib1g -> libz.so.1
allowed='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libgcc_s\.so\.1|libstdc\+\+\.so\.6|libcurl\.so\.4|libncursesw\.so\.6|libtinfo\.so\.6|libz\.so\.1)$'
status=0
needed=$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "image-check: $BIN needs: $(echo $needed)"
for lib in $needed; do
    if [ $swift_dynamic -eq 1 ] && echo "$lib" | grep -Eq "^($swiftlibs)"; then continue; fi
    if ! echo "$lib" | grep -Eq "$allowed"; then
        echo "image-check: $lib is not provided by the runtime image (Dockerfile)" >&2
        status=1
    fi
done
# No Swift runtime library may be dynamic (the image has no Swift toolchain).
if [ $swift_dynamic -eq 0 ] && ldd "$BIN" | grep -E "$swiftlibs" >&2; then
    echo "image-check: the Swift runtime is linked dynamically; build with --static-swift-stdlib" >&2
    status=1
fi
if ldd "$BIN" | grep 'not found' >&2; then status=1; fi

# Every library ldd resolves (the whole closure, libcurl's TLS and HTTP/2 libraries included)
# must come from a package that installing the runtime packages pulls in, according to this
# machine's apt metadata (Debian 12, like the runtime image). Skipped without dpkg/apt-cache.
runtime="libcurl4 libncursesw6 ca-certificates libc6 libgcc-s1 libstdc++6 zlib1g"
if command -v dpkg >/dev/null && command -v apt-cache >/dev/null; then
    closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances $runtime 2>/dev/null | grep -v '^ ' | grep -v '^<' | sed 's/:.*//' | sort -u)
    count=0
    for path in $(ldd "$BIN" | grep -Ev "$swiftlibs" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
        real=$(readlink -f "$path")
        owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true)
        package=$(echo "$owner" | head -n1 | sed 's/:.*//')
        count=$((count + 1))
        if [ -z "$package" ] || ! echo "$closure" | grep -qx "$package"; then
            echo "image-check: $path (package '${package:-unknown}') is not installed by: $runtime" >&2
            status=1
        fi
    done
    echo "image-check: all $count resolved libraries belong to the runtime packages' dependency closure"
else
    echo "image-check: dpkg/apt-cache not found; skipped the package check of the resolved libraries"
fi
version=$("$BIN" --version)
expected=$(sed -n 's/.*static let version = "\([0-9.]*\)".*/\1/p' Sources/Kube/Client/UserAgent.swift)
tag=$(sed -n 's/.*image: ghcr.io\/practice\/jobflow-tui:\([0-9.]*\).*/\1/p' deploy/deployment.yaml)
if [ "$version" != "$expected" ] || [ "$tag" != "$expected" ]; then
    echo "image-check: --version says '$version', UserAgent.swift '$expected', deploy/deployment.yaml tag '$tag'" >&2
    status=1
fi
echo "image-check: --version $version; size $(du -h "$BIN" | cut -f1)"
[ $status -eq 0 ] && echo "image-check: ok"
exit $status
