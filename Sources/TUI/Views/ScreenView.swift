/// Renders the whole screen for a state: header, title, body of the current view, status line,
/// footer key bar, and the confirmation dialog on top. Pure: state in, grid out.
public enum ScreenView {
    public static func render(_ s: AppState, theme: Theme) -> CellGrid {
        var c = Canvas(width: s.width, height: s.height, theme: theme)
        guard s.width >= Layout.minWidth, s.height >= Layout.minHeight else {
            tooSmall(&c, s)
            return c.grid
        }
        header(&c, s)
        switch s.screen {
        case .overview: OverviewView.draw(&c, s)
        case .flow(let ref): FlowView.draw(&c, s, ref)
        case .daemonJob(let ref): DaemonJobView.draw(&c, s, ref)
        case .details(let ref, let entry, let yaml): DetailsView.draw(&c, s, ref, entry: entry, yaml: yaml)
        case .logs(_, let pod, let container, let title): LogsView.draw(&c, s, pod: pod, container: container, title: title)
        case .help: HelpView.draw(&c, s)
        }
        statusLine(&c, s)
        footer(&c, s)
        if let picker = s.picker { PickerView.draw(&c, picker) }
        if let conf = s.confirmation { DialogView.draw(&c, conf) }
        return c.grid
    }

    static func tooSmall(_ c: inout Canvas, _ s: AppState) {
        let lines = ["terminal too small", "need \(Layout.minWidth)×\(Layout.minHeight), have \(s.width)×\(s.height)",
                     "enlarge the window, or q to quit"]
        let top = max(0, s.height / 2 - 1)
        for (i, l) in lines.enumerated() {
            let text = c.g == .ascii ? l.replacingOccurrences(of: "×", with: "x") : l
            let w = DisplayWidth.of(text)
            c.text(text, x: max(0, (s.width - w) / 2), y: top + i, style: i == 0 ? .warning : .normal)
        }
    }

    static func header(_ c: inout Canvas, _ s: AppState) {
        c.row(0, style: Style(.header, reverse: true))
        let sep = c.g.separator
        let ctx = Sanitizer.singleLine(s.snapshot.context)
        let mode = s.mode.rawValue + (s.mode.isReadOnly ? " (read-only)" : "")
        let (lease, healthy) = leaseText(s)
        // The full header, or a shorter one that keeps the lease visible at 80 columns.
        var left = " jobflow-tui\(sep)ctx \(ctx)\(sep)ns \(s.namespace.map(Sanitizer.singleLine) ?? "all namespaces")\(sep)\(mode)\(sep)"
        var right = lease
        if DisplayWidth.of(left) + DisplayWidth.of(right) > c.width {
            left = " ctx \(ctx)\(sep)ns \(s.namespace.map(Sanitizer.singleLine) ?? "all")\(sep)\(s.mode.isReadOnly ? "read-only" : s.mode.rawValue)\(sep)"
            right = leaseText(s, short: true).0
        }
        let x = c.text(left, x: 0, y: 0, style: Style(.header, bold: true, reverse: true))
        c.text(right, x: x, y: 0, style: healthy ? Style(.header, reverse: true) : Style(.warning, bold: true, reverse: true))
    }

    /// "operator: X (lease renewed 2s ago)", or a warning when nobody holds a live lease.
    /// In operator mode it also says whether this process leads or stands by for another holder.
    public static func leaseText(_ s: AppState, short: Bool = false) -> (String, Bool) {
        let own = s.snapshot.ownIdentity
        guard let lease = s.snapshot.lease, !lease.holder.isEmpty else {
            return (own == nil ? "no operator running" : "no leader yet: acquiring the lease", false)
        }
        let ago = Time.short(s.now - lease.renewTime)
        let holder = Sanitizer.singleLine(lease.holder)
        if s.now - lease.renewTime > lease.durationSeconds {
            return ("operator lease expired: \(holder) (renewed \(ago) ago)", false)
        }
        let renewed = "(\(short ? "" : "lease renewed ")\(ago) ago)"
        if let own {
            if lease.holder == own { return ("leading as \(holder) \(renewed)", true) }
            // Another replica (perhaps the in-cluster one) reconciles; this one takes over if it stops.
            return ("standing by: \(holder) leads \(renewed)", true)
        }
        return ("operator: \(holder) \(renewed)", true)
    }

    static func statusLine(_ c: inout Canvas, _ s: AppState) {
        let y = s.height - 2
        if let p = s.prompt {
            let x = c.text(p.kind == .filter ? "/" : ":", x: 0, y: y, style: Style(.accent, bold: true))
            let end = c.text(Sanitizer.singleLine(p.text), x: x, y: y, width: c.width - x - 1)
            c.text("_", x: end, y: y, style: Style(.accent, bold: true))
            return
        }
        if case .failing(let msg, let retry) = s.snapshot.connection {
            // The countdown first: the cause may be long and is cut at the right edge.
            c.text("watch failing, retrying in \(retry)s: \(Sanitizer.singleLine(msg))", x: 0, y: y, style: .warning)
            return
        }
        if s.snapshot.connection == .connecting {
            c.text("connecting…", x: 0, y: y, style: .muted)
            return
        }
        if let m = s.message {
            c.text(m.text, x: 0, y: y, style: m.isError ? .warning : Style(.accent))
            return
        }
        if !s.pending.isEmpty {
            let p = s.pending[s.pending.count - 1]
            let more = s.pending.count > 1 ? " (+\(s.pending.count - 1) more)" : ""
            c.text("\(p.action == .retry ? "retry" : "cancel") pending: \(s.describe(p.target))\(more)", x: 0, y: y, style: Style(.pending))
            return
        }
        let f = s.filter(s.screen.kind)
        if !f.isEmpty {
            c.text("filter: \(f)  (Esc clears)", x: 0, y: y, style: .muted)
        } else if let hint = s.hint {
            c.text(Sanitizer.singleLine(hint), x: 0, y: y, style: .muted)
        }
    }

    static func footer(_ c: inout Canvas, _ s: AppState) {
        let y = s.height - 1
        var x = 0
        let kind = s.confirmation != nil ? nil : s.screen.kind
        if s.confirmation != nil {
            c.text(" y/Enter confirm   n/Esc keep as is", x: 0, y: y, style: Style(.accent, bold: true))
            return
        }
        if s.picker != nil {
            c.text(" ↑/↓ choose   Enter/l show its log   Esc back", x: 0, y: y, style: Style(.accent, bold: true))
            return
        }
        for b in KeyMap.bindings(in: kind ?? .overview) where b.inFooter {
            let off = b.action.isMutating && s.mode.isReadOnly
            let label = b.action.shortLabel
            let key = b.keys.first.map(footerKey) ?? b.name
            guard x + DisplayWidth.of(key) + DisplayWidth.of(label) + 2 < c.width else { break }
            x = c.text(key, x: x + 1, y: y, style: off ? .muted : Style(.accent, bold: true))
            x = c.text(" " + label, x: x, y: y, style: off ? .muted : .normal)
            x += 1
        }
    }

    static func footerKey(_ k: Key) -> String {
        switch k {
        case .char(" "): "space"
        default: k.label
        }
    }

    /// Draws "title" on row 1 in the title style.
    static func title(_ c: inout Canvas, _ text: String) {
        c.text(text, x: 1, y: 1, style: Style(.accent, bold: true))
    }
}
