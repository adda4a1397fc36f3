#!/bin/sh
# Test credential plugin that answers with a different apiVersion than it was asked for.
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"fixture-secret-wrong-version"}}\n'
