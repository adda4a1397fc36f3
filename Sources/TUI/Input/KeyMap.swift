/// A key as the terminal reports it, independent of curses.
public enum Key: Sendable, Hashable {
    case char(Character)
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end, enter, escape, backspace, tab

    /// How the help and footer spell the key.
    public var label: String {
        switch self {
        case .char(" "): "space"
        case .char(let c): String(c)
        case .ctrl(let c): "Ctrl-\(c.uppercased())"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Bksp"
        case .tab: "Tab"
        }
    }
}

/// What a key does. The reducer interprets actions; the key map only binds them.
public enum Action: String, Sendable, Hashable {
    case up, down, pageUp, pageDown, top, bottom, open, back
    case filter, command, help, quit, forceQuit
    case logs, describe, yaml, retry, cancel
    case collapse, expand, toggleCollapse, sort
    case follow, wrap, timestamps, panLeft, panRight

    /// The word the footer bar shows.
    public var shortLabel: String {
        switch self {
        case .open: "open"
        case .describe: "describe"
        case .yaml: "yaml"
        case .toggleCollapse: "fold"
        case .help: "help"
        case .quit: "back/quit"
        case .timestamps: "time"
        default: rawValue
        }
    }

    /// Actions that change the cluster: refused in read-only mode, in one place (the reducer).
    public var isMutating: Bool { self == .retry || self == .cancel }
}

/// The screens the UI can show.
public enum ViewKind: String, Sendable, Hashable, CaseIterable {
    case overview, flow, daemonJob, details, logs, help
}

/// One binding: the single source for key handling, the help screen and the footer bar.
public struct KeyBinding: Sendable, Hashable {
    public var keys: [Key]
    public var name: String
    public var description: String
    public var action: Action
    public var views: Set<ViewKind>
    /// Shown in the footer bar of these views.
    public var inFooter: Bool
}

/// The key table.
public enum KeyMap {
    static let all = Set(ViewKind.allCases)
    static let lists: Set<ViewKind> = [.overview, .flow, .daemonJob]
    static let scrollers: Set<ViewKind> = [.overview, .flow, .daemonJob, .details, .logs, .help]
    static let jobViews: Set<ViewKind> = [.flow, .daemonJob]

    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.up, .char("k")], name: "↑/k", description: "move up", action: .up, views: scrollers, inFooter: false),
        KeyBinding(keys: [.down, .char("j")], name: "↓/j", description: "move down", action: .down, views: scrollers, inFooter: false),
        KeyBinding(keys: [.pageUp, .ctrl("b")], name: "PgUp", description: "page up", action: .pageUp, views: scrollers, inFooter: false),
        KeyBinding(keys: [.pageDown, .ctrl("f")], name: "PgDn", description: "page down", action: .pageDown, views: scrollers, inFooter: false),
        KeyBinding(keys: [.home, .char("g")], name: "Home/g", description: "first row", action: .top, views: scrollers, inFooter: false),
        KeyBinding(keys: [.end, .char("G")], name: "End/G", description: "last row (logs: follow again)", action: .bottom, views: scrollers, inFooter: false),
        KeyBinding(keys: [.enter], name: "Enter", description: "open the selected flow, DaemonJob or job", action: .open, views: lists, inFooter: true),
        KeyBinding(keys: [.escape], name: "Esc", description: "clear the filter, then go back", action: .back, views: all, inFooter: false),
        KeyBinding(keys: [.char("r")], name: "r", description: "retry the selected job, node or flow (asks first)", action: .retry, views: lists, inFooter: true),
        KeyBinding(keys: [.char("c")], name: "c", description: "cancel the selected job, node or flow (asks first)", action: .cancel, views: lists, inFooter: true),
        KeyBinding(keys: [.char("l")], name: "l", description: "logs of the selected job's pod", action: .logs, views: jobViews.union([.details]), inFooter: true),
        KeyBinding(keys: [.char("d")], name: "d", description: "describe: Job, pod, conditions, events", action: .describe, views: lists, inFooter: true),
        KeyBinding(keys: [.char("y")], name: "y", description: "YAML of the selected Job or object", action: .yaml, views: lists.union([.details]), inFooter: true),
        KeyBinding(keys: [.char(" ")], name: "space", description: "collapse/expand the subtree", action: .toggleCollapse, views: [.flow], inFooter: true),
        KeyBinding(keys: [.left, .char("h")], name: "←/h", description: "collapse (or go to parent)", action: .collapse, views: [.flow], inFooter: false),
        KeyBinding(keys: [.right], name: "→", description: "expand", action: .expand, views: [.flow], inFooter: false),
        KeyBinding(keys: [.char("s")], name: "s", description: "sort by name, state, age", action: .sort, views: [.overview], inFooter: true),
        KeyBinding(keys: [.char("s"), .char("f")], name: "s", description: "follow the log on/off", action: .follow, views: [.logs], inFooter: true),
        KeyBinding(keys: [.left, .char("h")], name: "←/h", description: "scroll long lines left", action: .panLeft, views: [.logs], inFooter: false),
        KeyBinding(keys: [.right, .char("L")], name: "→/L", description: "scroll long lines right (when not wrapping)", action: .panRight, views: [.logs], inFooter: false),
        KeyBinding(keys: [.char("w")], name: "w", description: "wrap long lines on/off", action: .wrap, views: [.logs], inFooter: true),
        KeyBinding(keys: [.char("t")], name: "t", description: "timestamps on/off", action: .timestamps, views: [.logs], inFooter: true),
        KeyBinding(keys: [.char("/")], name: "/", description: "filter rows", action: .filter, views: [.overview, .flow, .daemonJob, .logs], inFooter: true),
        KeyBinding(keys: [.char(":")], name: ":", description: "command: ns NAME, ns all, flows, quit", action: .command, views: all, inFooter: false),
        KeyBinding(keys: [.char("?")], name: "?", description: "this help", action: .help, views: all, inFooter: true),
        KeyBinding(keys: [.char("q")], name: "q", description: "back; quit from the overview", action: .quit, views: all, inFooter: true),
        KeyBinding(keys: [.ctrl("c")], name: "Ctrl-C", description: "quit at once", action: .forceQuit, views: all, inFooter: false),
    ]

    /// The action bound to `key` in `view`, if any.
    public static func action(for key: Key, in view: ViewKind) -> Action? {
        bindings.first { $0.views.contains(view) && $0.keys.contains(key) }?.action
    }

    /// Bindings available in a view, in table order.
    public static func bindings(in view: ViewKind) -> [KeyBinding] {
        bindings.filter { $0.views.contains(view) }
    }
}
