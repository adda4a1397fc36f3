#!/bin/sh
# Test credential plugin. Counts its runs in $COUNT_FILE, records what it was given next to it,
# and answers with the apiVersion it was asked for. Optional: $EXPIRY (RFC 3339), $PLUGIN_DELAY (s).
set -eu
echo run >> "$COUNT_FILE"
n=$(wc -l < "$COUNT_FILE" | tr -d ' ')
printf '%s' "${KUBERNETES_EXEC_INFO:-}" > "$COUNT_FILE.info"
printf '%s\n' "$@" > "$COUNT_FILE.args"
if [ -t 0 ]; then echo tty > "$COUNT_FILE.stdin"; else echo notty > "$COUNT_FILE.stdin"; fi
sleep "${PLUGIN_DELAY:-0}"
case "${KUBERNETES_EXEC_INFO:-}" in
  *v1beta1*) version=client.authentication.k8s.io/v1beta1 ;;
  *) version=client.authentication.k8s.io/v1 ;;
esac
expiry=""
if [ -n "${EXPIRY:-}" ]; then expiry=",\"expirationTimestamp\":\"$EXPIRY\""; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"exec-token-%s-%s"%s}}\n' \
  "$version" "$n" "${PLUGIN_GREETING:-none}" "$expiry"
