import ArgumentParser
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetAgent
import VNetModel
import VNetOperations

/// `vnetctl vnet ...`: the VNet this node's network belongs to, read from (and, for forget-node, changed in)
/// the registry named by the network's recorded configuration.
struct VNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vnet", abstract: "The VNet across nodes: quota, nodes, conflicts; forget a node that is gone.",
        subcommands: [VNetStatusCommand.self, VNetNodesCommand.self, VNetConflictsCommand.self, VNetBlocksCommand.self,
                      VNetRoutesCommand.self, ForgetNodeCommand.self],
        defaultSubcommand: VNetStatusCommand.self)
}

/// The registry of the chosen network, and a way to wait for its async calls from a synchronous command.
struct RegistrySession {
    let context: Context
    let settings: RegistrySettings
    let vnet: VNetSession

    init(_ options: GlobalOptions) throws {
        context = try Context(options)
        guard let settings = context.ipam?.config.registry else {
            throw CLIError("network \(context.network) belongs to no VNet: its ipam has no \"registry\" (docs/vnet.md)")
        }
        self.settings = settings
        // Made here, on the thread that entered --netns: the client's thread and sockets are the node's.
        vnet = VNetSession(settings: settings, cooldown: context.ipam?.config.cooldown)
    }

    var thisNode: String? { vnet.nodeName }

    /// Runs `body` to its end; the client is shut down after unless `keepOpen`.
    func wait<T: Sendable>(keepOpen: Bool = false, _ body: @escaping @Sendable (VNetSession) async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let session = vnet
        Task {
            do { box.result = .success(try await body(session)) } catch { box.result = .failure(error) }
            if !keepOpen { await session.shutdown() }
            done.signal()
        }
        done.wait()
        guard let result = box.result else { throw CLIError("the registry call ended without an answer") }
        return try result.get()
    }

    /// The VNet now; when the registry cannot be reached, says so with what this node was last granted, and
    /// exits 1.
    func status(json: Bool) throws -> VNetStatus {
        let vnet = settings.vnet
        do {
            return try wait { session in try await session.status() }
        } catch {
            let grant = context.ipam.flatMap { NodeGrant.read(directory: $0.store.directory) }
            if json {
                var object: [String: JSONValue] = ["vnet": .string(vnet), "registry": RegistryHealth(members: [], lastError: "\(error)").json]
                object["lastGrant"] = grant.flatMap { try? JSONParser.parse($0.json) } ?? .null
                Output.line(Output.json(object))
            } else {
                Output.error("vnetctl: \(error)")
                if let grant {
                    Output.error("this node's last grant (\(Int(Date().timeIntervalSince(grant.updatedAt)))s old): \(grant.reserved) pods reserved; VNet limit \(grant.vnetLimit), \(grant.vnetReserved) reserved across its nodes")
                } else {
                    Output.error("this node has no granted reservation on record (is vnetd running?)")
                }
            }
            throw ExitCode(1)
        }
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

struct VNetStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The VNet's quota, its nodes and conflicts.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let session = try RegistrySession(options)
        let vnet = try session.status(json: options.json)
        if options.json { return Output.line(Output.json(vnet.json.objectValue ?? [:])) }
        Output.line("vnet       \(vnet.vnet)   limit \(vnet.limit)   used \(vnet.used)   reserved \(vnet.reserved)   free \(vnet.free)   unreserved \(vnet.unreserved)")
        if let pressure = vnet.pressureFrom { Output.line("pressure   \(pressure) waits for room: every node gives back its headroom") }
        Output.line("registry   " + RegistryLines.health(vnet.registry))
        Output.line("")
        Output.line(NodeTable.render(vnet, thisNode: session.thisNode))
        if !vnet.conflicts.isEmpty {
            Output.line("")
            for conflict in vnet.conflicts { Output.line("CONFLICT: \(conflict.explanation)") }
        }
    }
}

struct VNetNodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nodes", abstract: "The VNet's nodes: used, reserved, heartbeat, leaks, pools.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let session = try RegistrySession(options)
        let vnet = try session.status(json: options.json)
        if options.json { return Output.line(Output.json(["nodes": .array(vnet.nodes.map(\.json))])) }
        Output.line(NodeTable.render(vnet, thisNode: session.thisNode))
    }
}

struct VNetConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Overlapping pools and addresses leased on two nodes. Exit 3 when there is any.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let vnet = try RegistrySession(options).status(json: options.json)
        if options.json {
            Output.line(Output.json(["conflicts": .array(vnet.conflicts.map(\.json))]))
        } else {
            Output.line(vnet.conflicts.isEmpty ? "no conflicts" : vnet.conflicts.map(\.explanation).joined(separator: "\n"))
        }
        if !vnet.conflicts.isEmpty { throw ExitCode(3) }
    }
}

struct ForgetNodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget-node", abstract: "Return a lost node's reservation to the VNet: show the plan, then confirm.",
        discussion: "Refused while the node's heartbeat is alive. Forgetting a node that is only cut off lets the VNet over-commit until it returns: its pods keep their addresses.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The node's name in the VNet.") var name: String
    @Flag(name: .long, help: "Carry out the plan without asking.") var yes = false
    @Flag(name: .long, help: "Show the plan only.") var dryRun = false

    func validate() throws {
        guard RegistryKeys.isValidName(name) else { throw ValidationError("\(name) is not a node name") }
    }

    func run() throws {
        let session = try RegistrySession(options)
        let name = self.name
        let plan = try session.wait(keepOpen: true) { vnet in try await vnet.planForget(node: name) }
        if !options.json {
            Output.line(plan.changes.isEmpty ? "plan: nothing to do" : "plan: \(plan.summary)\n" + plan.changes.map { "  \($0)" }.joined(separator: "\n"))
            for warning in plan.warnings { Output.line("warning: \(warning)") }
            for refusal in plan.refusals { Output.line("refused: \(refusal)") }
        }
        var line: String?
        if plan.refusals.isEmpty && !dryRun {
            guard yes || Confirm.ask("forget \(name)?") else {
                Output.line("not confirmed: nothing changed")
                throw ExitCode(1)
            }
            let auditDir = options.stateDir, network = session.context.network
            let command = "vnet forget-node \(name)\(yes ? " --yes" : "")"
            line = try session.wait { vnet in
                try await vnet.forget(plan, node: name, auditDataDir: auditDir, network: network, tool: "vnetctl", command: command)
            }
        } else {
            _ = try? session.wait { _ in () }
        }
        if options.json {
            Output.line(Output.encode(ForgetOutput(plan: plan, dryRun: dryRun, result: line)))
        } else if let line {
            Output.line(line)
        } else if dryRun {
            Output.line("dry run: nothing changed")
        }
        if !plan.refusals.isEmpty || line?.hasPrefix("refused") == true { throw ExitCode(3) }
    }

    struct ForgetOutput: Encodable {
        var plan: ChangePlan
        var dryRun: Bool
        var result: String?
    }
}

/// A yes/no question on the terminal; anything but "y" or "yes" is no.
enum Confirm {
    static func ask(_ question: String) -> Bool {
        Output.line("\(question) [y/N] ", newline: false)
        guard let answer = readLine()?.lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}

/// Node and VNet tables for people.
enum NodeTable {
    static func render(_ vnet: VNetStatus, thisNode: String?) -> String {
        var table = TextTable("NODE", "ALIVE", "USED", "RESERVED", "HEARTBEAT", "LEAKS", "POOL")
        for node in vnet.nodes {
            let mark = node.name == thisNode ? "*" : ""
            table.add(node.name + mark, node.alive ? "yes" : "LOST", "\(node.used)", "\(node.reserved)",
                      node.heartbeatAge.map { "\(Int($0))s ago" } ?? "never", "\(node.leaks)",
                      node.poolRanges.isEmpty ? "-" : node.poolRanges.joined(separator: ","))
        }
        return table.rendered
    }
}

enum RegistryLines {
    static func health(_ health: RegistryHealth) -> String {
        let members = health.members.map { "\($0.endpoint)\($0.isLeader ? " (leader)" : "")\($0.reachable ? "" : " DOWN")" }
        return members.joined(separator: "  ") + (health.lastError.map { "   last error: \($0)" } ?? "")
    }
}

struct VNetBlocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocks", abstract: "The VNet's address blocks: owner, addresses used, claimed at, state (claimed or cooling).")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let vnet = try RegistrySession(options).status(json: options.json)
        let rows = vnet.blockRows
        if options.json { return Output.line(Output.json(.array(rows.map(\.json)))) }
        guard !rows.isEmpty else { return Output.line("no blocks claimed in VNet \(vnet.vnet)") }
        var table = TextTable("BLOCK", "NODE", "USED", "ADDRESSES", "CLAIMED", "STATE")
        let now = Date()
        for row in rows {
            let count = row.block.addresses.reduce(0) { $0 + Int($1.count) }
            var state = row.block.state.rawValue
            if row.block.state == .claimed, !row.ownerAlive { state += " (owner LOST)" }
            if let until = row.block.until, row.block.state == .cooling {
                state += until > now ? " \(Int(until.timeIntervalSince(now).rounded(.up)))s left" : " (over: claimable)"
            }
            table.add(row.block.prefix.description, row.block.node, "\(row.used)", "\(count)",
                      ISO8601.format(row.block.claimedAt), state)
        }
        Output.line(table.rendered)
    }
}

struct VNetRoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "What a fabric or a router needs: each claimed block via its owner's primary address.",
        discussion: "The registry is the source of truth for which node owns which block (docs/vnet.md shows how a network learns them).")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let vnet = try RegistrySession(options).status(json: options.json)
        let routes = vnet.routes
        if options.json { return Output.line(Output.json(.array(routes.map(\.json)))) }
        for route in routes {
            Output.line("\(route.prefix) via \(route.via.map(\.description) ?? "unknown (no primary address recorded)")   # \(route.node)")
        }
    }
}
