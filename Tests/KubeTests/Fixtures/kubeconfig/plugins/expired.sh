#!/bin/sh
# Test credential plugin whose credential has already expired: every call must run it again.
echo run >> "$COUNT_FILE"
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"expired-token","expirationTimestamp":"2000-01-01T00:00:00Z"}}\n'
