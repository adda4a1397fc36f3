import Kube

/// One container of a pod, as the logs picker lists it.
public struct ContainerChoice: Sendable, Hashable {
    /// The raw name (sent as `container=`).
    public var name: String
    public var displayName: String
    /// An init container (listed first, marked).
    public var isInit: Bool

    /// The containers of a pod object: init containers first, then the others, in spec order.
    public static func of(pod: JSONValue?) -> [ContainerChoice] {
        func list(_ key: String, isInit: Bool) -> [ContainerChoice] {
            (pod?["spec"]?[key]?.arrayValue ?? []).compactMap { c in
                c["name"]?.stringValue.map { ContainerChoice(name: $0, displayName: Sanitizer.singleLine($0), isInit: isInit) }
            }
        }
        return list("initContainers", isInit: true) + list("containers", isInit: false)
    }
}

/// The "which container?" list the logs key opens for a pod with several containers (k9s-like).
public struct ContainerPicker: Sendable, Hashable {
    public var namespace: String
    public var pod: String
    /// What the logs view will be titled ("flow/entry").
    public var title: String
    public var choices: [ContainerChoice]
    public var selected: Int
}

extension AppState {
    /// "namespace/pod", the key of `containerChoices`.
    static func podKey(_ namespace: String, _ pod: String) -> String { "\(namespace)/\(pod)" }

    /// Opens the log of `pod`: straight away when it has one container (or is not cached, when
    /// the API server picks), through the picker when it has several — the container chosen last
    /// time for this pod preselected.
    mutating func openLogs(namespace ns: String, pod: String, title: String) -> [Effect] {
        let choices = ContainerChoice.of(pod: snapshot.pods[AppState.podKey(ns, pod)])
        if choices.count > 1 {
            let remembered = containerChoices[AppState.podKey(ns, pod)]
            let selected = choices.firstIndex { $0.name == remembered } ?? choices.firstIndex { !$0.isInit } ?? 0
            picker = ContainerPicker(namespace: ns, pod: pod, title: title, choices: choices, selected: selected)
            return []
        }
        return showLogs(namespace: ns, pod: pod, container: choices.first?.name, title: title)
    }

    /// Pushes the logs view and asks for the stream.
    mutating func showLogs(namespace ns: String, pod: String, container: String?, title: String) -> [Effect] {
        logs.removeAll()
        logFollow = true
        logStatus = nil
        logColumn = 0
        stack.append(.logs(namespace: ns, pod: pod, container: container, title: Sanitizer.singleLine(title)))
        return [.openLogs(namespace: ns, pod: pod, container: container)]
    }

    /// Keys while the picker is open: move, open the selected container's log, or cancel.
    mutating func handlePicker(_ key: Key, _ p: ContainerPicker) -> [Effect] {
        var p = p
        switch key {
        case .up, .char("k"): p.selected = max(0, p.selected - 1)
        case .down, .char("j"): p.selected = min(p.choices.count - 1, p.selected + 1)
        case .home, .char("g"): p.selected = 0
        case .end, .char("G"): p.selected = p.choices.count - 1
        case .enter, .char("l"):
            picker = nil
            guard p.choices.indices.contains(p.selected) else { return [] }
            let name = p.choices[p.selected].name
            containerChoices[AppState.podKey(p.namespace, p.pod)] = name
            return showLogs(namespace: p.namespace, pod: p.pod, container: name, title: p.title)
        case .escape, .char("q"):
            picker = nil
            return []
        default:
            return []
        }
        picker = p
        return []
    }
}
