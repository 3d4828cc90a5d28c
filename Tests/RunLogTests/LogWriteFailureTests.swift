import ASHA
import Dispatch
import Foundation
import Testing

@testable import RunLog

/// A log that cannot be written is noticed at its first failed write, not at exit (issue 10, item 7).
@Suite struct LogWriteFailureTests {
    @Test func theFirstFailedWriteIsReportedOnceAndNothingIsWrittenAfterIt() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let writer = LogWriter(descriptor: fd, path: "/dev/full")
        let reported = DispatchSemaphore(value: 0)
        let count = Counter()
        writer.onFailure { message in
            count.add(message)
            reported.signal()
        }
        writer.receive(RunEvent(seq: 0, time: 0, body: .trialKilled(trial: 0)))  // ends a trial: flushed at once
        #expect(reported.wait(timeout: .now() + 30) == .success)
        #expect(writer.error?.contains("No space left on device") == true, "\(String(describing: writer.error))")
        writer.receive(RunEvent(seq: 1, time: 0, body: .trialKilled(trial: 1)))
        writer.close()
        #expect(count.messages.count == 1)
        #expect(count.messages.first == writer.error)
    }

    @Test func aHandlerSetAfterTheFailureIsCalledToo() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let writer = LogWriter(descriptor: fd, path: "/dev/full")
        writer.receive(RunEvent(seq: 0, time: 0, body: .runEnded(reason: "x")))
        #expect(writer.error != nil)
        let reported = DispatchSemaphore(value: 0)
        writer.onFailure { _ in reported.signal() }
        #expect(reported.wait(timeout: .now() + 30) == .success)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ m: String) {
        lock.lock()
        list.append(m)
        lock.unlock()
    }
    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return list
    }
}
