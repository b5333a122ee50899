import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetOperations

/// `vnetctl status`: the node at a glance.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Node summary: pool, limits, bridge, NAT, lock, alerts.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let snapshot = try Context(options).inspector.snapshot()
        if options.json { return Output.line(Output.encode(snapshot)) }
        let u = snapshot.usage
        Output.line("node       \(snapshot.node)   network \(snapshot.network)   bridge \(snapshot.bridge) (\(snapshot.bridgeLink.map { $0.operState.rawValue } ?? "absent"))")
        Output.line("pool       source \(snapshot.source.kind)\(snapshot.source.servedFromCache ? " (cache)" : "")   subnet \(snapshot.subnet?.description ?? "-")   gateway \(snapshot.gateway?.description ?? "-")")
        Output.line("addresses  \(u.used) used, \(u.coolingDown) cooling down, \(u.free) free, \(u.flagged) flagged of \(u.capacity)")
        Output.line("limits     node \(u.used)/\(u.limits.maxPodsPerNode)   vnet \(u.limits.maxPodsPerVNet) pods per VNet")
        Output.line("nat        \(snapshot.nat.present ? "table present" : "absent")   snat to \(snapshot.primaryAddress?.description ?? "-")")
        Output.line("lock       \(snapshot.lockHolder.map { "held by pid \($0.pid) (\($0.verb)) since \($0.since)" } ?? "free")")
        Output.line("endpoints  \(snapshot.endpoints.count)   leaks \(snapshot.leaks.count)")
        for alert in snapshot.alerts { Output.line("\(alert.severity.rawValue.uppercased()): \(alert.message)") }
    }
}

/// `vnetctl pool`: capacity and occupancy against the limits.
struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pool", abstract: "Pool capacity, used, cooling down, free, flagged.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let snapshot = try Context(options).inspector.snapshot()
        if options.json {
            return Output.line(Output.encode(PoolReport(usage: snapshot.usage, source: snapshot.source, subnet: snapshot.subnet,
                                                        gateway: snapshot.gateway)))
        }
        let u = snapshot.usage
        var table = TextTable("", "count", "limit")
        table.add("capacity", "\(u.capacity)", "")
        table.add("used", "\(u.used)", "\(u.limits.maxPodsPerNode) per node")
        table.add("cooling down", "\(u.coolingDown)", "")
        table.add("free", "\(u.free)", "")
        table.add("flagged", "\(u.flagged)", "")
        table.add("assignable now", "\(u.assignableNow)", "\(u.limits.maxPodsPerVNet) per VNet")
        Output.line(table.rendered)
        Output.line("source: \(snapshot.source.kind)\(snapshot.source.fetchedAt.map { ", fetched \($0)" } ?? "")\(snapshot.source.servedFromCache ? ", served from cache" : "")")
    }

    struct PoolReport: Encodable {
        var usage: PoolUsage
        var source: PoolSourceInfo
        var subnet: IPv4Prefix?
        var gateway: IPv4Address?
    }
}

/// `vnetctl endpoints`: pods joined with their veths and counters.
struct EndpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "endpoints", abstract: "Pods: container, pod, address, veth, netns, state, counters, age.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let snapshot = try Context(options).inspector.snapshot()
        if options.json { return Output.line(Output.encode(snapshot.endpoints)) }
        var table = TextTable("CONTAINER", "IFNAME", "POD", "ADDRESS", "VETH", "STATE", "RX", "TX", "SNAT PKTS", "AGE", "NETNS")
        for e in snapshot.endpoints {
            let state = e.phase == .attaching ? "attaching" : (e.link?.operState.rawValue ?? "missing")
            table.add(String(e.key.containerID.prefix(16)), e.key.ifname, e.pod.display, e.address.description, e.hostVeth, state,
                      Format.bytes(e.link?.counters.rxBytes ?? 0), Format.bytes(e.link?.counters.txBytes ?? 0),
                      "\(e.nat?.packets ?? 0)", Format.age(snapshot.takenAt.timeIntervalSince(e.createdAt)),
                      e.netns + (e.namespace == .alive ? "" : " (\(e.namespace.rawValue))"))
        }
        Output.line(table.rendered)
        if !snapshot.plainLeases.isEmpty {
            Output.line("\n\(snapshot.plainLeases.count) leases held through vnet-ipam alone (no vnet endpoint)")
        }
    }
}

/// `vnetctl links`: the bridge and its ports.
struct LinksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "links", abstract: "The bridge and its ports: state, MTU, MAC, counters.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let snapshot = try Context(options).inspector.snapshot()
        if options.json { return Output.line(Output.encode(snapshot.links)) }
        let owned = Set(snapshot.endpoints.map(\.hostVeth))
        var table = TextTable("NAME", "KIND", "MASTER", "STATE", "MTU", "MAC", "RX", "TX", "DROPS", "NOTE")
        for l in snapshot.links {
            let note = l.kind == "veth" && !owned.contains(l.name) ? "no endpoint" : ""
            table.add(l.name, l.kind, l.master ?? "-", l.operState.rawValue, "\(l.mtu)", l.mac, Format.bytes(l.counters.rxBytes),
                      Format.bytes(l.counters.txBytes), "\(l.counters.rxDropped + l.counters.txDropped)", note)
        }
        Output.line(table.rendered)
    }
}

/// `vnetctl nat`: vnet's rules and per-pod SNAT counters.
struct NATCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nat", abstract: "vnet's NAT rules with counters, totals and per pod.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let snapshot = try Context(options).inspector.snapshot()
        if options.json { return Output.line(Output.encode(snapshot.nat)) }
        guard snapshot.nat.present else { return Output.line("NAT table \(snapshot.network) is absent") }
        Output.line("snat to \(snapshot.nat.snatAddress?.description ?? "-")")
        var rules = TextTable("CHAIN", "HANDLE", "PACKETS", "BYTES", "RULE")
        for r in snapshot.nat.rules { rules.add(r.chain, "\(r.handle)", "\(r.packets)", Format.bytes(r.bytes), r.comment) }
        Output.line(rules.rendered)
        let byAddress = Dictionary(snapshot.endpoints.map { ($0.address, $0.pod.display) }, uniquingKeysWith: { a, _ in a })
        var pods = TextTable("POD ADDRESS", "POD", "PACKETS", "BYTES")
        for p in snapshot.nat.perPod { pods.add(p.address.description, byAddress[p.address] ?? "-", "\(p.packets)", Format.bytes(p.bytes)) }
        let totalPackets = snapshot.nat.perPod.reduce(0) { $0 + $1.packets }
        let totalBytes = snapshot.nat.perPod.reduce(0) { $0 + $1.bytes }
        pods.add("total", "", "\(totalPackets)", Format.bytes(totalBytes))
        Output.line("\n" + pods.rendered)
    }
}

/// `vnetctl leaks`: suspects with their evidence.
struct LeaksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leaks", abstract: "Suspected leaks, each with its evidence.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let snapshot = try Context(options).inspector.snapshot()
        if options.json { return Output.line(Output.encode(snapshot.leaks)) }
        if snapshot.leaks.isEmpty { return Output.line("no suspected leaks") }
        var table = TextTable("ADDRESS", "ATTACHMENT", "VETH", "NETNS", "EVIDENCE")
        for l in snapshot.leaks {
            table.add(l.address?.description ?? "-", l.key?.description ?? "-", l.hostVeth ?? "-", l.netns ?? "-",
                      l.evidence.map(\.rawValue).joined(separator: ","))
        }
        Output.line(table.rendered)
        let unconfirmed = snapshot.leaks.filter(\.isUnconfirmed).count
        if unconfirmed > 0 {
            Output.line("\n\(unconfirmed) unconfirmed (never reclaimed without --force): \(LeakEvidence.netnsUnconfirmed.explanation)")
        }
    }
}
