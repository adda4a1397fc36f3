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
