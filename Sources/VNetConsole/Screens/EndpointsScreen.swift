import VNetModel

/// One pod on the Endpoints screen: the endpoint with its link and NAT movement since the last refresh.
struct EndpointRow {
    var endpoint: EndpointView
    /// Computed once per row: sorting compares these thousands of times.
    var pod: String
    var id: String
    var link: LinkDelta?
    var nat: CounterDelta?
    var health: EndpointHealth
    var ageSeconds: Double
}

/// Screen 2: every pod endpoint, sortable and filterable, with live rates.
enum EndpointsScreen: ListScreen {
    static func rows(_ data: ConsoleData) -> [EndpointRow] {
        let now = data.snapshot.takenAt
        return data.snapshot.endpoints.map { e in
            EndpointRow(endpoint: e, pod: e.pod.display, id: e.key.description, link: data.rates.link(e.hostVeth),
                        nat: data.rates.pod(e.address),
                        health: EndpointHealth(e), ageSeconds: now.timeIntervalSince(e.createdAt))
        }
    }

    static var columns: [TableColumn<EndpointRow>] {
        [
            TableColumn("POD", width: 14, flexible: true, maxWidth: 48, text: { $0.pod }, sort: { .text($0.pod) }),
            TableColumn("ADDRESS", width: 15, text: { $0.endpoint.address.description },
                        sort: { .number(Double($0.endpoint.address.value)) }),
            TableColumn("STATE", width: 9, text: { $0.health.text }, role: { $0.health.role },
                        sort: { .text($0.health.text) }),
            TableColumn("VETH", width: 14, priority: 3, text: { $0.endpoint.hostVeth },
                        sort: { .text($0.endpoint.hostVeth) }),
            TableColumn("RX/s", width: 7, priority: 1, alignRight: true, text: { Format.rate($0.link?.rx.bytesPerSecond) },
                        sort: { .number(Double($0.link?.rx.bytes ?? 0)) }),
            TableColumn("TX/s", width: 7, priority: 1, alignRight: true, text: { Format.rate($0.link?.tx.bytesPerSecond) },
                        sort: { .number(Double($0.link?.tx.bytes ?? 0)) }),
            TableColumn("AGE", width: 6, priority: 2, alignRight: true, text: { Format.age($0.ageSeconds) },
                        sort: { .number($0.ageSeconds) }),
            TableColumn("SNAT/s", width: 7, priority: 3, alignRight: true, text: { Format.rate($0.nat?.bytesPerSecond) },
                        sort: { .number(Double($0.nat?.bytes ?? 0)) }),
            TableColumn("CONTAINER", width: 12, priority: 4, text: { String($0.endpoint.key.containerID.prefix(12)) },
                        sort: { .text($0.id) }),
            TableColumn("IF", width: 6, priority: 5, text: { $0.endpoint.key.ifname }),
            TableColumn("NETNS", width: 20, flexible: true, priority: 6, text: { $0.endpoint.netns },
                        sort: { .text($0.endpoint.netns) }),
        ]
    }

    static func id(_ row: EndpointRow) -> String { row.id }

    static func searchText(_ row: EndpointRow) -> String {
        let e = row.endpoint
        return "\(row.pod) \(e.address) \(e.hostVeth) \(e.key) \(e.netns) \(row.health.text)"
    }

    static var emptyMessage: String { "no endpoints on this node" }
}
