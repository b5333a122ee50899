import ArgumentParser
import VNetModel
import VNetOperations

/// `vnetctl probe POD`: where does this pod's traffic stop? Hop by hop from inside the pod's namespace,
/// with what each hop moved, and one verdict line.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Probe a pod's path: gateway, node, a VNet address, DNS servers, the internet.",
        discussion: """
        POD is namespace/name, a pod name, or a container ID (or a unique prefix of 6+ characters). Targets come from the \
        network's "probe" key; the flags override it, and a hop without a target is skipped. Every hop waits at most \
        --timeout seconds. Exit codes: 0 every hop that ran passed, 1 a hop failed (or an error), 2 usage. Needs root.
        """)
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The pod: namespace/name, name, or container ID.") var pod: String
    @Option(name: .customLong("vnet-address"), help: "An address elsewhere in the VNet or a peered range.") var vnetAddress: String?
    @Option(name: .customLong("internet-address"), help: "An address on the internet.") var internetAddress: String?
    @Option(name: .long, help: "Seconds each hop waits (default: the probe key's timeoutSeconds, else 1).") var timeout: Double?

    func validate() throws {
        if let vnetAddress, IPv4Address(vnetAddress) == nil { throw ValidationError("--vnet-address \(vnetAddress) is not an IPv4 address") }
        if let internetAddress, IPv4Address(internetAddress) == nil {
            throw ValidationError("--internet-address \(internetAddress) is not an IPv4 address")
        }
        if let timeout {
            do { try ProbeSettings.validate(timeout: timeout, name: "--timeout") } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        try Privilege.requireRoot("probe")
        let context = try Context(options)
        let request = ProbeRequest(reference: EndpointReference(pod), vnetAddress: vnetAddress.flatMap { IPv4Address($0) },
                                   internetAddress: internetAddress.flatMap { IPv4Address($0) }, timeoutSeconds: timeout)
        let report = try context.node.probe(request)
        if options.json {
            Output.line(Output.json(report.json))
        } else {
            Output.line(Self.text(report))
        }
        if !report.passed { throw ExitCode(1) }
    }

    /// The table of hops, then the verdict.
    static func text(_ report: ProbeReport) -> String {
        var table = TextTable("HOP", "ADDRESS", "RESULT", "TIME", "SNAT", "VETH RX/TX", "DETAIL")
        for hop in report.hops {
            func count(_ value: UInt64?) -> String { value.map { "+\($0)" } ?? "-" }
            let ran = hop.milliseconds != nil
            table.add(hop.kind.label, hop.address?.description ?? "-", hop.outcome.name.uppercased(), hop.timeText,
                      ran ? count(hop.moved.snatPackets) : "", ran ? "\(count(hop.moved.vethRxPackets))/\(count(hop.moved.vethTxPackets))" : "",
                      hop.summary)
        }
        return "probe \(report.pod) (\(report.podAddress))\n\(table.rendered)\nverdict: \(report.verdict.text)"
    }
}
