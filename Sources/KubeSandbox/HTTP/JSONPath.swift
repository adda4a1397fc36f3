import Foundation
import Kube

/// A small JSONPath subset for printer columns: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.k=="v")].b`.
enum JSONPath {
    static func text(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return v.description
    }

    static func evaluate(_ path: String, _ root: JSONValue) -> [JSONValue] {
        var p = path.trimmingCharacters(in: .whitespaces)
        if p.hasPrefix("{") && p.hasSuffix("}") { p = String(p.dropFirst().dropLast()) }
        if p.hasPrefix("$") { p.removeFirst() }
        var current: [JSONValue] = [root]
        var i = p.startIndex
        while i < p.endIndex {
            let ch = p[i]
            if ch == "." {
                i = p.index(after: i)
                var key = ""
                while i < p.endIndex, p[i] != ".", p[i] != "[" { key.append(p[i]); i = p.index(after: i) }
                if key.isEmpty { continue }
                current = current.compactMap { $0[key] }
            } else if ch == "[" {
                guard let close = p[i...].firstIndex(of: "]") else { return [] }
                var inner = String(p[p.index(after: i)..<close])
                // A filter may contain "]" only in quotes; keep simple.
                if inner.hasPrefix("?(") && !inner.hasSuffix(")") , let realClose = p[close...].firstIndex(of: ")") {
                    inner = String(p[p.index(after: i)...realClose])
                    i = p.index(after: p[realClose...].firstIndex(of: "]") ?? realClose)
                } else {
                    i = p.index(after: close)
                }
                if inner == "*" {
                    current = current.flatMap { $0.arrayValue ?? Array(($0.objectValue ?? [:]).values) }
                } else if let n = Int(inner) {
                    current = current.compactMap { v in
                        guard let a = v.arrayValue else { return nil }
                        let idx = n < 0 ? a.count + n : n
                        return a.indices.contains(idx) ? a[idx] : nil
                    }
                } else if inner.hasPrefix("?(@.") && inner.hasSuffix(")") {
                    let expr = inner.dropFirst(4).dropLast()
                    let parts = expr.components(separatedBy: "==")
                    guard parts.count == 2 else { return [] }
                    let key = parts[0].trimmingCharacters(in: .whitespaces)
                    let want = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    current = current.flatMap { ($0.arrayValue ?? []).filter { item in item[path: key].map(text) == want } }
                } else {
                    let key = inner.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    current = current.compactMap { $0[key] }
                }
            } else {
                i = p.index(after: i)
            }
        }
        return current
    }
}
