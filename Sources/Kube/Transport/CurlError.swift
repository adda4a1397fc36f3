import CCurl

/// Turns a libcurl result into a `TransportError`. The message holds curl's description and its
/// error buffer, which name hosts, addresses and TLS problems but never request headers or bodies.
enum CurlError {
    static func transportError(code: CURLcode, detail: String, url: String, viaProxy: Bool) -> TransportError {
        let summary = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty ? summary : "\(summary): \(detail)"
        return TransportError(kind: kind(of: code, detail: detail, viaProxy: viaProxy), message: message, url: url)
    }

    static func kind(of code: CURLcode, detail: String, viaProxy: Bool) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
            return .proxy
        case CURLE_COULDNT_CONNECT:
            // With a proxy, the only connection curl makes itself is the one to the proxy.
            return viaProxy ? .proxy : .connectionFailed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return .connectionFailed
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            // A TLS 1.3 server rejects a missing client certificate after the client thinks the
            // handshake is done, so the alert shows up as a read error naming SSL.
            return detail.contains("SSL") || detail.contains("alert") ? .tls : .connectionFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CLIENTCERT, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR:
            return .aborted
        default:
            return .other
        }
    }
}
