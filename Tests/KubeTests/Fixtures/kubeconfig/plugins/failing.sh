#!/bin/sh
# Test credential plugin that fails: prints a secret on stdout (must never be shown) and 12 lines on stderr.
echo '{"status":{"token":"fixture-secret-stdout-token"}}'
i=1
while [ $i -le 12 ]; do echo "failing plugin: stderr line $i" >&2; i=$((i + 1)); done
exit 1
