import ArgumentParser
import VNetModel
import VNetOperations
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `vnetctl state check | export | repair`.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Verify, dump or repair the durable state.",
        subcommands: [Check.self, Export.self, Repair.self])

    /// The chosen network's state; state commands need neither netlink nor the recorded configuration.
    static func state(_ options: GlobalOptions) throws -> StateMaintenance {
        if let name = options.netns { try NodeAssembly.enterNetworkNamespace(named: name) }
        return try StateMaintenance(stateDir: options.stateDir, network: try Context.chooseNetwork(options))
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify that the state loads and is consistent.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let store = try StateCommand.state(options)
            if let problem = store.problem() {
                Output.line(options.json ? Output.json(["ok": .bool(false), "problem": .string(problem)]) : "corrupt: \(problem)")
                throw ExitCode(1)
            }
            let state = try store.load()
            Output.line(options.json
                ? Output.json(["ok": .bool(true), "leases": .number(Double(state.leases.count)),
                               "endpoints": .number(Double(state.endpoints.count)), "generation": .number(Double(state.generation))])
                : "ok: \(state.leases.count) leases, \(state.endpoints.count) endpoints, generation \(state.generation)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the state document.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            Output.line(String(decoding: try StateCommand.state(options).exported(), as: UTF8.self), newline: false)
        }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recover a corrupt state from the last good copy.",
            discussion: "The corrupt file is kept as state.json.corrupt-<time>. Addresses the lost commit may have handed out are put into cool-down.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try Privilege.requireRoot("state repair")
            let report = try StateCommand.state(options).repair(by: Caller(tool: "vnetctl", command: "state repair"))
            if options.json {
                Output.line(Output.encode(report))
            } else {
                Output.line("\(report.action)\(report.problem.map { " (was: \($0))" } ?? "")")
                if let kept = report.keptCorruptCopy { Output.line("corrupt file kept as \(kept)") }
                Output.line("\(report.leases) leases; \(report.quarantined) addresses put into cool-down")
            }
        }
    }
}
