import Dashboard
import Dispatch
import RunFixtures
import RunLog
import Testing

@Suite("Event inbox")
struct EventInboxTests {
    @Test func drainsEverythingInArrivalOrderPerProducer() {
        let inbox = EventInbox()
        let producers = 4
        let perProducer = 5000
        DispatchQueue.concurrentPerform(iterations: producers) { p in
            for i in 0..<perProducer {
                inbox.receive(RunEvent(seq: p * perProducer + i, time: Double(i), body: .runPaused(by: .user)))
            }
        }
        var all: [RunEvent] = []
        all += inbox.drain()
        #expect(inbox.drain().isEmpty)
        #expect(all.count == producers * perProducer)
        for p in 0..<producers {
            let mine = all.map(\.seq).filter { $0 / perProducer == p }
            #expect(mine == Array((p * perProducer)..<((p + 1) * perProducer)))
        }
    }

    @Test func foldingTheInboxEqualsFoldingTheStream() {
        let events = RecordedRun.events(count: 200, workers: 3)
        let inbox = EventInbox()
        var model = DashboardModel()
        for (i, e) in events.enumerated() {
            inbox.receive(e)
            if i % 50 == 0 { for d in inbox.drain() { model.apply(d) } }
        }
        for d in inbox.drain() { model.apply(d) }
        let direct = DashboardModel(events: events)
        #expect(model.rungs == direct.rungs)
        #expect(model.workers == direct.workers)
        #expect(model.eventCount == events.count)
    }
}
