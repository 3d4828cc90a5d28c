import Testing

@testable import RunLog

/// Commands on the wire: every command round-trips; hostile or malformed ones are refused with the key.
@Suite struct CommandCodecTests {
    func line(_ c: Command) -> String {
        var w = JSONWriter()
        CommandCodec.encode(c, into: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    func decode(_ text: String) throws -> Command { try CommandCodec.decode(try JSONParser.parse(text)) }

    @Test func everyCommandRoundTrips() throws {
        let all: [Command] = [
            .pauseTrial(3), .resumeTrial(4), .killTrial(0), .pauseRun, .resumeRun, .setWorkers(7),
            .stopRun(reason: "user quit"),
        ]
        for c in all { #expect(try decode(line(c)) == c) }
        #expect(line(.pauseTrial(12)) == #"{"command":"pause_trial","trial":12}"#)
        #expect(line(.setWorkers(3)) == #"{"command":"set_workers","count":3}"#)
    }

    @Test func malformedCommandsNameWhatIsWrong() {
        let cases: [(String, String)] = [
            (#"{"command":"pause_trial"}"#, "'trial'"),
            (#"{"command":"pause_trial","trial":-1}"#, "'trial'"),
            (#"{"command":"pause_trial","trial":1.5}"#, "'trial'"),
            (#"{"command":"set_workers","count":0}"#, "'count'"),
            (#"{"command":"set_workers","count":100000}"#, "'count'"),
            (#"{"command":"rm -rf"}"#, "unknown command"),
            (#"{"trial":1}"#, "'command'"),
            (#"[1,2]"#, "object"),
            (#"{"command":"stop_run","reason":"a\u001b[2Jb"}"#, "control characters"),
            ("{\"command\":\"stop_run\",\"reason\":\"\(String(repeating: "x", count: 201))\"}", "longer than"),
        ]
        for (text, expected) in cases {
            do {
                _ = try decode(text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }
}
