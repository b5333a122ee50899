import ArgumentParser
import VNetIPAM
import VNetModel
import VNetState
import VNetSystem
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

    /// The chosen network's store; state commands need neither netlink nor the recorded configuration.
    static func store(_ options: GlobalOptions) throws -> StateStore {
        if let name = options.netns { try NetworkNamespace(named: name).enter() }
        return try StateStore(dataDir: options.stateDir, network: try Context.chooseNetwork(options), create: false)
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify that the state loads and is consistent.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let store = try StateCommand.store(options)
            if let problem = store.verify() {
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
            let state = try StateCommand.store(options).load()
            Output.line(String(decoding: try StateCodec.encode(state), as: UTF8.self), newline: false)
        }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recover a corrupt state from the last good copy.",
            discussion: "The corrupt file is kept as state.json.corrupt-<time>. Addresses the lost commit may have handed out are put into cool-down.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try Privilege.requireRoot("state repair")
            let network = try Context.chooseNetwork(options)
            let store = try StateCommand.store(options)
            let report: RepairReport
            if let service = try IPAMService.recorded(stateDir: options.stateDir, network: network) {
                report = try service.repair()
            } else {
                report = try store.repair(lockTimeout: 10) { _, _ in [] }
            }
            Audit.record(stateDir: options.stateDir, network: network, command: "state repair",
                         before: report.problem ?? "valid", after: report.action)
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
