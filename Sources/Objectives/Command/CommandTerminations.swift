import Dispatch
import Foundation

/// Ends processes in the background, so that ending a trial never blocks the tuner for a program's
/// grace period; `waitForAll()` waits until every end asked for so far is done (each is bounded:
/// SIGKILL after the grace period, and a bounded wait for the reaping after that).
public enum CommandTerminations {
    private static let group = DispatchGroup()
    private static let queue = DispatchQueue(label: "ashb.command.terminations", attributes: .concurrent)

    /// Sends SIGTERM (and SIGCONT) now; SIGKILL follows after `grace` seconds if the program has not
    /// exited, and it is reaped, on a background queue.
    static func end(_ process: any LaunchedProcess, grace: Double) {
        process.requestEnd()
        group.enter()
        queue.async {
            process.end(grace: grace)
            group.leave()
        }
    }

    /// Waits until every process whose end has begun is gone (e.g. before exiting).
    public static func waitForAll() {
        group.wait()
    }
}
