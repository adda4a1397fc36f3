import Kube

/// Which write of which object a piece of derived state was built from: `metadata.uid` and
/// `metadata.resourceVersion`. The API server gives every write a new resourceVersion, so equal
/// versions of the same uid mean equal objects; without a resourceVersion (hand-made test objects)
/// nothing can be concluded and callers compare the JSON itself.
struct ObjectVersion: Sendable, Hashable {
    var uid: String
    var resourceVersion: String

    init(_ object: JSONValue) {
        let meta = object["metadata"]
        uid = meta?["uid"]?.stringValue ?? ""
        resourceVersion = meta?["resourceVersion"]?.stringValue ?? ""
    }

    /// True when both name a resourceVersion and they are the same write of the same object.
    func provesUnchanged(_ other: ObjectVersion) -> Bool {
        !resourceVersion.isEmpty && resourceVersion == other.resourceVersion && uid == other.uid
    }

    /// True when `a` and `b` are bit for bit the same value: the same case holding the same
    /// storage (an informer hands out the very same object until it changes). Equal bits imply
    /// equal values; unequal bits prove nothing. O(1), unlike `==`, which walks the whole tree.
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.elementsEqual(y) } }
    }
}

/// The overview's rows, kept up to date incrementally: a snapshot usually changes a few of
/// thousands of objects, so only the rows of changed objects are rebuilt, the sort order is patched
/// (changed rows re-inserted by binary search) instead of recomputed, and the filter is evaluated
/// again only for changed rows. A new or deleted object, or another sort, filter or namespace,
/// falls back to rebuilding the order (rows of unchanged objects are still reused).
///
/// Pure value: the result depends only on the inputs, never on the history of updates (the
/// incremental path yields exactly what a rebuild from scratch would: the order is total).
struct OverviewIndex: Sendable {
    /// One row per object, in snapshot order: the JobFlows, then the DaemonJobs.
    private(set) var rows: [FlowRow] = []
    private var versions: [ObjectVersion] = []
    /// The objects the rows were built from (references shared with the snapshot).
    private var sources: [JSONValue] = []
    /// Row indices in `order`.
    private var sorted: [Int] = []
    private var order: SortOrder?
    /// Per row: shown under the current namespace and filter.
    private var matches: [Bool] = []
    private var scope: Scope?
    /// Row index → position in `displayed` (-1 when filtered out).
    private var position: [Int] = []
    /// The rows to show, sorted and filtered.
    private(set) var displayed: [FlowRow] = []
    /// Row index of each object (rebuilt only when objects come or go).
    private var byRef: [ResourceRef: Int] = [:]

    struct Scope: Sendable, Hashable {
        var namespace: String?
        var filter: String
    }

    /// Brings the rows up to date with the objects and the view settings.
    mutating func update(jobFlows: [JSONValue], daemonJobs: [JSONValue], sort: SortOrder, namespace: String?, filter: String) {
        let count = jobFlows.count + daemonJobs.count
        var changed: [Int] = []
        var structural = count != rows.count
        if !structural {
            var i = 0
            scan: for (kind, list) in [(ResourceKind.jobFlow, jobFlows), (.daemonJob, daemonJobs)] {
                for o in list {
                    defer { i += 1 }
                    if ObjectVersion.identical(o, sources[i]) { continue }
                    let version = ObjectVersion(o)
                    if version.provesUnchanged(versions[i]) { continue }
                    if version.resourceVersion.isEmpty, o == sources[i] { continue }
                    let row = FlowRow(kind: kind, object: o)
                    guard row.ref == rows[i].ref else { structural = true; break scan }
                    changed.append(i)
                    (rows[i], versions[i], sources[i]) = (row, version, o)
                }
            }
        }
        if structural {
            rebuildRows(jobFlows: jobFlows, daemonJobs: daemonJobs)
            order = nil
            scope = nil
        }
        let newScope = Scope(namespace: namespace, filter: filter)
        var orderChanged = false
        if order != sort {
            sorted = FlowRow.sortedIndices(rows, by: sort)
            order = sort
            orderChanged = true
        } else if !changed.isEmpty {
            orderChanged = reinsert(changed, by: sort)
        }
        var matchesChanged = false
        if scope != newScope {
            matches = rows.map { Self.shown($0, newScope) }
            scope = newScope
            matchesChanged = true
        } else {
            for i in changed {
                let m = Self.shown(rows[i], newScope)
                if m != matches[i] { matches[i] = m; matchesChanged = true }
            }
        }
        if orderChanged || matchesChanged || structural {
            position = Array(repeating: -1, count: rows.count)
            var shown: [FlowRow] = []
            shown.reserveCapacity(rows.count)
            for i in sorted where matches[i] {
                position[i] = shown.count
                shown.append(rows[i])
            }
            displayed = shown
        } else {
            for i in changed where position[i] >= 0 { displayed[position[i]] = rows[i] }
        }
    }

    /// The row of an object, if it is in the snapshot (whatever the filter).
    func row(_ ref: ResourceRef) -> FlowRow? { byRef[ref].map { rows[$0] } }

    /// The object behind a row, if it is in the snapshot.
    func object(_ ref: ResourceRef) -> JSONValue? { byRef[ref].map { sources[$0] } }

    private static func shown(_ row: FlowRow, _ scope: Scope) -> Bool {
        if let ns = scope.namespace, row.ref.namespace != ns { return false }
        return row.matches(scope.filter)
    }

    /// New rows for a changed set of objects; rows of objects whose version did not change are reused.
    private mutating func rebuildRows(jobFlows: [JSONValue], daemonJobs: [JSONValue]) {
        var old: [ResourceRef: Int] = [:]
        old.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() { old[r.ref] = i }
        var newRows: [FlowRow] = [], newVersions: [ObjectVersion] = [], newSources: [JSONValue] = []
        let count = jobFlows.count + daemonJobs.count
        newRows.reserveCapacity(count)
        newVersions.reserveCapacity(count)
        newSources.reserveCapacity(count)
        byRef = [:]
        byRef.reserveCapacity(count)
        for (kind, list) in [(ResourceKind.jobFlow, jobFlows), (.daemonJob, daemonJobs)] {
            for o in list {
                let version = ObjectVersion(o)
                var row: FlowRow?
                let meta = o["metadata"]
                let ref = ResourceRef(kind: kind, namespace: meta?["namespace"]?.stringValue ?? "", name: meta?["name"]?.stringValue ?? "")
                if let j = old[ref], version.provesUnchanged(versions[j]) || (version.resourceVersion.isEmpty && o == sources[j]) {
                    row = rows[j]
                }
                byRef[ref] = newRows.count
                newRows.append(row ?? FlowRow(kind: kind, object: o))
                newVersions.append(version)
                newSources.append(o)
            }
        }
        (rows, versions, sources) = (newRows, newVersions, newSources)
    }

    /// Moves changed rows to their place in `sorted`; returns whether the order changed.
    private mutating func reinsert(_ changed: [Int], by sort: SortOrder) -> Bool {
        let less = FlowRow.less(by: sort)
        // The order still holds when every changed row is in order with its neighbours (the
        // other adjacent pairs did not change). Otherwise take all changed rows out — what is
        // left is unchanged rows in their old order, hence sorted — and insert each again.
        let inOrder = changed.allSatisfy { i in
            let k = sorted.firstIndex(of: i)!
            return (k == 0 || less(rows[sorted[k - 1]], rows[i])) && (k + 1 == sorted.count || less(rows[i], rows[sorted[k + 1]]))
        }
        if inOrder { return false }
        let moved = Set(changed)
        sorted.removeAll { moved.contains($0) }
        for i in changed {
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if less(rows[sorted[mid]], rows[i]) { lo = mid + 1 } else { hi = mid }
            }
            sorted.insert(i, at: lo)
        }
        return true
    }
}
