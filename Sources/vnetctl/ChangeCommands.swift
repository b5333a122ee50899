import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CNI
import VNetModel
import VNetOperations

/// `vnetctl attach`: plugs any network namespace into the node, without Kubernetes.
struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "Plug a network namespace (a path, a /var/run/netns name, or /proc/PID/ns/net) into the node.")
    @OptionGroup var options: GlobalOptions
    @Option(name: .customLong("netns"), help: "The namespace to plug in: a path or a name under /var/run/netns.")
    var target: String
    @Option(name: .long, help: "A container ID for the attachment.") var container: String
    @Option(name: .long, help: "The interface name inside the namespace.") var ifname = "eth0"
    @Option(name: .long, help: "Pod as NAMESPACE/NAME, recorded for operators.") var pod: String?
    @Option(name: .long, help: "Ask for this address.") var ip: String?

    func validate() throws {
        do { try CNIEnvironment.validateContainerID(container) } catch { throw ValidationError(error.msg) }
        do { try CNIEnvironment.validateInterfaceName(ifname) } catch { throw ValidationError(error.msg) }
        if let ip, IPv4Address(ip) == nil { throw ValidationError("--ip \(ip) is not an IPv4 address") }
    }

    func run() throws {
        try Privilege.requireRoot("attach")
        let context = try Context(options)
        let path = AttachRequest.namespacePath(target)
        let parts = pod?.split(separator: "/", maxSplits: 1).map(String.init) ?? []
        let identity = PodIdentity(namespace: parts.count == 2 ? parts[0] : nil, name: parts.last)
        let key = AttachmentKey(containerID: container, ifname: ifname)
        let plan = try context.node.planAttach(AttachRequest(key: key, netns: path, pod: identity, requested: ip.flatMap { IPv4Address($0) }))
        let outcome = try context.node.carryOut(plan, by: context.caller("attach \(key) \(path)"))
        guard let attachment = outcome.attachment else { throw CLIError(outcome.line) }
        if options.json {
            Output.line(Output.json(["address": .string(attachment.allocation.address.description),
                                     "gateway": .string(attachment.allocation.gateway.description),
                                     "hostVeth": .string(attachment.veth.host.name), "podMAC": .string(attachment.veth.peerMAC)]))
        } else {
            Output.line("attached \(key): \(attachment.allocation.address) gateway \(attachment.allocation.gateway) via \(attachment.veth.host.name)")
        }
    }
}

/// `vnetctl detach`: the DEL of an attachment.
struct DetachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "detach", abstract: "Remove an attachment: veth, lease, NAT state.")
    @OptionGroup var options: GlobalOptions
    @Option(name: .long) var container: String
    @Option(name: .long) var ifname = "eth0"

    func run() throws {
        try Privilege.requireRoot("detach")
        let context = try Context(options)
        let key = AttachmentKey(containerID: container, ifname: ifname)
        _ = try context.node.carryOut(try context.node.planDetach(key), by: context.caller("detach \(key)"))
        Output.line(options.json ? Output.json(["detached": .string(key.description)]) : "detached \(key)")
    }
}

/// `vnetctl reclaim`: returns leaked addresses, after showing the plan.
struct ReclaimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reclaim", abstract: "Reclaim leaked addresses: show the plan, then carry it out.",
        discussion: "An address whose pod namespace is alive, or cannot be confirmed gone from here (a namespace bound in another mount namespace), is refused without --force. Each target is looked at again under the lock, in the state and in the kernel, right before acting.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Addresses to reclaim.") var addresses: [String] = []
    @Flag(name: .long, help: "Reclaim every suspected leak.") var allLeaked = false
    @Flag(name: .long, help: "Show the plan only.") var dryRun = false
    @Flag(name: .long, help: "Reclaim even when the pod namespace is alive or unconfirmed.") var force = false

    func validate() throws {
        if addresses.isEmpty == !allLeaked { throw ValidationError("name addresses or --all-leaked (not both)") }
        for text in addresses where IPv4Address(text) == nil { throw ValidationError("\(text) is not an IPv4 address") }
    }

    func run() throws {
        if !dryRun { try Privilege.requireRoot("reclaim") }
        let context = try Context(options)
        let plan = try context.node.planReclaim(addresses: allLeaked ? nil : addresses.compactMap { IPv4Address($0) }, force: force)
        var report: ActionReport?
        if !dryRun && !plan.targets.isEmpty {
            let command = "reclaim \(allLeaked ? "--all-leaked" : addresses.joined(separator: " "))\(force ? " --force" : "")"
            report = try context.node.carryOut(plan, force: force, by: context.caller(command)).report
        }
        if options.json {
            Output.line(Output.encode(ReclaimOutput(plan: plan, dryRun: dryRun, report: report)))
        } else {
            Output.line(plan.changes.isEmpty ? "plan: nothing to reclaim" : "plan:\n" + plan.changes.map { "  \($0)" }.joined(separator: "\n"))
            for refusal in plan.refusals { Output.line("refused: \(refusal)") }
            if dryRun { Output.line("dry run: nothing changed") }
            if let report {
                for item in report.done { Output.line("reclaimed \(item)") }
                for item in report.skipped { Output.line("skipped \(item)") }
                for item in report.failed { Output.line("failed \(item)") }
            }
        }
        if !plan.refusals.isEmpty || !(report?.failed.isEmpty ?? true) || !(report?.skipped.isEmpty ?? true) { throw ExitCode(3) }
    }

    struct ReclaimOutput: Encodable {
        var plan: ChangePlan
        var dryRun: Bool
        var report: ActionReport?
    }
}

/// `vnetctl gc --valid FILE`: CNI GC from the command line.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Remove every attachment not listed as valid (CNI GC semantics).",
        discussion: "FILE holds a JSON array of {\"containerID\", \"ifname\"}, or an object with \"cni.dev/valid-attachments\". Use - for stdin.")
    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "The valid attachments.") var valid: String

    func run() throws {
        try Privilege.requireRoot("gc")
        let bytes: [UInt8]
        if valid == "-" {
            var input: [UInt8] = []
            while let line = readLine(strippingNewline: false) { input += Array(line.utf8) }
            bytes = input
        } else {
            guard let read = FileManager.default.contents(atPath: valid) else { throw CLIError("\(valid) cannot be read") }
            bytes = Array(read)
        }
        guard var value = try? JSONParser.parse(bytes) else { throw CLIError("\(valid) is not JSON") }
        if let list = value["cni.dev/valid-attachments"] ?? value["cni.dev/attachments"] { value = list }
        guard let items = value.arrayValue else { throw CLIError("\(valid) must hold an array of {containerID, ifname}") }
        var keys = Set<AttachmentKey>()
        for item in items {
            guard let id = item["containerID"]?.stringValue, let ifname = item["ifname"]?.stringValue else {
                throw CLIError("each valid attachment needs containerID and ifname")
            }
            keys.insert(AttachmentKey(containerID: id, ifname: ifname))
        }
        let context = try Context(options)
        let report = try context.node.collectGarbage(valid: keys, by: context.caller("gc (\(keys.count) valid)"))
        if options.json {
            Output.line(Output.encode(report))
        } else {
            Output.line("detached \(report.detached.count): \(report.detached.map(\.description).joined(separator: ", "))")
            Output.line("stale veths removed \(report.staleVeths.count): \(report.staleVeths.joined(separator: ", "))")
            for failure in report.failures { Output.line("failed: \(failure)") }
        }
        if !report.failures.isEmpty { throw ExitCode(3) }
    }
}
