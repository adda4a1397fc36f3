import JobFlowAPI
import Kube

/// How the binary runs the UI.
public enum Mode: String, Sendable, Hashable {
    /// Attached read-only to a cluster where an operator runs: no writes at all.
    case watch
    /// The reconcile loop runs in this process.
    case `operator`
    /// Sandbox + operator + UI in one process.
    case demo

    public var isReadOnly: Bool { self == .watch }
}

/// What a retry or cancel request applies to: whole object (`entries == ["*"]`), flow entries or
/// DaemonJob nodes.
public struct ActionTarget: Sendable, Hashable {
    public var ref: ResourceRef
    public var entries: [String]

    public init(ref: ResourceRef, entries: [String]) {
        self.ref = ref
        self.entries = entries
    }

    /// The value for the retry / cancel annotation (`Keys.retryAnnotation`, `Keys.cancelAnnotation`).
    public var annotationValue: String { entries.joined(separator: ",") }
}

/// Work the reducer asks the outside world to do. The runner hands each to `onEffect`.
public enum Effect: Sendable, Hashable {
    /// Write the retry annotation on the object.
    case requestRetry(ActionTarget)
    /// Write the cancel annotation on the object.
    case requestCancel(ActionTarget)
    /// Start following a pod's log; lines come back as `.logLines`.
    case openLogs(namespace: String, pod: String, container: String?)
    case closeLogs
    /// Watch another namespace (nil = all).
    case switchNamespace(String?)
    case quit
}

/// Something that happened: input, new data, time.
public enum AppEvent: Sendable {
    case key(Key)
    case snapshotChanged(ClusterSnapshot)
    case resized(width: Int, height: Int)
    /// Raw log lines of the open pod (timestamps=true format accepted).
    case logLines([String])
    /// The log stream ended or failed (message shown, buffer kept).
    case logEnded(String?)
    /// The clock moved (ages and durations, pending request timeouts).
    case tick(now: Int64)
    /// An effect could not be carried out (e.g. an annotation write was forbidden).
    case effectFailed(String)
}

/// A screen of the UI; the state keeps a stack of them.
public enum Screen: Sendable, Hashable {
    case overview
    case flow(ResourceRef)
    case daemonJob(ResourceRef)
    /// A job (flow entry or node; nil = the object itself); YAML or described status.
    case details(ResourceRef, entry: String?, yaml: Bool)
    /// A pod's log; `container` nil when the pod's containers are not known (the server picks).
    case logs(namespace: String, pod: String, container: String?, title: String)
    case help

    public var kind: ViewKind {
        switch self {
        case .overview: .overview
        case .flow: .flow
        case .daemonJob: .daemonJob
        case .details: .details
        case .logs: .logs
        case .help: .help
        }
    }
}

/// A confirmation dialog for a retry or cancel, naming what will be affected.
public struct Confirmation: Sendable, Hashable {
    public var action: Action
    public var target: ActionTarget
    public var title: String
    public var lines: [String]
}

/// The `/` filter or `:` command being typed.
public struct Prompt: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case filter, command }
    public var kind: Kind
    public var text: String
}

/// A one-line message in the status line.
public struct StatusMessage: Sendable, Hashable {
    public var text: String
    public var isError: Bool
}

/// A retry/cancel written (or being written) and not yet carried out by the operator.
public struct PendingRequest: Sendable, Hashable {
    public var action: Action
    public var target: ActionTarget
    public var since: Int64
    /// The annotation has been seen on the object; it disappearing means "carried out".
    public var seen: Bool
    /// The targeted entries' (or nodes') name, attempts and phase when the request was made. An
    /// operator can carry a request out between two snapshots, so the annotation is never seen;
    /// then these changing while the annotation is absent means "carried out".
    public var fingerprint = ""

    /// The fingerprint of `target` in `object`'s status (`status.jobs` or `status.nodes`).
    public static func fingerprint(of object: JSONValue?, target: ActionTarget) -> String {
        let status = object?["status"]
        let items = target.ref.kind == .jobFlow ? JobFlowStatus(json: status).jobs : DaemonJobStatus(json: status).nodes
        let names = Set(target.entries)
        return items.compactMap { item -> String? in
            guard names.isEmpty || names.contains(item.name) else { return nil }
            return "\(item.name):\(item.attempts):\(item.phase.rawValue)"
        }.sorted().joined(separator: ",")
    }
}

/// Cursor and scroll position of a list.
public struct ListCursor: Sendable, Hashable {
    public var selected = 0
    public var scroll = 0
}

/// The whole UI state: a plain value changed only by `reduce`.
public struct AppState: Sendable {
    public var mode: Mode
    public var width: Int
    public var height: Int
    public var now: Int64
    public var snapshot: ClusterSnapshot
    public var stack: [Screen] = [.overview]
    public var prompt: Prompt?
    public var confirmation: Confirmation?
    /// The logs key's "which container?" list, open over the current view.
    public var picker: ContainerPicker?
    /// The container last chosen per pod ("namespace/pod").
    public var containerChoices: [String: String] = [:]
    public var message: StatusMessage?
    /// A standing line for the status row when nothing else is to be said (the demo's kubeconfig).
    public var hint: String?
    public var pending: [PendingRequest] = []
    public var filters: [ViewKind: String] = [:]
    public var sort: SortOrder = .name
    /// The YAML view's last rendering (a cache; see `YAMLMemo`).
    let yamlMemo = YAMLMemo()
    /// Namespace shown in the overview; nil for all.
    public var namespace: String?

    // Derived from the snapshot, kept up to date incrementally (see `OverviewIndex`,
    // `FlowTree.init(object:previous:)`): only objects whose uid/resourceVersion changed are
    // recomputed, not every object on every snapshot.
    var overview = OverviewIndex()
    /// The overview's rows: sorted, namespace and filter applied.
    public var overviewRows: [FlowRow] { overview.displayed }
    public internal(set) var flowTree: FlowTree?
    public internal(set) var daemonJobModel: DaemonJobModel?
    var daemonJobVersion: ObjectVersion?
    /// The flow view's rows (tree order, folding and filter applied), rebuilt with the tree.
    var flowRowsCache: [TreeRow] = []
    /// What `flowRowsCache` was computed from; equal inputs skip the walk.
    var flowRowsKey: FlowRowsKey?

    public var overviewCursor = ListCursor()
    /// Selected flow entry by name (stable across updates) and the tree's scroll.
    public var flowSelection: String?
    public var flowScroll = 0
    public var collapsed: [ResourceRef: Set<String>] = [:]
    public var nodeCursor = ListCursor()
    public var textScroll = 0
    public var logs = LogBuffer()
    public var logFollow = true
    public var logWrap = false
    public var logTimestamps = false
    /// Columns scrolled to the right in unwrapped logs.
    public var logColumn = 0
    /// Index of the last visible log line when not following.
    public var logBottom = 0
    public var logStatus: String?

    public init(mode: Mode, width: Int = 80, height: Int = 24, now: Int64 = 0,
                snapshot: ClusterSnapshot = ClusterSnapshot()) {
        self.mode = mode
        self.width = width
        self.height = height
        self.now = now
        self.snapshot = snapshot
        self.namespace = snapshot.namespace
        rebuildDerived()
    }

    public var screen: Screen { stack.last ?? .overview }

    /// Rows of the body area (between the title lines and the status/footer lines).
    public var bodyHeight: Int { max(1, height - Layout.chromeRows) }

    public func filter(_ v: ViewKind) -> String { filters[v] ?? "" }

    /// The JobFlow or DaemonJob behind a reference in the current snapshot (a hash lookup).
    public func object(_ ref: ResourceRef) -> JSONValue? { overview.object(ref) }
}

/// The inputs of the flow view's row list.
struct FlowRowsKey: Sendable, Hashable {
    var ref: ResourceRef
    var structure: Int
    var collapsed: Set<String>
}

/// Fixed screen layout shared by the reducer (scrolling) and the views (drawing).
public enum Layout {
    public static let minWidth = 80
    public static let minHeight = 24
    /// Header, title, column/summary line at the top; status and footer at the bottom.
    public static let bodyTop = 3
    public static let chromeRows = 5
}
