import ArgumentParser
import VNetModel
import VNetOperations

/// `vnetctl metrics`: Prometheus text exposition (format 0.0.4) of the node's pool, leaks, NAT and the
/// plugins' own call counts and latencies.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "metrics", abstract: "Prometheus text exposition of pool, leaks, NAT and plugin calls.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let context = try Context(options)
        let snapshot = context.inspector.snapshot()
        let calls = context.node.callMetrics()
        Output.line(PrometheusText.render(snapshot: snapshot, calls: calls), newline: false)
    }
}

/// Renders metrics in the Prometheus text format.
enum PrometheusText {
    static func render(snapshot: NodeSnapshot, calls: CallMetrics) -> String {
        var out = Writer()
        let net = [("network", snapshot.network)]
        let u = snapshot.usage
        out.gauge("vnet_pool_capacity_addresses", "Addresses in the node's pool.", [(net, Double(u.capacity))])
        out.gauge("vnet_pool_used_addresses", "Addresses leased to pods.", [(net, Double(u.used))])
        out.gauge("vnet_pool_cooling_addresses", "Released addresses cooling down before reuse.", [(net, Double(u.coolingDown))])
        out.gauge("vnet_pool_free_addresses", "Addresses free to hand out.", [(net, Double(u.free))])
        out.gauge("vnet_pool_flagged_addresses", "Leased addresses the pool source no longer lists.", [(net, Double(u.flagged))])
        out.gauge("vnet_limit_pods_per_node", "maxPodsPerNode, enforced on every allocation.", [(net, Double(u.limits.maxPodsPerNode))])
        out.gauge("vnet_limit_pods_per_vnet", "maxPodsPerVNet, reported.", [(net, Double(u.limits.maxPodsPerVNet))])
        out.gauge("vnet_endpoints", "Pods plugged into the bridge.", [(net, Double(snapshot.endpoints.count))])
        out.gauge("vnet_pool_source_cache_served", "1 when the metadata source is down and its cache answers.",
                  [(net, snapshot.source.servedFromCache ? 1 : 0)])
        out.gauge("vnet_state_lock_held", "1 while a process holds the state lock.", [(net, snapshot.lockHolder == nil ? 0 : 1)])
        var leakSamples: [([(String, String)], Double)] = []
        for evidence in LeakEvidence.allCases {
            let count = snapshot.leaks.filter { $0.evidence.contains(evidence) }.count
            leakSamples.append((net + [("evidence", evidence.rawValue)], Double(count)))
        }
        out.gauge("vnet_leaks", "Suspected leaks by evidence.", leakSamples)
        out.counter("vnet_nat_rule_packets_total", "Packets matched by vnet's NAT rules.",
                    snapshot.nat.rules.map { (net + [("chain", $0.chain), ("handle", "\($0.handle)"), ("rule", $0.comment)], Double($0.packets)) })
        out.counter("vnet_nat_rule_bytes_total", "Bytes matched by vnet's NAT rules.",
                    snapshot.nat.rules.map { (net + [("chain", $0.chain), ("handle", "\($0.handle)"), ("rule", $0.comment)], Double($0.bytes)) })
        out.counter("vnet_nat_pod_packets_total", "Packets of SNAT-ed traffic per pod address.",
                    snapshot.nat.perPod.map { (net + [("address", $0.address.description)], Double($0.packets)) })
        out.counter("vnet_nat_pod_bytes_total", "Bytes of SNAT-ed traffic per pod address.",
                    snapshot.nat.perPod.map { (net + [("address", $0.address.description)], Double($0.bytes)) })

        let verbs = calls.verbs.sorted { $0.key < $1.key }
        func labels(_ name: String) -> [(String, String)] {
            let parts = name.split(separator: " ", maxSplits: 1).map(String.init)
            return net + [("plugin", parts.first ?? name), ("verb", parts.count > 1 ? parts[1] : "")]
        }
        out.counter("vnet_cni_calls_total", "CNI calls handled by the plugins.", verbs.map { (labels($0.key), Double($0.value.count)) })
        out.counter("vnet_cni_errors_total", "CNI calls that failed.", verbs.map { (labels($0.key), Double($0.value.errors)) })
        out.header("vnet_cni_duration_seconds", "CNI call latency.", type: "histogram")
        for (name, verb) in verbs {
            for (index, bound) in CallMetrics.buckets.enumerated() {
                out.sample("vnet_cni_duration_seconds_bucket", labels(name) + [("le", Writer.number(bound))],
                           Double(index < verb.bucketCounts.count ? verb.bucketCounts[index] : 0))
            }
            out.sample("vnet_cni_duration_seconds_bucket", labels(name) + [("le", "+Inf")], Double(verb.count))
            out.sample("vnet_cni_duration_seconds_sum", labels(name), verb.sumSeconds)
            out.sample("vnet_cni_duration_seconds_count", labels(name), Double(verb.count))
        }
        return out.text
    }

    struct Writer {
        var text = ""

        mutating func header(_ name: String, _ help: String, type: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }

        mutating func gauge(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            header(name, help, type: "gauge")
            for (labels, value) in samples { sample(name, labels, value) }
        }

        mutating func counter(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
            header(name, help, type: "counter")
            for (labels, value) in samples { sample(name, labels, value) }
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            let rendered = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            text += "\(name){\(rendered)} \(Self.number(value))\n"
        }

        static func escape(_ value: String) -> String {
            var out = ""
            for ch in value {
                switch ch {
                case "\\": out += "\\\\"
                case "\"": out += "\\\""
                case "\n": out += "\\n"
                default: out.append(ch)
                }
            }
            return out
        }

        static func number(_ value: Double) -> String {
            if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
            return "\(value)"
        }
    }
}
