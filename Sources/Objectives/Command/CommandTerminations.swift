import Dispatch
import Foundation

/// Terminates children in the background, so that ending a trial never blocks the tuner for a
/// child's grace period; `waitForAll()` waits until every termination asked for so far is done.
public enum CommandTerminations {
    private static let group = DispatchGroup()
    private static let queue = DispatchQueue(label: "ashb.command.terminations", attributes: .concurrent)

    /// Sends SIGTERM (and SIGCONT) to the group now; SIGKILL follows after `grace` seconds if the
    /// leader has not exited, and the leader is reaped, on a background queue.
    static func terminate(_ child: ChildProcess, grace: Double) {
        child.signalGroup(SIGTERM)
        child.signalGroup(SIGCONT)
        group.enter()
        queue.async {
            child.terminate(grace: grace)
            group.leave()
        }
    }

    /// Waits until every child whose termination has begun has been reaped (e.g. before exiting).
    public static func waitForAll() {
        group.wait()
    }
}
