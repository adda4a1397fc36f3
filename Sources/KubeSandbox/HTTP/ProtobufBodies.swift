import Foundation
import Kube

/// Decodes the few protobuf request bodies kubectl's typed clients send that the sandbox
/// accepts: Namespace, ConfigMap, Secret and a Job's pod template (`kubectl create
/// namespace|configmap|secret generic|job`). Everything else in
/// protobuf is refused with 415 by the router.
enum ProtobufBodies {
    enum Failure: Error { case malformed }

    /// A protobuf reader over wire types 0 (varint), 1 (64-bit), 2 (length-delimited), 5 (32-bit).
    struct Reader {
        var bytes: ArraySlice<UInt8>

        mutating func varint() throws(Failure) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let b = bytes.popFirst() {
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { throw .malformed }
            }
            throw .malformed
        }

        /// The next (field number, wire type, payload) or nil at the end.
        mutating func next() throws(Failure) -> (field: Int, payload: Payload)? {
            guard !bytes.isEmpty else { return nil }
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: return (field, .varint(try varint()))
            case 1:
                guard bytes.count >= 8 else { throw .malformed }
                bytes = bytes.dropFirst(8)
                return (field, .fixed)
            case 2:
                let length = Int(try varint())
                guard length >= 0, bytes.count >= length else { throw .malformed }
                let payload = bytes.prefix(length)
                bytes = bytes.dropFirst(length)
                return (field, .bytes(payload))
            case 5:
                guard bytes.count >= 4 else { throw .malformed }
                bytes = bytes.dropFirst(4)
                return (field, .fixed)
            default: throw .malformed
            }
        }
    }

    enum Payload {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed

        var string: String? {
            if case .bytes(let b) = self { return String(decoding: b, as: UTF8.self) }
            return nil
        }
        var data: ArraySlice<UInt8>? {
            if case .bytes(let b) = self { return b }
            return nil
        }
    }

    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// The object in a `k8s\0`-prefixed `runtime.Unknown` envelope, for the supported kinds.
    static func decode(_ body: [UInt8]) -> JSONValue? {
        guard body.starts(with: magic) else { return nil }
        do {
            var envelope = Reader(bytes: body.dropFirst(4))
            var apiVersion = "", kind = ""
            var raw: ArraySlice<UInt8> = []
            while let (field, payload) = try envelope.next() {
                if field == 1, let tm = payload.data {
                    var r = Reader(bytes: tm)
                    while let (f, p) = try r.next() {
                        if f == 1 { apiVersion = p.string ?? "" }
                        if f == 2 { kind = p.string ?? "" }
                    }
                } else if field == 2, let data = payload.data {
                    raw = data
                }
            }
            var object: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
            var r = Reader(bytes: raw)
            switch (apiVersion, kind) {
            case ("v1", "Namespace"):
                while let (f, p) = try r.next() {
                    if f == 1, let m = p.data { object["metadata"] = try objectMeta(m) }
                    if f == 2, let s = p.data {
                        var sr = Reader(bytes: s)
                        var finalizers: [JSONValue] = []
                        while let (sf, sp) = try sr.next() {
                            if sf == 1 { finalizers.append(.string(sp.string ?? "")) }
                        }
                        if !finalizers.isEmpty { object["spec"] = ["finalizers": .array(finalizers)] }
                    }
                }
            case ("v1", "ConfigMap"):
                var data: [String: JSONValue] = [:], binary: [String: JSONValue] = [:]
                while let (f, p) = try r.next() {
                    switch f {
                    case 1: if let m = p.data { object["metadata"] = try objectMeta(m) }
                    case 2: if let e = p.data { let (k, v) = try entry(e); data[k] = .string(String(decoding: v, as: UTF8.self)) }
                    case 3: if let e = p.data { let (k, v) = try entry(e); binary[k] = .string(Data(v).base64EncodedString()) }
                    case 4: if case .varint(let v) = p { object["immutable"] = .bool(v != 0) }
                    default: break
                    }
                }
                if !data.isEmpty { object["data"] = .object(data) }
                if !binary.isEmpty { object["binaryData"] = .object(binary) }
            case ("v1", "Secret"):
                var data: [String: JSONValue] = [:], stringData: [String: JSONValue] = [:]
                while let (f, p) = try r.next() {
                    switch f {
                    case 1: if let m = p.data { object["metadata"] = try objectMeta(m) }
                    case 2: if let e = p.data { let (k, v) = try entry(e); data[k] = .string(Data(v).base64EncodedString()) }
                    case 3: if let t = p.string, !t.isEmpty { object["type"] = .string(t) }
                    case 4: if let e = p.data { let (k, v) = try entry(e); stringData[k] = .string(String(decoding: v, as: UTF8.self)) }
                    case 5: if case .varint(let v) = p { object["immutable"] = .bool(v != 0) }
                    default: break
                    }
                }
                if !data.isEmpty { object["data"] = .object(data) }
                if !stringData.isEmpty { object["stringData"] = .object(stringData) }
            case ("batch/v1", "Job"):
                // What `kubectl create job NAME --image=I -- CMD` sends: metadata and the pod template.
                while let (f, p) = try r.next() {
                    if f == 1, let m = p.data { object["metadata"] = try objectMeta(m) }
                    if f == 2, let specBytes = p.data {
                        var sr = Reader(bytes: specBytes)
                        while let (sf, sp) = try sr.next() {
                            if sf == 6, let t = sp.data { object["spec"] = ["template": try podTemplate(t)] }
                        }
                    }
                }
            default:
                return nil
            }
            return object
        } catch {
            return nil
        }
    }

    /// PodTemplateSpec {metadata 1, spec 2}; PodSpec {containers 2, restartPolicy 3,
    /// serviceAccountName 8, nodeName 10}; Container {name 1, image 2, command 3, args 4,
    /// workingDir 5, env 7 {name 1, value 2}, imagePullPolicy 14}. Other fields are ignored.
    static func podTemplate(_ bytes: ArraySlice<UInt8>) throws(Failure) -> JSONValue {
        var template: JSONValue = .emptyObject
        var r = Reader(bytes: bytes)
        while let (f, p) = try r.next() {
            if f == 1, let m = p.data { template["metadata"] = try objectMeta(m) }
            guard f == 2, let specBytes = p.data else { continue }
            var spec: JSONValue = .emptyObject
            var containers: [JSONValue] = []
            var sr = Reader(bytes: specBytes)
            while let (sf, sp) = try sr.next() {
                switch sf {
                case 2: if let c = sp.data { containers.append(try container(c)) }
                case 3: if let v = sp.string, !v.isEmpty { spec["restartPolicy"] = .string(v) }
                case 8: if let v = sp.string, !v.isEmpty { spec["serviceAccountName"] = .string(v) }
                case 10: if let v = sp.string, !v.isEmpty { spec["nodeName"] = .string(v) }
                default: break
                }
            }
            spec["containers"] = .array(containers)
            template["spec"] = spec
        }
        return template
    }

    static func container(_ bytes: ArraySlice<UInt8>) throws(Failure) -> JSONValue {
        var c: JSONValue = .emptyObject
        var command: [JSONValue] = [], args: [JSONValue] = [], env: [JSONValue] = []
        var r = Reader(bytes: bytes)
        while let (f, p) = try r.next() {
            switch f {
            case 1: c["name"] = p.string.map(JSONValue.string)
            case 2: if let v = p.string, !v.isEmpty { c["image"] = .string(v) }
            case 3: command.append(.string(p.string ?? ""))
            case 4: args.append(.string(p.string ?? ""))
            case 5: if let v = p.string, !v.isEmpty { c["workingDir"] = .string(v) }
            case 7:
                if let e = p.data {
                    let (name, value) = try entry(e)
                    env.append(["name": .string(name), "value": .string(String(decoding: value, as: UTF8.self))])
                }
            case 14: if let v = p.string, !v.isEmpty { c["imagePullPolicy"] = .string(v) }
            default: break
            }
        }
        if !command.isEmpty { c["command"] = .array(command) }
        if !args.isEmpty { c["args"] = .array(args) }
        if !env.isEmpty { c["env"] = .array(env) }
        return c
    }

    static func entry(_ bytes: ArraySlice<UInt8>) throws(Failure) -> (String, ArraySlice<UInt8>) {
        var r = Reader(bytes: bytes)
        var key = "", value: ArraySlice<UInt8> = []
        while let (f, p) = try r.next() {
            if f == 1 { key = p.string ?? "" }
            if f == 2 { value = p.data ?? [] }
        }
        return (key, value)
    }

    static func objectMeta(_ bytes: ArraySlice<UInt8>) throws(Failure) -> JSONValue {
        var meta: JSONValue = .emptyObject
        var labels: [String: JSONValue] = [:], annotations: [String: JSONValue] = [:]
        var finalizers: [JSONValue] = []
        var r = Reader(bytes: bytes)
        while let (f, p) = try r.next() {
            switch f {
            case 1: meta["name"] = p.string.map(JSONValue.string)
            case 2: meta["generateName"] = p.string.map(JSONValue.string)
            case 3: meta["namespace"] = p.string.map(JSONValue.string)
            case 6: meta["resourceVersion"] = p.string.map(JSONValue.string)
            case 11: if let e = p.data { let (k, v) = try entry(e); labels[k] = .string(String(decoding: v, as: UTF8.self)) }
            case 12: if let e = p.data { let (k, v) = try entry(e); annotations[k] = .string(String(decoding: v, as: UTF8.self)) }
            case 14: finalizers.append(.string(p.string ?? ""))
            default: break
            }
        }
        for key in ["name", "generateName", "namespace", "resourceVersion"] where meta[key]?.stringValue == "" { meta[key] = nil }
        if !labels.isEmpty { meta["labels"] = .object(labels) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        return meta
    }
}
