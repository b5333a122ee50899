import ArgumentParser
import VNetModel
import VNetOperations

/// `vnetctl rules ...`: the network's security rules, one pod's effective rules with counters, the decision
/// for a flow, and applying a changed rule set to every pod.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Security rules: list, effective, verify, apply.",
        subcommands: [RulesList.self, RulesEffective.self, RulesVerify.self, RulesApply.self])
}

/// Text and JSON for rules, shared by the subcommands.
enum RulesOutput {
    static func table(_ rules: [SecurityRule], counters: [RuleCounterKey: TrafficCounter]?) -> String {
        var table = counters == nil
            ? TextTable("DIRECTION", "PRIORITY", "NAME", "ACCESS", "PROTOCOL", "SOURCE", "SPORT", "DESTINATION", "DPORT", "PODS")
            : TextTable("DIRECTION", "PRIORITY", "NAME", "ACCESS", "PROTOCOL", "SOURCE", "SPORT", "DESTINATION", "DPORT", "PODS", "PACKETS", "BYTES")
        for rule in rules {
            var cells: [String] = [rule.direction.rawValue, "\(rule.priority)", rule.name, rule.access.rawValue, rule.transport.rawValue,
                         list(rule.sources), list(rule.sourcePorts), list(rule.destinations), list(rule.destinationPorts),
                         rule.pods.isEmpty ? "*" : rule.pods.map(\.pattern).joined(separator: ",")]
            if let counters {
                let counter = counters[RuleCounterKey(rule)] ?? TrafficCounter()
                cells += ["\(counter.packets)", "\(counter.bytes)"]
            }
            table.rows.append(cells)
        }
        return table.rendered
    }

    private static func list(_ items: [some CustomStringConvertible]) -> String { items.map(\.description).joined(separator: ",") }

    static func json(_ rule: SecurityRule, counter: TrafficCounter?) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(rule.name), "priority": .number(Double(rule.priority)), "direction": .string(rule.direction.rawValue),
            "access": .string(rule.access.rawValue), "protocol": .string(rule.transport.rawValue),
            "sourceAddressPrefixes": .array(rule.sources.map { .string($0.description) }),
            "sourcePortRanges": .array(rule.sourcePorts.map { .string($0.description) }),
            "destinationAddressPrefixes": .array(rule.destinations.map { .string($0.description) }),
            "destinationPortRanges": .array(rule.destinationPorts.map { .string($0.description) }),
            "pods": .array(rule.pods.map { .string($0.pattern) }),
            "default": .bool(rule.isDefault),
        ]
        if let counter {
            object["packets"] = .number(Double(counter.packets))
            object["bytes"] = .number(Double(counter.bytes))
        }
        return .object(object)
    }
}

struct RulesList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The network's rules and the defaults, in evaluation order, with counters.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let context = try Context(options)
        guard let rules = context.node.config.securityRules else {
            throw CLIError("network \(context.network) has no \"securityRules\": no pod's traffic is filtered")
        }
        let counters = try? context.node.ruleCounters()
        let ordered = SecurityRule.Direction.allCases.flatMap { EffectiveRules(rules: rules, pod: nil, includingEveryPodsRules: true).rules($0) }
        if options.json {
            Output.line(Output.json(.array(ordered.map { RulesOutput.json($0, counter: counters?[RuleCounterKey($0)] ?? TrafficCounter()) })))
        } else {
            Output.line(RulesOutput.table(ordered, counters: counters ?? [:]))
        }
    }
}

struct RulesEffective: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "effective", abstract: "One pod's rules in evaluation order, with counters.",
        discussion: "POD is namespace/name, a pod name, or a container ID (or a unique prefix of 6+ characters).")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The pod.") var pod: String

    func run() throws {
        let context = try Context(options)
        let view = try context.node.effectiveRules(for: EndpointReference(pod))
        let ordered = view.rules.inbound + view.rules.outbound
        if options.json {
            func counter(_ c: TrafficCounter) -> JSONValue { .object(["packets": .number(Double(c.packets)), "bytes": .number(Double(c.bytes))]) }
            Output.line(Output.json([
                "pod": .string(view.pod.display), "address": .string("\(view.address)"),
                "inbound": .array(view.rules.inbound.map { RulesOutput.json($0, counter: view.counters[RuleCounterKey($0)] ?? TrafficCounter()) }),
                "outbound": .array(view.rules.outbound.map { RulesOutput.json($0, counter: view.counters[RuleCounterKey($0)] ?? TrafficCounter()) }),
                "podCounters": .object(["inbound": counter(view.podInbound), "outbound": counter(view.podOutbound)]),
            ]))
        } else {
            Output.line("pod \(view.pod.display) (\(view.address)): \(view.podInbound.packets) new inbound and "
                        + "\(view.podOutbound.packets) new outbound packets decided by its rules")
            Output.line(RulesOutput.table(ordered, counters: view.counters))
        }
    }
}

struct RulesVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Would this flow be allowed? The deciding rule, from the rules the kernel runs.",
        discussion: "Exit codes: 0 allowed, 3 denied, 1 an error, 2 usage.")
    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "The pod: namespace/name, name, or container ID.") var pod: String
    @Option(name: .long, help: "inbound (to the pod) or outbound (from the pod).") var direction: String
    @Option(name: .customLong("protocol"), help: "tcp, udp or icmp.") var transport: String
    @Option(name: .long, help: "The other end's address.") var remote: String
    @Option(name: .long, help: "The port connected to: the pod's for inbound, the remote's for outbound.") var port: UInt16?
    @Option(name: .customLong("source-port"), help: "The port connected from, when known.") var sourcePort: UInt16?

    func validate() throws {
        guard SecurityRule.Direction(rawValue: direction) != nil else { throw ValidationError("--direction must be inbound or outbound") }
        guard let parsed = SecurityRule.TransportProtocol(rawValue: transport), parsed != .any else {
            throw ValidationError("--protocol must be tcp, udp or icmp")
        }
        guard IPv4Address(remote) != nil else { throw ValidationError("--remote \(remote) is not an IPv4 address") }
        if parsed == .icmp && (port != nil || sourcePort != nil) { throw ValidationError("icmp has no ports") }
        if parsed.hasPorts && port == nil { throw ValidationError("--port is needed for \(transport)") }
    }

    func run() throws {
        let context = try Context(options)
        guard let direction = SecurityRule.Direction(rawValue: direction), let transport = SecurityRule.TransportProtocol(rawValue: transport),
              let remote = IPv4Address(remote) else { throw ExitCode(2) }
        let verdict = try context.node.verify(reference: EndpointReference(pod), direction: direction, transport: transport, remote: remote,
                                              port: port, sourcePort: sourcePort)
        if options.json {
            Output.line(Output.json([
                "pod": .string(verdict.pod.display), "address": .string("\(verdict.flow.pod)"),
                "access": .string(verdict.rule.access.rawValue), "rule": RulesOutput.json(verdict.rule, counter: nil),
            ]))
        } else {
            Output.line("\(verdict.rule.access.rawValue.uppercased()): \(verdict.flow.direction.rawValue) \(verdict.flow.transport.rawValue) "
                        + "\(verdict.flow.source) -> \(verdict.flow.destination)\(port.map { ":\($0)" } ?? "") decided by "
                        + "\(verdict.rule.name) (priority \(verdict.rule.priority))")
        }
        if verdict.rule.access == .deny { throw ExitCode(3) }
    }
}

struct RulesApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply the rules to every pod now, in one nftables transaction.",
        discussion: """
        With --config FILE (a conflist or a network configuration), FILE's rules are recorded and applied; without it, \
        the recorded configuration's rules are applied again (a repair). New pods get a changed rule set at their ADD, \
        which also rebuilds the rules of every pod. Audited. Needs root.
        """)
    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "A conflist or network configuration holding this network's vnet plugin.") var config: String?

    func run() throws {
        try Privilege.requireRoot("rules apply")
        var context = try Context(options)
        var recorded: [UInt8]?
        if let config {
            let (bytes, object) = try NodeAssembly.pluginConfiguration(file: config, network: context.network)
            context.node = try NodeAssembly.configured(network: context.network, plugin: object, stateDir: options.stateDir).node
            recorded = bytes
        }
        let line = try context.node.applyRules(configuration: recorded, by: context.caller("rules apply" + (config.map { " --config \($0)" } ?? "")))
        if options.json {
            Output.line(Output.json(["applied": .string(line)]))
        } else {
            Output.line(line)
        }
    }
}
