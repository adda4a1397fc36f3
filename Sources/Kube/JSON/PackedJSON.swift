/// A compact binary form of `JSONValue` for large in-memory caches (`StoreEncoding.compact`).
///
/// Not a wire format: the bytes never leave the process that wrote them, so the layout may change
/// between versions. What makes it small and quick to read back:
///
/// - Strings that recur in Kubernetes objects (field names such as `creationTimestamp`, values such
///   as `batch/v1` or `True`) are one byte: an index into a `PackedJSONVocabulary`.
/// - Timestamps in the API's second-precision form (`2026-12-02T17:19:34Z`), lowercase UUIDs and
///   decimal strings without leading zeros (resourceVersions) are stored as numbers and written
///   back byte for byte; anything else that merely looks like one is kept as text.
/// - Lengths and counts are varints, so reading back needs no scanning, escaping or number parsing.
///
/// Object members are written in sorted key order, so equal values always pack to equal bytes
/// (the store compares packed bytes to see whether an object changed).
enum PackedJSON {
    // Tags. Keys inside objects are not tagged: see `writeKey`.
    static let null: UInt8 = 0, falseTag: UInt8 = 1, trueTag: UInt8 = 2, int: UInt8 = 3, double: UInt8 = 4
    static let text: UInt8 = 5, word: UInt8 = 6, timestamp: UInt8 = 7, uuid: UInt8 = 8, decimal: UInt8 = 9
    static let array: UInt8 = 10, object: UInt8 = 11

    /// Nesting deeper than this does not unpack (the parser already refuses deeper documents).
    static let maxDepth = 1024

    /// `value` packed, in an array allocated to its exact size (caches keep these for a long time).
    static func pack(_ value: JSONValue, vocabulary: PackedJSONVocabulary) -> [UInt8] {
        var scratch: [UInt8] = []
        scratch.reserveCapacity(512)
        write(value, into: &scratch, vocabulary)
        return [UInt8](unsafeUninitializedCapacity: scratch.count) { buffer, count in
            _ = buffer.initialize(from: scratch)
            count = scratch.count
        }
    }

    /// The value `pack` was given, or `nil` if `bytes` are not a complete packed value.
    static func unpack(_ bytes: [UInt8], vocabulary: PackedJSONVocabulary) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer, words: vocabulary.words)
            guard let value = reader.value(depth: 0), reader.offset == buffer.count else { return nil }
            return value
        }
    }

    // MARK: Writing

    static func write(_ value: JSONValue, into out: inout [UInt8], _ vocabulary: PackedJSONVocabulary) {
        switch value {
        case .null: out.append(null)
        case .bool(let b): out.append(b ? trueTag : falseTag)
        case .int(let i):
            out.append(int)
            writeVarint(UInt64(bitPattern: (i << 1) ^ (i >> 63)), into: &out)  // zigzag
        case .double(let d):
            out.append(double)
            var bits = d.bitPattern.bigEndian  // read back by `fixed64`
            withUnsafeBytes(of: &bits) { out.append(contentsOf: $0) }
        case .string(let s): writeString(s, into: &out, vocabulary)
        case .array(let elements):
            out.append(array)
            writeVarint(UInt64(elements.count), into: &out)
            for element in elements { write(element, into: &out, vocabulary) }
        case .object(let members):
            out.append(object)
            writeVarint(UInt64(members.count), into: &out)
            for key in members.keys.sorted() {
                writeKey(key, into: &out, vocabulary)
                write(members[key]!, into: &out, vocabulary)
            }
        }
    }

    /// A key is a varint: even, a vocabulary index (×2); odd, the length of the UTF-8 that follows (×2 + 1).
    static func writeKey(_ key: String, into out: inout [UInt8], _ vocabulary: PackedJSONVocabulary) {
        if let index = vocabulary.exactIndex(of: key) {
            writeVarint(UInt64(index) << 1, into: &out)
        } else {
            writeVarint(UInt64(key.utf8.count) << 1 | 1, into: &out)
            out.append(contentsOf: key.utf8)
        }
    }

    static func writeString(_ s: String, into out: inout [UInt8], _ vocabulary: PackedJSONVocabulary) {
        if let index = vocabulary.exactIndex(of: s) {
            out.append(word)
            out.append(index)
            return
        }
        var s = s
        s.withUTF8 { utf8 in
            if let seconds = timestampSeconds(utf8) {
                out.append(timestamp)
                writeVarint(seconds, into: &out)
            } else if utf8.count == 36, let (high, low) = uuidBits(utf8) {
                out.append(uuid)
                var h = high.bigEndian, l = low.bigEndian
                withUnsafeBytes(of: &h) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: &l) { out.append(contentsOf: $0) }
            } else if let number = decimalValue(utf8) {
                out.append(decimal)
                writeVarint(number, into: &out)
            } else {
                out.append(text)
                writeVarint(UInt64(utf8.count), into: &out)
                out.append(contentsOf: utf8)
            }
        }
    }

    static func writeVarint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    // MARK: Recognised string shapes

    /// Seconds since 1970 for exactly `YYYY-MM-DDTHH:MM:SSZ` (years 1970–9999, a real date and
    /// time), the form the API server writes; `nil` for anything else, which stays text.
    static func timestampSeconds(_ s: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard s.count == 20, s[4] == 0x2D, s[7] == 0x2D, s[10] == 0x54, s[13] == 0x3A, s[16] == 0x3A, s[19] == 0x5A
        else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            var n = 0
            for i in from..<(from + count) {
                let d = Int(s[i]) - 0x30
                guard d >= 0, d <= 9 else { return nil }
                n = n * 10 + d
            }
            return n
        }
        guard let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              year >= 1970, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        let days = Int(KubeTimestamp.daysSinceEpoch(year: Int64(year), month: Int64(month), day: Int64(day)))
        return UInt64(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    static func timestampText(_ seconds: UInt64) -> String? {
        guard seconds < 253_402_300_800 else { return nil }  // 10000-01-01T00:00:00Z
        let s = Int(seconds)
        let (y, m, d) = KubeTimestamp.civilDate(daysSinceEpoch: Int64(s / 86_400))
        let (year, month, day) = (Int(y), Int(m), Int(d))
        let t = s % 86_400
        return String(unsafeUninitializedCapacity: 20) { out in
            func put(_ value: Int, _ at: Int, _ width: Int) {
                var v = value
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    out[i] = UInt8(0x30 + v % 10)
                    v /= 10
                }
            }
            put(year, 0, 4); out[4] = 0x2D; put(month, 5, 2); out[7] = 0x2D; put(day, 8, 2); out[10] = 0x54
            put(t / 3_600, 11, 2); out[13] = 0x3A; put(t / 60 % 60, 14, 2); out[16] = 0x3A; put(t % 60, 17, 2); out[19] = 0x5A
            return 20
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The 128 bits of a lowercase `8-4-4-4-12` hex UUID; `nil` for any other text.
    static func uuidBits(_ s: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        var high: UInt64 = 0, low: UInt64 = 0, nibbles = 0
        for i in 0..<36 {
            let c = s[i]
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == 0x2D else { return nil }
                continue
            }
            let v: UInt64
            switch c {
            case 0x30...0x39: v = UInt64(c - 0x30)
            case 0x61...0x66: v = UInt64(c - 0x61 + 10)
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | v } else { low = low << 4 | v }
            nibbles += 1
        }
        return (high, low)
    }

    static func uuidText(_ high: UInt64, _ low: UInt64) -> String {
        let hex = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { out in
            var at = 0
            for n in 0..<32 {
                if n == 8 || n == 12 || n == 16 || n == 20 { out[at] = 0x2D; at += 1 }
                let word = n < 16 ? high : low
                out[at] = hex[Int(word >> UInt64(60 - (n % 16) * 4) & 0xF)]
                at += 1
            }
            return 36
        }
    }

    /// The value of `0` or of 1–18 digits without a leading zero; `nil` otherwise (kept as text).
    static func decimalValue(_ s: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard (1...18).contains(s.count), s[0] != 0x30 || s.count == 1 else { return nil }
        var n: UInt64 = 0
        for c in s {
            guard c >= 0x30, c <= 0x39 else { return nil }
            n = n * 10 + UInt64(c - 0x30)
        }
        return n
    }

    // MARK: Reading

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let words: [String]
        var offset = 0

        init(bytes: UnsafeBufferPointer<UInt8>, words: [String]) {
            self.bytes = bytes
            self.words = words
        }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while shift < 64 {
                guard let b = byte() else { return nil }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        /// Eight bytes, most significant first.
        mutating func fixed64() -> UInt64? {
            guard bytes.count - offset >= 8 else { return nil }
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(bytes[offset + i]) }
            offset += 8
            return v
        }

        /// `count` bytes as a string (repairing invalid UTF-8, which this process never writes).
        mutating func utf8(_ count: UInt64) -> String? {
            guard count <= UInt64(bytes.count - offset) else { return nil }
            let n = Int(count)
            defer { offset += n }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + n)]), as: UTF8.self)
        }

        mutating func value(depth: Int) -> JSONValue? {
            guard depth <= PackedJSON.maxDepth, let tag = byte() else { return nil }
            switch tag {
            case PackedJSON.null: return .null
            case PackedJSON.falseTag: return .bool(false)
            case PackedJSON.trueTag: return .bool(true)
            case PackedJSON.int:
                guard let z = varint() else { return nil }
                return .int(Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
            case PackedJSON.double:
                guard let bits = fixed64() else { return nil }
                return .double(Double(bitPattern: bits))
            case PackedJSON.text:
                guard let count = varint(), let s = utf8(count) else { return nil }
                return .string(s)
            case PackedJSON.word:
                guard let index = byte(), Int(index) < words.count else { return nil }
                return .string(words[Int(index)])
            case PackedJSON.timestamp:
                guard let seconds = varint(), let s = PackedJSON.timestampText(seconds) else { return nil }
                return .string(s)
            case PackedJSON.uuid:
                guard let high = fixed64(), let low = fixed64() else { return nil }
                return .string(PackedJSON.uuidText(high, low))
            case PackedJSON.decimal:
                guard let n = varint() else { return nil }
                return .string(String(n))
            case PackedJSON.array:
                guard let count = varint(), count <= UInt64(bytes.count - offset) else { return nil }
                var elements: [JSONValue] = []
                elements.reserveCapacity(Int(count))
                for _ in 0..<count {
                    guard let element = value(depth: depth + 1) else { return nil }
                    elements.append(element)
                }
                return .array(elements)
            case PackedJSON.object:
                guard let count = varint(), count <= UInt64(bytes.count - offset) else { return nil }
                var members: [String: JSONValue] = [:]
                members.reserveCapacity(Int(count))
                for _ in 0..<count {
                    guard let key = key(), let member = value(depth: depth + 1) else { return nil }
                    members[key] = member
                }
                return .object(members)
            default:
                return nil
            }
        }

        mutating func key() -> String? {
            guard let k = varint() else { return nil }
            if k & 1 == 1 { return utf8(k >> 1) }
            let index = k >> 1
            guard index < UInt64(words.count) else { return nil }
            return words[Int(index)]
        }
    }
}
