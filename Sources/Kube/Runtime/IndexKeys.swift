/// The cache keys filed under one index value. Most values name one object (a pod's owning Job,
/// say), so a single key is kept inline instead of in a set of its own.
public enum IndexKeys: Sendable, Hashable {
    case one(String)
    case many(Set<String>)

    /// The keys, sorted.
    public var sorted: [String] {
        switch self {
        case .one(let key): return [key]
        case .many(let keys): return keys.sorted()
        }
    }

    public var count: Int {
        switch self {
        case .one: return 1
        case .many(let keys): return keys.count
        }
    }

    public func contains(_ key: String) -> Bool {
        switch self {
        case .one(let only): return only == key
        case .many(let keys): return keys.contains(key)
        }
    }

    /// Adds `key` (in place: a set held here is not copied).
    mutating func insert(_ key: String) {
        switch self {
        case .one(let only):
            if only != key { self = .many([only, key]) }
        case .many(var keys):
            self = .one("")  // drop this reference so `keys` is uniquely owned
            keys.insert(key)
            self = .many(keys)
        }
    }

    /// Removes `key`; returns whether no key is left, in which case the caller drops this value
    /// (a lone key is left in place: an `IndexKeys` is never empty).
    mutating func remove(_ key: String) -> Bool {
        switch self {
        case .one(let only):
            return only == key
        case .many(var keys):
            self = .one("")
            keys.remove(key)
            if keys.count == 1, let last = keys.first {
                self = .one(last)
            } else {
                self = .many(keys)
            }
            return keys.isEmpty
        }
    }
}
