import Testing
import TextSafety

@Suite("Sanitizer")
struct SanitizerTests {
    @Test(arguments: [
        ("evil\u{1b}[2J\u{7}name", "evilname"),
        ("a\u{1b}]0;pwned\u{7}b", "ab"),
        ("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b", "alinkb"),
        ("x\u{9b}31my", "xy"),
        ("x\u{85}y", "x y"),
        ("a\u{90}payload\u{9c}b", "ab"),
        ("abc\u{202E}fed\u{202C}", "abcfed"),
        ("tab\there\nnew\r\0line\u{7f}", "tab here new line"),
        ("e\u{301}t\u{e9}", "\u{e9}t\u{e9}"),
        ("zero\u{200B}width\u{FEFF}", "zerowidth"),
        ("名前", "名前"),
        ("\u{1b}c\u{1b}(Bplain", "plain"),
        ("trailing\u{1b}", "trailing"),
    ])
    func cleansHostileText(input: String, expected: String) {
        #expect(Sanitizer.clean(input) == expected)
    }

    @Test func boundsTheWidth() {
        let s = Sanitizer.clean(String(repeating: "x", count: 100), maxColumns: 10)
        #expect(s.count == 10)
        #expect(s.hasSuffix("…"))
        #expect(Sanitizer.clean("short", maxColumns: 10) == "short")
        #expect(Sanitizer.clean("exactly10!", maxColumns: 10) == "exactly10!")
        #expect(Sanitizer.clean("anything", maxColumns: 0) == "")
    }

    @Test func wideTextKeepsItsCharactersAndCountsTwoColumnsEach() {
        #expect(Sanitizer.clean("学习率测试") == "学习率测试")
        #expect(Sanitizer.columns(of: "学习率测试") == 10)
        #expect(Sanitizer.clean("lr 🙂 ok") == "lr 🙂 ok")
        #expect(Sanitizer.columns(of: "lr 🙂 ok") == 8)
        // Cut by columns, never through a wide character.
        #expect(Sanitizer.clean("学习率测试", maxColumns: 6) == "学习…")
        #expect(Sanitizer.clean("a学习率", maxColumns: 4) == "a学…")
    }

    @Test func bytesAreRepairedThenCleaned() {
        let bytes: [UInt8] = Array("ok\u{1b}]52;c;SGVsbG8=\u{7}\n".utf8) + [0xFF, 0xFE] + Array("\tend\n".utf8)
        #expect(Sanitizer.clean(bytes: bytes) == "ok \u{FFFD}\u{FFFD} end")
    }

    /// The hostile metric name of issue 10: title, clear screen, clipboard write.
    @Test func theIssuesHostileMetricNameIsInert() {
        let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}]52;c;SGVsbG8=\u{7}loss"
        #expect(Sanitizer.clean(hostile) == "loss")
    }
}
