import VNetModel

/// One link on the Links screen, with the pod that owns it (if any).
struct LinkRow {
    var link: Link
    var owner: EndpointView?
    /// The owning pod's name, "no endpoint" for an orphan veth, "-" otherwise.
    var ownerName: String
    var delta: LinkDelta?
    /// A vnet veth on the bridge that no endpoint owns: a leak candidate.
    var orphan: Bool
}

/// Screen 3: the bridge, every veth and the uplink, with counters; veths no endpoint owns stand out.
enum LinksScreen: ListScreen {
    static func rows(_ data: ConsoleData) -> [LinkRow] {
        var links = data.snapshot.links
        if let bridge = data.snapshot.bridgeLink, !links.contains(where: { $0.name == bridge.name }) {
            links.insert(bridge, at: 0)
        }
        return links.map { link in
            let owner = data.endpoint(owning: link.name)
            let orphan = link.kind == "veth" && owner == nil
            return LinkRow(link: link, owner: owner, ownerName: owner?.pod.display ?? (orphan ? "no endpoint" : "-"),
                           delta: data.rates.link(link.name), orphan: orphan)
        }
    }

    static var columns: [TableColumn<LinkRow>] {
        [
            TableColumn("NAME", width: 15, text: { $0.link.name }, sort: { .text($0.link.name) }),
            TableColumn("STATE", width: 8, text: { $0.link.operState.rawValue },
                        role: { $0.link.operState == .up ? .good : ($0.link.operState == .unknown ? .dim : .warn) },
                        sort: { .text($0.link.operState.rawValue) }),
            TableColumn("OWNER", width: 12, flexible: true, maxWidth: 40,
                        text: { $0.ownerName },
                        role: { $0.orphan ? .warn : nil },
                        sort: { .text($0.ownerName) }),
            TableColumn("KIND", width: 6, priority: 1, text: { $0.link.kind.isEmpty ? "device" : $0.link.kind },
                        sort: { .text($0.link.kind) }),
            TableColumn("RX/s", width: 7, priority: 1, alignRight: true, text: { Format.rate($0.delta?.rx.bytesPerSecond) },
                        sort: { .number(Double($0.delta?.rx.bytes ?? 0)) }),
            TableColumn("TX/s", width: 7, priority: 1, alignRight: true, text: { Format.rate($0.delta?.tx.bytesPerSecond) },
                        sort: { .number(Double($0.delta?.tx.bytes ?? 0)) }),
            TableColumn("MASTER", width: 8, priority: 2, text: { $0.link.master ?? "-" }),
            TableColumn("DROPS", width: 6, priority: 2, alignRight: true,
                        text: { Format.count($0.link.counters.rxDropped &+ $0.link.counters.txDropped) },
                        role: { ($0.delta?.dropped ?? 0) > 0 ? .warn : nil },
                        sort: { .number(Double($0.link.counters.rxDropped &+ $0.link.counters.txDropped)) }),
            TableColumn("ERRS", width: 5, priority: 3, alignRight: true,
                        text: { Format.count($0.link.counters.rxErrors &+ $0.link.counters.txErrors) },
                        role: { ($0.delta?.errors ?? 0) > 0 ? .bad : nil }),
            TableColumn("MTU", width: 5, priority: 3, alignRight: true, text: { "\($0.link.mtu)" }),
            TableColumn("RX", width: 6, priority: 4, alignRight: true, text: { Format.bytes($0.link.counters.rxBytes) }),
            TableColumn("TX", width: 6, priority: 4, alignRight: true, text: { Format.bytes($0.link.counters.txBytes) }),
            TableColumn("IDX", width: 5, priority: 5, alignRight: true, text: { "\($0.link.index)" },
                        sort: { .number(Double($0.link.index)) }),
            TableColumn("MAC", width: 17, priority: 6, text: { $0.link.mac }),
        ]
    }

    static func id(_ row: LinkRow) -> String { row.link.name }

    static func searchText(_ row: LinkRow) -> String {
        "\(row.link.name) \(row.link.kind) \(row.link.operState.rawValue) \(row.ownerName)\(row.orphan ? " orphan" : "")"
    }

    static var emptyMessage: String { "no links reported" }
}
