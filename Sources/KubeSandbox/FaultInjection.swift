import Foundation
import Kube
import Synchronization

/// Faults the HTTP front injects, deterministically from `seed`: the n-th request always gets
/// the same decision for the same configuration and request order. Only resource requests are
/// affected (never `/version`, discovery or OpenAPI), and `InProcessClient` is never affected.
public struct FaultInjection: Sendable, Hashable {
    public var seed: UInt64
    /// Extra delay before each resource request, in seconds (uniform in the range).
    public var latency: ClosedRange<Double>?
    /// Probability of an injected error per verb (`get`, `list`, `watch`, `create`, `update`,
    /// `patch`, `delete`, `deletecollection`; `*` for any verb not listed).
    public var errorRates: [String: Double]
    /// The codes injected errors use, chosen at random: 500, 503, 429 (429 carries Retry-After).
    public var errorCodes: [Int]
    /// Retry-After seconds of injected 429s (also in `details.retryAfterSeconds`).
    public var retryAfterSeconds: Int
    /// Probability that an update or patch fails with 409 Conflict without being applied.
    public var conflictRate: Double
    /// Watch streams end cleanly after this many events.
    public var cutWatchesEvery: Int?
    /// Probability that a watch gets HTTP 200 and one ERROR Expired (410) event.
    public var expiredWatchRate: Double

    public init(seed: UInt64 = 1, latency: ClosedRange<Double>? = nil, errorRates: [String: Double] = [:],
                errorCodes: [Int] = [500, 503, 429], retryAfterSeconds: Int = 1, conflictRate: Double = 0,
                cutWatchesEvery: Int? = nil, expiredWatchRate: Double = 0) {
        self.seed = seed
        self.latency = latency
        self.errorRates = errorRates
        self.errorCodes = errorCodes.isEmpty ? [500] : errorCodes
        self.retryAfterSeconds = retryAfterSeconds
        self.conflictRate = conflictRate
        self.cutWatchesEvery = cutWatchesEvery
        self.expiredWatchRate = expiredWatchRate
    }
}

/// Draws fault decisions from a seeded generator (SplitMix64).
final class FaultInjector: Sendable {
    let config: FaultInjection
    let state: Mutex<UInt64>

    init(_ config: FaultInjection) {
        self.config = config
        state = Mutex(config.seed)
    }

    func random() -> Double {
        let bits: UInt64 = state.withLock { s in
            s &+= 0x9E3779B97F4A7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        return Double(bits >> 11) / Double(1 << 53)
    }

    struct Decision {
        var delay: Double = 0
        var error: APIError?
        var expiredWatch = false
    }

    /// One decision per request, drawn in a fixed order so runs repeat.
    func decide(verb: String, resource: String, name: String?) -> Decision {
        var d = Decision()
        let latencyDraw = random(), errorDraw = random(), codeDraw = random(), conflictDraw = random(), watchDraw = random()
        if let range = config.latency { d.delay = range.lowerBound + (range.upperBound - range.lowerBound) * latencyDraw }
        let rate = config.errorRates[verb] ?? config.errorRates["*"] ?? 0
        if errorDraw < rate {
            let code = config.errorCodes[min(config.errorCodes.count - 1, Int(codeDraw * Double(config.errorCodes.count)))]
            d.error = FaultInjector.error(code: code, retryAfter: config.retryAfterSeconds)
        } else if (verb == "update" || verb == "patch"), conflictDraw < config.conflictRate, let name {
            d.error = APIError(code: 409, reason: "Conflict",
                               message: "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                               details: ["name": .string(name), "kind": .string(resource)])
        } else if verb == "watch", watchDraw < config.expiredWatchRate {
            d.expiredWatch = true
        }
        return d
    }

    static func error(code: Int, retryAfter: Int) -> APIError {
        switch code {
        case 429:
            return APIError(code: 429, reason: "TooManyRequests", message: "the server has received too many requests and has asked us to try again later",
                            details: ["retryAfterSeconds": .int(Int64(retryAfter))], retryAfter: retryAfter)
        case 503:
            return APIError(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request",
                            retryAfter: retryAfter)
        case 504:
            return APIError(code: 504, reason: "Timeout", message: "the server was unable to return a response in the time allotted, but may still be processing the request")
        default:
            return APIError(code: code, reason: "InternalError", message: "Internal error occurred: injected fault")
        }
    }
}
