import ArgumentParser
import Foundation
import Objectives

/// `ashb-top objectives`: lists the built-in objectives.
struct ObjectivesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objectives",
        abstract: "List the built-in objectives an experiment spec can name, their options and hyperparameters.",
        discussion: """
            Options go in the spec's objective mapping (objective: {name: branin, noise: 0.1}); hyperparameters \
            are the names of the spec's space. A space that can give a hyperparameter a value its objective \
            refuses is a spec error.
            """)

    func run() throws {
        let width = ObjectiveCatalog.entries.map(\.name.count).max() ?? 0
        for e in ObjectiveCatalog.entries {
            Console.out(e.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + e.summary + "\n")
            for o in e.options { Console.out("    " + o.description + "\n") }
            if !e.hyperparameters.isEmpty {
                Console.out("  hyperparameters:\n")
                for h in e.hyperparameters { Console.out("    " + h + "\n") }
            }
        }
    }
}
