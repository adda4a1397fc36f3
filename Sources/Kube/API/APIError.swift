import Foundation

/// A failure the API server reported, decoded from its `Status` object.
///
/// `code` is the HTTP status; `reason` is the machine-readable `StatusReason` (`NotFound`,
/// `Conflict`, …); `message` is what kubectl would print after `Error from server (Reason):`.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    /// `Status.details`: name, group, kind, uid, causes, retryAfterSeconds.
    public var details: JSONValue?
    /// Seconds from the `Retry-After` header, or `details.retryAfterSeconds`.
    public var retryAfter: Int?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    public var isNotFound: Bool { reason == "NotFound" || (reason.isEmpty && code == 404) }
    public var isConflict: Bool { reason == "Conflict" || (code == 409 && reason != "AlreadyExists") }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// Expired and Gone mean the same to a client: the resourceVersion is too old; relist.
    public var isGone: Bool { reason == "Gone" || reason == "Expired" || code == 410 }
    public var isInvalid: Bool { reason == "Invalid" || code == 422 }
    public var isTooManyRequests: Bool { reason == "TooManyRequests" || code == 429 }
    public var isUnauthorized: Bool { reason == "Unauthorized" || code == 401 }
    public var isForbidden: Bool { reason == "Forbidden" || code == 403 }

    /// The per-field causes of an `Invalid` or conflict error: `(field, reason, message)`.
    public var causes: [(field: String, reason: String, message: String)] {
        (details?["causes"]?.arrayValue ?? []).map {
            ($0["field"]?.stringValue ?? "", $0["reason"]?.stringValue ?? "", $0["message"]?.stringValue ?? "")
        }
    }

    public var description: String {
        reason.isEmpty ? "the server responded with HTTP \(code): \(message)" : "\(message) (\(reason), HTTP \(code))"
    }

    /// Decodes a server response that is not a success. A body that is not a `Status` (a proxy's
    /// HTML page, say) still yields an error naming the code, with the body's start as message.
    public init(statusCode: Int, body: [UInt8], retryAfterHeader: String? = nil) {
        let headerRetry = retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if let status = try? JSONParser.parse(body), status["kind"]?.stringValue == "Status" {
            self.init(
                code: Int(status["code"]?.intValue ?? Int64(statusCode)),
                reason: status["reason"]?.stringValue ?? "",
                message: status["message"]?.stringValue ?? "",
                details: status["details"],
                retryAfter: headerRetry ?? status["details"]?["retryAfterSeconds"]?.intValue.map { Int($0) }
            )
            return
        }
        let text = String(decoding: body.prefix(512), as: UTF8.self)
            .unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        self.init(
            code: statusCode,
            reason: APIError.defaultReason(for: statusCode),
            message: text.isEmpty ? "HTTP \(statusCode)" : String(String.UnicodeScalarView(text)),
            retryAfter: headerRetry
        )
    }

    static func defaultReason(for code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return ""
        }
    }
}
