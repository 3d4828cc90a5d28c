import ArgumentParser
import Foundation
import Objectives

/// `ashb-top objectives`: lists the built-in objectives.
struct ObjectivesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objectives",
        abstract: "List the built-in objectives an experiment spec can name.")

    func run() throws {
        let width = ObjectiveCatalog.entries.map(\.name.count).max() ?? 0
        for e in ObjectiveCatalog.entries {
            Console.out(e.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + e.summary + "\n")
            for o in e.options { Console.out("    " + o.description + "\n") }
        }
    }
}
