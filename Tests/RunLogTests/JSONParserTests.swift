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

    @Test func containersAndTheirErrorsWithOffsets() throws {
        #expect(
            try JSONParser.parse(#"{ "a" : [ ] , "b" : { } , "c" : [ [ ] , { } ] }"#)
                == .object([("a", .array([])), ("b", .object([])), ("c", .array([.array([]), .object([])]))]))
        let cases: [(String, String)] = [
            (#"{"a":1 "b":2}"#, "expected ',' or '}' at byte 8"),
            ("[1 2]", "expected ',' or ']' at byte 4"),
            ("[1,2", "unexpected end of line at byte 5"),
            (#"{"a":1"#, "unexpected end of line at byte 7"),
            ("{1:2}", "expected a member name at byte 2"),
            (#"{"a" 1}"#, "expected ':' at byte 6"),
            (#"[{"a":[1}]"#, "expected ',' or ']' at byte 9"),
            (
                String(repeating: "[", count: 33) + String(repeating: "]", count: 33),
                "nesting deeper than 32 at byte 33"
            ),
        ]
        for (text, message) in cases {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
            do {
                _ = try JSONParser.parse(text)
            } catch {
                #expect("\(error)" == message, "\(text)")
            }
        }
    }
}
