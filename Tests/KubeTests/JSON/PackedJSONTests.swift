import Testing
@testable import Kube

@Suite struct PackedJSONTests {
    let vocabulary = PackedJSONVocabulary.kubernetes

    func roundTrip(_ value: JSONValue) -> JSONValue? {
        PackedJSON.unpack(PackedJSON.pack(value, vocabulary: vocabulary), vocabulary: vocabulary)
    }

    static let job = #"""
    {"apiVersion":"batch/v1","kind":"Job","metadata":{"annotations":{"api.practice.com/attempt":"1"},
     "creationTimestamp":"2026-12-02T17:19:34Z","labels":{"api.practice.com/flow":"h","api.practice.com/jobflow":"flow-105"},
     "name":"flow-105-h","namespace":"default","ownerReferences":[{"apiVersion":"api.practice.com/v1alpha1",
     "blockOwnerDeletion":true,"controller":true,"kind":"JobFlow","name":"flow-105","uid":"32de61a4-d60e-44c2-8aa6-4d6b047a81b9"}],
     "resourceVersion":"5235","uid":"4d8478f8-66e9-46bc-bca3-d4be3b1b396e"},
     "status":{"completionTime":"2026-12-02T17:19:34Z","conditions":[{"lastTransitionTime":"2026-12-02T17:19:34Z",
     "message":"Reached expected number of succeeded pods","reason":"CompletionsReached","status":"True","type":"Complete"}],
     "ready":0,"startTime":"2026-12-02T17:19:34Z","succeeded":1,"weird":{"":[-9223372036854775808,9223372036854775807,
     -1.5e-300,0.1,"é😀\u0000\"\\"]}}}
    """#

    @Test func aJobRoundTripsExactlyAndPacksToUnderHalfItsJSON() throws {
        let job = try JSONParser.parse(Self.job)
        let packed = PackedJSON.pack(job, vocabulary: vocabulary)
        #expect(PackedJSON.unpack(packed, vocabulary: vocabulary) == job)
        #expect(packed.count * 2 < job.serialized().count)
        #expect(packed.capacity < packed.count + 32)  // allocated to size, not grown by doubling
    }

    @Test func equalObjectsPackToEqualBytesWhateverTheirMemberOrder() {
        var a = JSONValue.emptyObject, b = JSONValue.emptyObject
        for key in ["zeta", "alpha", "name", "mid", "uid"] { a[key] = .string(key) }
        for key in ["uid", "mid", "alpha", "zeta", "name"] { b[key] = .string(key) }
        #expect(PackedJSON.pack(a, vocabulary: vocabulary) == PackedJSON.pack(b, vocabulary: vocabulary))
    }

    @Test(arguments: [
        "1970-01-01T00:00:00Z", "2000-03-01T00:00:00Z", "2024-02-29T23:59:59Z", "9999-12-31T23:59:59Z",
        "2026-12-02T17:19:34Z",
    ])
    func apiTimestampsArePackedAsSecondsAndWrittenBackTheSame(_ text: String) {
        let packed = PackedJSON.pack(.string(text), vocabulary: vocabulary)
        #expect(packed.first == PackedJSON.timestamp)
        #expect(packed.count <= 7)
        #expect(roundTrip(.string(text)) == .string(text))
    }

    @Test func timestampSecondsMatchTheCalendar() {
        func seconds(_ text: String) -> UInt64? {
            var text = text
            return text.withUTF8 { PackedJSON.timestampSeconds($0) }
        }
        #expect(seconds("1970-01-01T00:00:00Z") == 0)
        #expect(seconds("2000-03-01T00:00:00Z") == 951_868_800)
        #expect(seconds("2024-02-29T23:59:59Z") == 1_709_251_199)
        #expect(seconds("2026-12-02T17:19:34Z") == 1_796_231_974)
        #expect(seconds("9999-12-31T23:59:59Z") == 253_402_300_799)
        // Every day from 1970 to 2200 comes back as the same text.
        for day in stride(from: 0, to: 84_000, by: 1) {
            let s = UInt64(day) * 86_400 + UInt64(day % 86_400)
            guard let text = PackedJSON.timestampText(s) else { Issue.record("no text for \(s)"); return }
            #expect(seconds(text) == s)
        }
    }

    @Test(arguments: [
        "2026-12-02T17:19:34.5Z", "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-12-02T24:00:00Z", "2026-12-02T23:60:00Z", "2026-12-02T23:59:60Z", "1969-12-31T23:59:59Z",
        "2026-12-02 17:19:34Z", "2026-12-02T17:19:34+00:00", "2026-12-0aT17:19:34Z",
        "4D8478F8-66E9-46BC-BCA3-D4BE3B1B396E", "4d8478f8x66e9-46bc-bca3-d4be3b1b396e", "4d8478f8-66e9-46bc-bca3-d4be3b1b396",
        "4d8478f8-66e9-46bc-bca3-d4be3b1b396g",
        "", "0", "007", "-1", "+1", "1 ", "123456789012345678", "1234567890123456789", "99999999999999999999999",
        "１２", "😀", "\u{0}", "True", "true", "batch/v1", "OOM\u{212A}illed", "e\u{301}",
    ])
    func stringsComeBackByteForByteWhateverTheyLookLike(_ text: String) {
        #expect(roundTrip(.string(text)) == .string(text))
        #expect(roundTrip(["k": .string(text), text: .string(text)]) == ["k": .string(text), text: .string(text)])
    }

    @Test func lowercaseUUIDsAndPlainDecimalsArePackedAsNumbers() {
        let uuid = PackedJSON.pack(.string("4d8478f8-66e9-46bc-bca3-d4be3b1b396e"), vocabulary: vocabulary)
        #expect(uuid.first == PackedJSON.uuid && uuid.count == 17)
        let rv = PackedJSON.pack(.string("5235"), vocabulary: vocabulary)
        #expect(rv.first == PackedJSON.decimal && rv.count == 3)
        #expect(PackedJSON.pack(.string("007"), vocabulary: vocabulary).first == PackedJSON.text)
    }

    @Test func numbersKeepTheirExactKindAndBits() {
        for i: Int64 in [0, 1, -1, 63, -64, 64, Int64.max, Int64.min, 1 << 40] {
            #expect(roundTrip(.int(i)) == .int(i))
        }
        for d in [0.0, -0.0, 1.5, -1e300, Double.leastNonzeroMagnitude, .infinity, -.infinity, 1.0] {
            guard case .double(let back) = roundTrip(.double(d)) else { Issue.record("\(d) not a double"); continue }
            #expect(back.bitPattern == d.bitPattern)
        }
        guard case .double(let nan) = roundTrip(.double(.nan)) else { Issue.record("NaN lost"); return }
        #expect(nan.isNaN)
    }

    @Test func everyTruncationAndCorruptionReadsAsNilOrAValueNeverACrash() throws {
        let job = try JSONParser.parse(Self.job)
        let packed = PackedJSON.pack(job, vocabulary: vocabulary)
        for length in 0..<packed.count {
            #expect(PackedJSON.unpack(Array(packed[..<length]), vocabulary: vocabulary) == nil)
        }
        #expect(PackedJSON.unpack(packed + [0], vocabulary: vocabulary) == nil)  // trailing bytes
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        for _ in 0..<2_000 {
            var bytes = packed
            for _ in 0..<(1 + Int(next() % 4)) {
                bytes[Int(next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: next())
            }
            _ = PackedJSON.unpack(bytes, vocabulary: vocabulary)
        }
        // Counts far beyond the bytes left, and nesting beyond the limit.
        #expect(PackedJSON.unpack([PackedJSON.array, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], vocabulary: vocabulary) == nil)
        #expect(vocabulary.words.count < 256)
        #expect(PackedJSON.unpack([PackedJSON.word, UInt8(vocabulary.words.count)], vocabulary: vocabulary) == nil)
        var deep: [UInt8] = []
        for _ in 0..<2_000 { deep += [PackedJSON.array, 1] }
        deep.append(PackedJSON.null)
        #expect(PackedJSON.unpack(deep, vocabulary: vocabulary) == nil)
    }

    @Test func vocabularyKeepsItsFirstTwoHundredFiftySixDistinctWords() {
        #expect(PackedJSONVocabulary.kubernetes.words.count <= 256)
        let extra = (0..<400).map { "word-\($0)" }
        let vocabulary = PackedJSONVocabulary(extraWords: ["apiVersion", "word-0"] + extra)
        #expect(vocabulary.words.count == 256)
        #expect(Set(vocabulary.words).count == 256)
        #expect(vocabulary.index["word-0"] != nil)
        let value: JSONValue = ["word-399": "word-399", "word-0": "word-0"]
        #expect(PackedJSON.unpack(PackedJSON.pack(value, vocabulary: vocabulary), vocabulary: vocabulary) == value)
    }
}
