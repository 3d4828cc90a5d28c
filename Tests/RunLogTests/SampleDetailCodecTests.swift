import ASHA
import Testing

@testable import RunLog

private func roundTrip(_ event: RunEvent) throws -> (RunEvent, String) {
    var w = JSONWriter()
    EventCodec.encode(event, into: &w)
    let text = String(decoding: w.bytes, as: UTF8.self)
    return (try EventCodec.decode(try JSONParser.parse(text)), text)
}

/// The tpe settings of a `run_started` line, or nil when it is another event or sampler.
private func decodedTPE(_ text: String) throws -> TPESettings? {
    guard case .runStarted(let info) = try EventCodec.decode(try JSONParser.parse(text)).body,
        case .tpe(let settings) = info.settings.sampler
    else { return nil }
    return settings
}

@Suite("sampled origin and the sampler setting in the log")
struct SampleDetailCodecTests {
    let config = Configuration([.init(name: "lr", value: .double(0.01))])

    @Test("A sampled event's origin and note survive a round trip; without them nothing is written")
    func sampledDetail() throws {
        let model = RunEvent(
            seq: 1, time: 0.5,
            body: .trialSampled(
                trial: 4, bracket: 0, config: config,
                detail: SampleDetail(origin: .model(resource: 27, observations: 45), note: "follows c.csv:12")))
        let (back, text) = try roundTrip(model)
        #expect(back == model)
        #expect(text.contains(#""origin":"model","model_resource":27,"model_n":45,"note":"follows c.csv:12""#))
        let random = RunEvent(
            seq: 2, time: 1, body: .trialSampled(trial: 5, bracket: 0, config: config, detail: .init(origin: .random)))
        #expect(try roundTrip(random).0 == random)
        for (why, fields) in [
            (CopyReason.worst, #""origin":"copy","copy_of":2,"copy_why":"worst""#),
            (.pad(target: 1), #""origin":"copy","copy_of":2,"copy_why":"pad","copy_for":1"#),
            (.retry, #""origin":"copy","copy_of":2,"copy_why":"retry""#),
        ] {
            let copy = RunEvent(
                seq: 2, time: 1,
                body: .trialSampled(trial: 5, bracket: 0, config: config, detail: .init(origin: .copy(of: 2, why: why)))
            )
            let (copyBack, copyText) = try roundTrip(copy)
            #expect(copyBack == copy)
            #expect(copyText.contains(fields), "\(copyText)")
        }
        let plain = RunEvent(seq: 3, time: 1, body: .trialSampled(trial: 6, bracket: 0, config: config))
        let (plainBack, plainText) = try roundTrip(plain)
        #expect(plainBack == plain && !plainText.contains("origin") && !plainText.contains("note"))
    }

    @Test("A line from before origins existed reads as no detail; a bad origin is refused")
    func oldAndBadLines() throws {
        let old = #"{"seq":1,"t":0,"type":"sampled","trial":0,"bracket":0,"config":{"lr":0.1}}"#
        guard case .trialSampled(_, _, _, let detail) = try EventCodec.decode(try JSONParser.parse(old)).body else {
            Issue.record("not a sampled event")
            return
        }
        #expect(detail == SampleDetail())
        let bad = #"{"seq":1,"t":0,"type":"sampled","trial":0,"bracket":0,"config":{},"origin":"oracle"}"#
        #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(bad)) }
        let noLevel = #"{"seq":1,"t":0,"type":"sampled","trial":0,"bracket":0,"config":{},"origin":"model"}"#
        #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(noLevel)) }
        for bad in [
            #""origin":"copy","copy_why":"worst""#, #""origin":"copy","copy_of":1,"copy_why":"luck""#,
            #""origin":"copy","copy_of":1,"copy_why":"pad""#, #""origin":"copy","copy_of":"x","copy_why":"retry""#,
        ] {
            let line = #"{"seq":1,"t":0,"type":"sampled","trial":3,"bracket":0,"config":{},"# + bad + "}"
            #expect(throws: SchemaError.self, "\(line)") { try EventCodec.decode(try JSONParser.parse(line)) }
        }
    }

    @Test("run_started records a tpe sampler's settings; a random sampler writes none (old logs read as random)")
    func samplerSettings() throws {
        func started(_ sampler: SamplerSettings) -> RunEvent {
            let settings = SchedulerSettings(seed: 3, sampler: sampler)
            return RunEvent(
                seq: 0, time: 0,
                body: .runStarted(
                    RunInfo(
                        name: "n", objective: "o", metric: "m", goal: .minimize, settings: settings, ladders: [[1, 3]],
                        workers: 1, maxSeconds: nil, parameters: ["lr"])))
        }
        let tpe = started(
            .tpe(TPESettings(randomFraction: 0.25, minPoints: 9, candidates: 32, gamma: 0.2, split: .progress)))
        let (back, text) = try roundTrip(tpe)
        #expect(back == tpe)
        #expect(text.contains(#""sampler":{"type":"tpe","random_fraction":0.25,"min_points":9"#))
        let random = started(.random)
        let (randomBack, randomText) = try roundTrip(random)
        #expect(randomBack == random && !randomText.contains("sampler"))
        let badGamma = text.replacingOccurrences(of: #""gamma":0.2"#, with: #""gamma":1.5"#)
        #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(badGamma)) }
        // avoid_duplicates is recorded; logs written before it existed sampled without it.
        #expect(text.contains(#""avoid_duplicates":true"#))
        let old = text.replacingOccurrences(of: #","avoid_duplicates":true"#, with: "")
        let settings = try #require(try decodedTPE(old), "no tpe settings in \(old)")
        #expect(!settings.avoidDuplicates && old != text)
        let badFlag = text.replacingOccurrences(of: #""avoid_duplicates":true"#, with: #""avoid_duplicates":1"#)
        #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(badFlag)) }
        // revisit is recorded too; logs written before it existed sampled without it.
        #expect(text.contains(#""revisit":true"#))
        let noRevisit = text.replacingOccurrences(of: #","revisit":true"#, with: "")
        let noRevisitSettings = try #require(try decodedTPE(noRevisit), "no tpe settings in \(noRevisit)")
        #expect(!noRevisitSettings.revisitStopped && noRevisit != text)
        // exhausted is recorded; logs written before it existed repeated the seed's draw.
        #expect(text.contains(#""exhausted":"rescue""#))
        let noExhausted = text.replacingOccurrences(of: #","exhausted":"rescue""#, with: "")
        let drawSettings = try #require(try decodedTPE(noExhausted), "no tpe settings in \(noExhausted)")
        #expect(drawSettings.exhausted == .draw && noExhausted != text)
        let badExhausted = text.replacingOccurrences(of: #""exhausted":"rescue""#, with: #""exhausted":"pad""#)
        #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(badExhausted)) }
        // split is recorded; logs written before it existed modelled one level's results.
        #expect(text.contains(#""split":"progress""#))
        let noSplit = text.replacingOccurrences(of: #","split":"progress""#, with: "")
        let levelSettings = try #require(try decodedTPE(noSplit), "no tpe settings in \(noSplit)")
        #expect(levelSettings.split == .level && noSplit != text)
        let level = started(.tpe(TPESettings()))
        let (levelBack, levelText) = try roundTrip(level)
        #expect(levelBack == level && levelText.contains(#""split":"level""#))
        for bad in [#""split":"best""#, #""split":1"#] {
            let text = text.replacingOccurrences(of: #""split":"progress""#, with: bad)
            #expect(throws: SchemaError.self) { try EventCodec.decode(try JSONParser.parse(text)) }
        }
    }
}
