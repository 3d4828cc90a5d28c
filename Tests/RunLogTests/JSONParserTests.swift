import Testing

@testable import RunLog

@Suite struct JSONParserTests {
    @Test func parsesEscapesAndSurrogates() throws {
        let v = try JSONParser.parse(#"{"a":"x\n\"y\" \u00e9 \ud83d\ude00","b":[1,-2.5e3,true,null]}"#)
        #expect(v["a"] == .string("x\n\"y\" é 😀"))
        #expect(v["b"] == .array([.number(1, 1), .number(-2500, nil), .bool(true), .null]))
    }

    @Test func rejectsMalformedInput() {
        for bad in ["{", "{\"a\":}", "[1,]", "{\"a\":1}x", "\"\u{01}\"", "{\"a\":1,\"a\":2}", "01x", "-", "nul"] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    @Test func writerOutputParsesBack() throws {
        var w = JSONWriter()
        let value = JSONValue.object([
            ("s", .string("tab\tquote\"back\\slash\u{7f}")), ("n", .number(0.1, nil)), ("i", .number(-7, -7)),
            ("a", .array([.bool(false), .null])),
        ])
        w.value(value)
        let back = try w.bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
        #expect(back == value)
    }
}
