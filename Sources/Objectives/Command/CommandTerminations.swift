import Dispatch
import Foundation

/// Terminates children in the background, so that ending a trial never blocks the tuner for a
/// child's grace period; `waitForAll()` waits until every termination asked for so far is done.
public enum CommandTerminations {
    private static let group = DispatchGroup()
    private static let queue = DispatchQueue(label: "ashb.command.terminations", attributes: .concurrent)

    /// On a background queue: asks the program to end (SIGTERM and SIGCONT to a local group, `scancel`
    /// for a Slurm job), SIGKILL after `grace` seconds if it has not, and reaps it.
    static func terminate(_ child: any TrialProcess, grace: Double) {
        group.enter()
        queue.async {
            child.beginTermination()
            child.terminate(grace: grace)
            group.leave()
        }
    }

    /// Waits until every child whose termination has begun has been reaped (e.g. before exiting).
    public static func waitForAll() {
        group.wait()
    }
}
