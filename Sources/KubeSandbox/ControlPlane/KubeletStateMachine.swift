import Foundation
import HeapModule
import Kube

/// The simulated kubelets' decisions as a plain value: it is told what the loop observed (the
/// pods to look at, the nodes, the time) and answers with the actions to perform, in order.
///
/// No I/O, no awaits and no clock: `now` is an offset on the control plane's clock and
/// `wallTime` the date it stands for. One pass of the loop (`ControlPlane.kubeletLoop`):
///
/// 1. `beginPass(changed:now:)` returns the pod keys to visit, sorted: those that changed (or
///    whose node changed), those whose next program step is due, and, once their second has
///    passed, those whose last action failed;
/// 2. `visit(key:pod:nodes:now:wallTime:)` decides about one pod (accept, reject, run its
///    program, stop it, report it, delete it) and returns `Action`s;
/// 3. the loop performs each action and reports it with `succeeded(_:)` or `failed(_:)`;
/// 4. `endPass(now:)` returns when the loop must wake up by itself (the next program step or
///    retry), `nil` when only a change can give it work.
///
/// Each pod's program runs in its `PodLifecycle`; this type owns the lifecycles, what was last
/// written for each, the program deadlines and the retries.
struct KubeletStateMachine: Sendable {
    /// One pod the kubelets have accepted.
    struct Entry: Sendable {
        var lifecycle: PodLifecycle
        var namespace: String
        var name: String
        /// The status last written; `nil` forces a write.
        var written: JSONValue?
        /// The final delete was sent (or the pod was already gone).
        var deleteSent = false
        /// The terminal status has been stored.
        var reportedFinished = false
        /// The taint manager has asked for the pod's deletion.
        var evicted = false
    }

    /// The (sanitized) speed factor every program duration is divided by.
    let speed: Double
    /// Accepted pods by uid.
    private(set) var entries: [String: Entry] = [:]
    /// Pod key → the uid of its entry.
    private var uids: [String: String] = [:]
    /// Pod key → when its next program step is due.
    private var due: [String: Duration] = [:]
    /// The same deadlines by time; one whose key has since moved or gone is stale and skipped.
    private var deadlines = Heap<PodDeadline>()
    /// Pods whose last action failed, visited again at `retryAt`.
    private var retryKeys: Set<String> = []
    private var retryAt: Duration?
    /// Pods whose action failed during the current pass.
    private var failedThisPass: Set<String> = []
    /// Pod IPs are handed out in acceptance order.
    private var nextIP: UInt32 = 0

    /// How long after a failed action the pod is visited again.
    static let retryDelay: Duration = .seconds(1)

    init(speed: Double) {
        self.speed = sanitizedSpeed(speed)
    }

    /// The entry of the pod stored under `key`, if the kubelets accepted it.
    func entry(forKey key: String) -> Entry? {
        uids[key].flatMap { entries[$0] }
    }

    /// Starts a pass at `now`. `changed` holds the keys of pods that changed and of the pods on
    /// nodes that changed. Returns every key to visit, sorted.
    mutating func beginPass(changed: Set<String>, now: Duration) -> [String] {
        var visit = changed
        while let next = deadlines.min, next.at <= now {
            _ = deadlines.popMin()
            if due[next.key] == next.at { visit.insert(next.key) }
        }
        if let at = retryAt, at <= now {
            visit.formUnion(retryKeys)
            retryKeys = []
            retryAt = nil
        }
        failedThisPass = []
        return visit.sorted()
    }

    /// Ends the pass at `now`: the pods whose actions failed are visited again a second later.
    /// Returns when the loop must wake up without a change (a program step or a retry is due).
    mutating func endPass(now: Duration) -> Duration? {
        if !failedThisPass.isEmpty {
            retryKeys.formUnion(failedThisPass)
            retryAt = min(retryAt ?? .seconds(Int64.max / 4), now + Self.retryDelay)
            failedThisPass = []
        }
        while let next = deadlines.min, due[next.key] != next.at { _ = deadlines.popMin() }
        return [deadlines.min?.at, retryAt].compactMap { $0 }.min()
    }

    /// The action was performed, or its object was already gone (`NotFound`).
    mutating func succeeded(_ action: Action) {
        switch action {
        case .writeStatus(let pod, let status):
            guard let uid = pod[path: "metadata.uid"]?.stringValue, var entry = entries[uid] else { return }
            entry.written = status
            if entry.lifecycle.isFinished { entry.reportedFinished = true }
            entries[uid] = entry
        case .evict(let pod, _, _):
            guard let uid = pod[path: "metadata.uid"]?.stringValue else { return }
            entries[uid]?.evicted = true
        case .delete(let pod):
            guard let uid = pod[path: "metadata.uid"]?.stringValue else { return }
            entries[uid]?.deleteSent = true
        case .appendLog, .endLog, .removeLogs, .reject, .markWaitingForNode:
            break
        }
    }

    /// The action failed: its pod is visited again after `retryDelay`.
    mutating func failed(_ action: Action) {
        guard let pod = action.pod else { return }
        failedThisPass.insert(ObjectCache.key(pod))
    }

    /// Remembers an accepted pod and when its next program step is due.
    mutating func store(_ entry: Entry, uid: String, key: String) {
        entries[uid] = entry
        uids[key] = uid
        if let at = entry.lifecycle.nextWakeup {
            due[key] = at
            deadlines.insert(PodDeadline(at: at, key: key))
        }
    }

    /// Forgets the entry stored under `key` unless it belongs to `uid` (the pod is gone, or
    /// another pod now has its name); returns the forgotten entry. Clears the key's deadline.
    mutating func forget(key: String, unlessUID uid: String?) -> Entry? {
        due[key] = nil  // set again by `store` while the program still has steps
        guard let old = uids[key], old != uid else { return nil }
        uids[key] = nil
        return entries.removeValue(forKey: old)
    }

    /// The next pod IP: `10.244.x.y`, in acceptance order.
    mutating func allocatePodIP() -> String {
        let ip = "10.244.\((nextIP / 250) % 250).\(nextIP % 250 + 2)"
        nextIP &+= 1
        return ip
    }
}

/// When a pod's next program step is due, ordered by time (the kubelet's deadline heap).
struct PodDeadline: Comparable, Sendable {
    var at: Duration
    var key: String

    static func < (a: PodDeadline, b: PodDeadline) -> Bool { (a.at, a.key) < (b.at, b.key) }
}
