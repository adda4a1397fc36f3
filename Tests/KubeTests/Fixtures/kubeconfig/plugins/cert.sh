#!/bin/sh
# Test credential plugin that answers with a client certificate and key instead of a token.
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"-----BEGIN CERTIFICATE-----\\nRVhFQy1DRVJU\\n-----END CERTIFICATE-----\\n","clientKeyData":"-----BEGIN PRIVATE KEY-----\\nZml4dHVyZS1zZWNyZXQtZXhlYy1rZXk=\\n-----END PRIVATE KEY-----\\n"}}\n'
