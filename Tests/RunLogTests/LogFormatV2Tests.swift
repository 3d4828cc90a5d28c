import ASHA
import Foundation
import Testing

@testable import RunLog

/// Log format version 2: event lines without `seq` (an event's number is its place), and a wall-clock
/// log's `t` to the microsecond; version 1 logs still read as they were written.
@Suite struct LogFormatV2Tests {
    static let wall = EventLineFormat.of(version: 2, simulated: false)
    static let simulated = EventLineFormat.of(version: 2, simulated: true)

    func line(_ event: RunEvent, _ format: EventLineFormat) -> String {
        var w = JSONWriter()
        EventCodec.encode(event, into: &w, format: format)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Writes `events` to a new log with `header` (and `segmentBytes`) and returns its path.
    func written(_ events: [RunEvent], header: LogHeader, segmentBytes: Int? = nil) throws -> String {
        let path = temporaryDirectory() + "/events.jsonl"
        let w = try LogWriter(creating: path, header: header, segmentBytes: segmentBytes)
        for (i, e) in events.enumerated() {
            w.receive(e)
            if i % 20 == 0 { w.flush() }
        }
        w.close()
        return path
    }

    /// Whether the events' bodies are the same (NaN equal to NaN), whatever their numbers and times.
    func sameBodies(_ a: [RunEvent], _ b: [RunEvent]) -> Bool {
        sameEvents(
            a.map { RunEvent(seq: 0, time: 0, body: $0.body) }, b.map { RunEvent(seq: 0, time: 0, body: $0.body) })
    }

    func rawLines(_ path: String) throws -> [String] {
        let lines = try LogLineReader(log: path)
        var out: [String] = []
        while let l = try lines.nextLine() { out.append(String(decoding: l, as: UTF8.self)) }
        return out
    }

    @Test func version2EventLinesAreByteForByteTheFormat() throws {
        let events = LogFormatGoldenTests().events()
        let lines = events.map { line($0, Self.wall) }
        let expected = Self.expectedEvents.split(separator: "\n").map(String.init)
        #expect(lines.count == expected.count)
        for (got, want) in zip(lines, expected) { #expect(got == want) }
        // Read back at their places: the same events, times to the microsecond.
        for (i, (text, event)) in zip(lines, events).enumerated() {
            let back = try EventCodec.decode(try JSONParser.parse(text), place: event.seq)
            var rounded = event
            rounded.time = (event.time * 1e6).rounded() / 1e6
            #expect(back.seq == event.seq, "line \(i)")
            #expect(sameEvents([back], [rounded]), "line \(i)")
        }
        // A simulated clock's times are written whole (a resumed simulated run goes on from them).
        let sim = events.map { line($0, Self.simulated) }
        #expect(
            sim[1]
                == #"{"t":0.125000001,"type":"sampled","trial":0,"bracket":1,"config":{"lr":0.001,"units":64,"opt":"sgd","nesterov":true,"whole":3.0}}"#
        )
        for (text, event) in zip(sim, events) {
            #expect(sameEvents([try EventCodec.decode(try JSONParser.parse(text), place: event.seq)], [event]))
        }
        let header = LogHeader(program: "ashb-top 0.1.0", spec: "", seed: 3, simulated: true)
        #expect(
            String(decoding: header.encoded(), as: UTF8.self)
                == #"{"ashb_log":2,"program":"ashb-top 0.1.0","seed":"3","clock":"simulated","base_directory":null,"spec":""}"#
        )
    }

    /// `t` to the microsecond: one to six fraction digits, parsed back as the rounded value.
    @Test func timesAreWrittenToTheMicrosecond() throws {
        let pinned: [(Double, String)] = [
            (0, "0.0"), (1e-9, "0.0"), (4e-7, "0.0"), (6e-7, "0.000001"), (0.000123, "0.000123"), (2.5, "2.5"),
            (7, "7.0"), (3.14159265358979, "3.141593"), (59.9999996, "60.0"), (12345.0000014, "12345.000001"),
            (-1.25, "-1.25"), (-4e-7, "0.0"), (86_400.1, "86400.1"), (999_999_999.999_999, "999999999.999999"),
        ]
        for (t, text) in pinned {
            var w = JSONWriter()
            w.microseconds(t)
            #expect(String(decoding: w.bytes, as: UTF8.self) == text, "\(t)")
        }
        // Out of range or not finite: written as `double` writes them.
        for t in [1e9, -2e12, .infinity, .nan] {
            var a = JSONWriter()
            var b = JSONWriter()
            a.microseconds(t)
            b.double(t)
            #expect(a.bytes == b.bytes)
        }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let t = Double(rng.next() % 997_000_000_000) / 997.0
            var w = JSONWriter()
            w.microseconds(t)
            let parsed = try JSONParser.parse(String(decoding: w.bytes, as: UTF8.self))
            guard case .number(let back, _) = parsed else {
                Issue.record("\(t) was not written as a number")
                continue
            }
            #expect(back == (t * 1e6).rounded() / 1e6, "\(t)")
        }
    }

    /// A version 2 log written and read back: events numbered by place, lines without `seq`, wall-clock
    /// times to the microsecond; across segments (closed ones compressed) too.
    @Test func aVersion2LogRoundTrips() throws {
        let events = LogSegmentTests.events(extra: 400).map { e -> RunEvent in
            var e = e
            e.time += 0.123456789
            return e
        }
        for segmentBytes in [nil, 4096] {
            let path = try written(
                events, header: LogHeader(program: "t", spec: "s", seed: 1), segmentBytes: segmentBytes)
            if segmentBytes != nil { #expect(LogSegments.closed(live: path).count > 3) }
            let raw = try rawLines(path)
            #expect(raw.first?.hasPrefix(#"{"ashb_log":2,"#) == true)
            #expect(raw.dropFirst().allSatisfy { $0.hasPrefix(#"{"t":"#) && !$0.contains(#""seq""#) })
            let reader = try LogReader(path: path)
            let back = try reader.readAll()
            #expect(reader.header.version == 2)
            #expect(reader.warnings.isEmpty)
            #expect(back.map(\.seq) == Array(0..<events.count))
            let rounded = events.map { e -> RunEvent in
                var e = e
                e.time = (e.time * 1e6).rounded() / 1e6
                return e
            }
            #expect(sameEvents(back, rounded))
            #expect(back.map(\.time) != events.map(\.time))
            #expect(reader.nextSeq == events.count)
        }
        // A simulated run's times stay whole.
        let sim = try written(events, header: LogHeader(program: "t", spec: "s", seed: 1, simulated: true))
        #expect(sameEvents(try LogReader(path: sim).readAll(), events))
    }

    /// A version 1 log (every line with its `seq`) reads as it was written, and a writer appending to it
    /// goes on in version 1; one appending to a version 2 log goes on in version 2.
    @Test func aVersion1LogReadsAndIsAppendedToInVersion1() throws {
        let events = everyKindOfEvent()
        let half = events.count / 2
        for version in [1, 2] {
            let path = try written(
                Array(events[..<half]), header: LogHeader(version: version, program: "t", spec: "s", seed: 1))
            let reader = try LogReader(path: path)
            _ = try reader.readAll()
            #expect(reader.nextSeq == half)
            let w = try LogWriter(appendingTo: path, validLength: reader.validLength)
            #expect(w.format == (version == 1 ? .withSeq : Self.wall))
            for e in events[half...] { w.receive(e) }
            w.close()
            let raw = try rawLines(path)
            #expect(raw.count == events.count + 1)
            #expect(raw.dropFirst().allSatisfy { $0.hasPrefix(#"{"seq":"#) == (version == 1) })
            let back = try LogReader(path: path).readAll()
            #expect(back.map(\.seq) == events.map(\.seq))
            // everyKindOfEvent's times are k/8 + 1e-9: whole in version 1, to the microsecond in version 2.
            #expect(back.map(\.time) == events.map { version == 1 ? $0.time : ($0.time * 1e6).rounded() / 1e6 })
            #expect(sameBodies(back, events))
        }
        // Version 1's numbers are the lines' own, gaps and all.
        let gappy = logFile([
            #"{"seq":5,"t":0.5,"type":"run_paused","by":"user"}"#,
            #"{"seq":9,"t":0.6,"type":"run_resumed","by":"user"}"#,
        ])
        let reader = try LogReader(path: gappy)
        #expect(try reader.readAll().map(\.seq) == [5, 9])
        #expect(reader.nextSeq == 10)
    }

    /// Bad lines in a version 2 log: an error naming the line, as in version 1; read leniently, a bad line
    /// is skipped with a warning and still takes its number, so the events after it keep theirs. A torn
    /// last line is ignored with a warning and takes none. A line's own `seq` must be its place.
    @Test func badLinesInAVersion2LogAreNamedAndKeepTheNumbering() throws {
        let header = String(decoding: LogHeader(program: "t", spec: "", seed: 1).encoded(), as: UTF8.self)
        let paused = #"{"t":0.5,"type":"run_paused","by":"user"}"#
        let lines = [paused, #"{"t":0.6,"type":"run_res"#, "", paused, #"{"t":0.7,"type":"teleport"}"#, paused]
        let path = logFile(lines + [#"{"t":0.8,"ty"#], header: header, trailingNewline: false)
        let strict = try LogReader(path: path)
        #expect(try strict.next()?.seq == 0)
        do {
            _ = try strict.next()
            Issue.record("a torn middle line was accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.contains("not valid JSON"))
        }
        let lenient = try LogReader(path: path, lenient: true)
        #expect(try lenient.readAll().map(\.seq) == [0, 2, 4])
        #expect(lenient.warnings.count == 3)
        #expect(lenient.warnings.last?.contains("line 8 is incomplete") == true)
        #expect(lenient.nextSeq == 5)

        let disagrees = logFile([paused, #"{"seq":7,"t":0.6,"type":"run_resumed","by":"user"}"#], header: header)
        let reader = try LogReader(path: disagrees)
        _ = try reader.next()
        #expect(throws: LogError.self) { try reader.next() }
        let agrees = logFile([paused, #"{"seq":1,"t":0.6,"type":"run_resumed","by":"user"}"#], header: header)
        #expect(try LogReader(path: agrees).readAll().map(\.seq) == [0, 1])
    }

    /// An index over a version 2 log reads any window again with the events' numbers, across segments and
    /// past a line a lenient reading skipped.
    @Test func anIndexReadsVersion2WindowsWithTheirNumbers() throws {
        let events = LogSegmentTests.events(extra: 600)
        let path = try written(events, header: LogHeader(program: "t", spec: "s", seed: 1), segmentBytes: 8192)
        let reader = try LogReader(path: path)
        let index = LogIndex(path: path, interval: 64)
        var all: [RunEvent] = []
        while let e = try index.next(from: reader) { all.append(e) }
        #expect(all.count == events.count)
        for range in [0..<10, 63..<200, 500..<events.count] {
            let again = try index.events(range)
            #expect(again.map(\.seq) == Array(range))
            #expect(sameBodies(again, Array(events[range])))
        }

        let header = String(decoding: LogHeader(program: "t", spec: "", seed: 1).encoded(), as: UTF8.self)
        var lines = (0..<20).map { #"{"t":\#($0).5,"type":"run_paused","by":"user"}"# }
        lines[5] = "garbled"
        let bad = logFile(lines, header: header)
        let lenient = try LogReader(path: bad, lenient: true)
        let small = LogIndex(path: bad, interval: 4)
        var read: [RunEvent] = []
        while let e = try small.next(from: lenient) { read.append(e) }
        #expect(read.map(\.seq) == Array(0..<5) + Array(6..<20))
        #expect(try small.events(0..<19).map(\.seq) == read.map(\.seq))
        #expect(try small.events(4..<9).map(\.seq) == [4, 6, 7, 8, 9])
    }

    static let expectedEvents = #"""
        {"t":0.0,"type":"run_started","info":{"name":"evil\u001b[2J\"name\"\n","objective":"branin","metric":"value","goal":"maximize","settings":{"variant":"stopping","goal":"maximize","min_resource":2,"max_resource":100,"eta":4,"min_early_stopping_rate":1,"brackets":2,"seed":"18446744073709551615","max_trials":50,"max_total_resource":null},"ladders":[[8,32,100],[32,100]],"workers":3,"max_seconds":12.5,"parameters":["x1","x2"]}}
        {"t":0.125,"type":"sampled","trial":0,"bracket":1,"config":{"lr":0.001,"units":64,"opt":"sgd","nesterov":true,"whole":3.0}}
        {"t":0.25,"type":"job_started","trial":0,"worker":2,"rung":0,"from":0,"to":8}
        {"t":0.375,"type":"metric","trial":0,"resource":1,"value":"NaN"}
        {"t":0.5,"type":"metric","trial":0,"resource":2,"value":"-Infinity"}
        {"t":0.625,"type":"metric","trial":0,"resource":3,"value":0.30000000000000004}
        {"t":0.75,"type":"decision","trial":0,"bracket":1,"rung":0,"resource":8,"value":0.25,"cutoff":null,"rank":1,"n":1,"action":"continue","reason":"tooFewEntries"}
        {"t":0.875,"type":"decision","trial":0,"bracket":1,"rung":1,"resource":32,"value":0.5,"cutoff":0.75,"rank":3,"n":9,"action":"stop","reason":"worseThanCutoff"}
        {"t":1.0,"type":"job_ended","trial":0,"worker":2}
        {"t":1.125,"type":"paused","trial":0,"by":"user"}
        {"t":1.25,"type":"resumed","trial":0,"by":"tuner"}
        {"t":1.375,"type":"killed","trial":0}
        {"t":1.5,"type":"completed","trial":0,"resource":100,"value":1e-300}
        {"t":1.625,"type":"failed","trial":1,"reason":"metric was NaN at resource 3\twith a tab"}
        {"t":1.75,"type":"best","trial":0,"resource":100,"value":42.0}
        {"t":1.875,"type":"run_paused","by":"user"}
        {"t":2.0,"type":"run_resumed","by":"user"}
        {"t":2.125,"type":"workers","count":5,"by":"user"}
        {"t":2.25,"type":"message","trial":3,"text":"checkpoint missing; training again from zero"}
        {"t":2.375,"type":"message","trial":null,"text":"note"}
        {"t":2.5,"type":"run_continued","events":1234}
        {"t":2.625,"type":"run_ended","reason":"user quit"}
        {"t":99.5,"type":"run_started","info":{"name":"full","objective":"command","metric":"loss","goal":"minimize","settings":{"variant":"promotion","goal":"minimize","min_resource":1,"max_resource":27,"eta":3,"min_early_stopping_rate":0,"brackets":3,"seed":"7","max_trials":null,"max_total_resource":1000,"sampler":{"type":"tpe","random_fraction":0.25,"min_points":null,"candidates":32,"gamma":0.2,"min_good":4,"bandwidth_factor":2.5,"min_bandwidth":0.01,"max_kernels":64,"min_distance":0.125,"avoid_duplicates":true,"split":"level","revisit":true,"exhausted":"rescue"}},"ladders":[[1,3,9,27],[3,9,27],[9,27]],"workers":2,"max_seconds":null,"parameters":["lr"],"executor":"slurm:gpu","worker_devices":[["0","1"],["2"]]}}
        {"t":99.5,"type":"sampled","trial":1,"bracket":2,"config":{"lr":"Infinity"},"origin":"model","model_resource":9,"model_n":12,"note":"follows c.csv:3"}
        {"t":99.5,"type":"sampled","trial":2,"bracket":0,"config":{"lr":"Infinity"},"origin":"random"}
        {"t":99.5,"type":"sampled","trial":3,"bracket":0,"config":{"lr":"Infinity"},"note":"n"}
        {"t":99.5,"type":"decision","trial":1,"bracket":2,"rung":1,"resource":27,"value":-0.5,"cutoff":"NaN","rank":2,"n":4,"action":"complete","reason":"topRung"}
        {"t":99.5,"type":"run_ended","reason":"dashboard failed: \"x\""}
        """#
}
