import Testing
@testable import Kube

@Suite struct JSONValueTests {
    @Test func roundTripKeepsUnknownFieldsAndIntegers() throws {
        let text = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","x-unknown":{"deep":[1,2.5,true,null,"s"]}},"big":9007199254740993}"#
        let value = try JSONParser.parse(text)
        #expect(value["big"] == .int(9_007_199_254_740_993))
        #expect(value[path: "metadata.x-unknown.deep"]?[1] == .double(2.5))
        let again = try JSONParser.parse(value.serialized())
        #expect(again == value)
    }

    @Test func escapesAndSurrogatesDecode() throws {
        let value = try JSONParser.parse(#""a\"b\\c\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c\né😀"))
        #expect(try JSONParser.parse(value.serialized()) == value)
    }

    @Test func loneSurrogateIsRepairedNotFatal() throws {
        #expect(try JSONParser.parse(#""x\ud800y""#) == .string("x\u{FFFD}y"))
    }

    @Test func invalidUTF8IsRepaired() throws {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0x22]
        #expect(try JSONParser.parse(bytes) == .string("a\u{FFFD}b"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "01x", "1.", "\"abc", "{} {}", "\"a\u{01}\""])
    func malformedInputIsAnErrorWithAnOffset(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func deepNestingIsRejectedNotACrash() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func pathSetCreatesIntermediateObjects() {
        var value = JSONValue.emptyObject
        value[path: "metadata.labels.app"] = "web"
        #expect(value == ["metadata": ["labels": ["app": "web"]]])
        value[path: "metadata.labels.app"] = nil
        #expect(value == ["metadata": ["labels": [:]]])
    }

    @Test func yamlRoundTripQuotesAmbiguousStrings() throws {
        let value: JSONValue = ["a": "true", "b": "1", "c": "", "d": true, "e": 3, "f": ["x", "null"]]
        let yaml = value.yamlString()
        #expect(try JSONValue.parseYAML(yaml) == value)
    }

    @Test func yamlErrorsNameTheLineButNotTheText() {
        do {
            _ = try JSONValue.parseYAML("token: abc\n  secret: [unclosed\n")
            Issue.record("expected an error")
        } catch {
            #expect(error.line != nil)
            #expect(!error.description.contains("abc"))
        }
    }
}

@Suite struct JSONProjectionTests {
    static let job: JSONValue = [
        "kind": "Job", "apiVersion": "batch/v1",
        "metadata": ["name": "j", "namespace": "ns", "uid": "u", "resourceVersion": "7",
                     "labels": ["a.b/c": "d"], "managedFields": [["manager": "x", "fieldsV1": ["f:spec": [:]]]]],
        "spec": ["template": ["spec": ["containers": [["name": "c", "command": ["sh", "-c", "echo \"}]\" \\\\"]]]]]],
        "status": ["conditions": [["type": "Complete", "status": "True", "message": "m"], ["type": "X", "status": "False"]]],
    ]
    static let projection = JSONProjection([["metadata", "labels"], ["status", "conditions", "type"]])

    @Test func selectiveParseEqualsProjectingAFullParse() throws {
        let bytes = Self.job.serialized()
        let selective = try JSONParser.parse(bytes, projection: Self.projection)
        #expect(selective == Self.projection.apply(try JSONParser.parse(bytes)))
        #expect(selective == ["metadata": ["labels": ["a.b/c": "d"]], "status": ["conditions": [["type": "Complete"], ["type": "X"]]]])
    }

    @Test func identityFieldsAreAlwaysKept() throws {
        let value = try JSONParser.parse(Self.job.serialized(), projection: Self.projection.withIdentity)
        #expect(value[path: "metadata.resourceVersion"] == "7")
        #expect(value["kind"] == "Job")
        #expect(value[path: "metadata.managedFields"] == nil)
        #expect(value["spec"] == nil)
    }

    @Test(arguments: [#"{"spec":{"a":[1,2}}"#, #"{"spec":"unterminated}"#, #"{"spec":{"a":1}"#, #"{"spec":]}"#])
    func skippedPartsMustStillBeWellFormed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8), projection: JSONProjection([["status"]])) }
    }

    @Test func skippingDeepNestingIsBoundedToo() {
        let text = "{\"spec\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8), projection: JSONProjection([["status"]])) }
    }
}
