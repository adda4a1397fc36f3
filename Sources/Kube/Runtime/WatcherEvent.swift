/// What a watcher reports: object changes, complete relists, bookmarks and failures.
///
/// A `.failed` never ends the stream: the watcher retries by itself after `retryIn`.
public enum WatcherEvent: Sendable {
    /// The complete current set after a (re)list; anything not in it is gone.
    case relisted([JSONValue], resourceVersion: String)
    /// An object was added or modified.
    case applied(JSONValue)
    /// An object was deleted; carries its last state.
    case deleted(JSONValue)
    /// The server confirmed progress up to this resourceVersion; no object changed.
    case bookmark(resourceVersion: String)
    /// A request or the watch failed; the watcher tries again after `retryIn` (zero: at once).
    case failed(KubeError, retryIn: Duration)
}

extension KubeError {
    /// Wraps any error thrown by a `KubeAPI` or a watch stream as a `KubeError`, keeping the cause's text.
    static func wrapping(_ error: any Error) -> KubeError {
        if let kube = error as? KubeError { return kube }
        if let api = error as? APIError { return .api(api) }
        if let transport = error as? TransportError { return .transport(transport) }
        return .transport(TransportError(kind: .other, message: String(describing: error), url: ""))
    }
}
