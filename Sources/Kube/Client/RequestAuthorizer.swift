/// Supplies the credentials for each request and hears about 401s.
///
/// A seam between the HTTP client and however credentials are obtained (static token, token
/// file, exec plugin, service account); `CredentialProvider` is the real one.
public struct RequestAuthorizer: Sendable {
    /// The `Authorization` header value and/or client identity for the next request.
    public var credentials: @Sendable () async throws -> (authorization: String?, identity: ClientIdentity?)
    /// Called after the server answered 401: drop cached credentials so the next call refreshes.
    public var invalidate: @Sendable () async -> Void

    public init(credentials: @escaping @Sendable () async throws -> (authorization: String?, identity: ClientIdentity?),
                invalidate: @escaping @Sendable () async -> Void = {}) {
        self.credentials = credentials
        self.invalidate = invalidate
    }

    /// No credentials (the sandbox, or a client certificate set on the transport).
    public static let anonymous = RequestAuthorizer(credentials: { (nil, nil) })

    /// A fixed bearer token.
    public static func bearer(_ token: String) -> RequestAuthorizer {
        RequestAuthorizer(credentials: { ("Bearer \(token)", nil) })
    }
}

extension RequestAuthorizer {
    /// Credentials from a `CredentialProvider` (token, token file, exec plugin, service account).
    public init(provider: CredentialProvider) {
        self.init(
            credentials: {
                let c = try await provider.credentials()
                return (c.authorizationHeader, c.clientIdentity)
            },
            invalidate: { await provider.invalidate() })
    }
}
