#!/usr/bin/env bash
# make demo: the sandbox cluster, the operator and the terminal UI in one process, the examples
# applied. q or Ctrl-C quits. The kubeconfig path is printed so kubectl can watch meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .build/debug/jobflow-tui demo "$@"
