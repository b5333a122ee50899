#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetIPAM
import VNetModel
import VNetPools
import VNetState

/// Takes `NodeSnapshot`s: state, pool, kernel links and NAT counters joined at one instant. Read-only; what
/// vnetctl's read commands print and every console screen draws.
public struct NodeInspector {
    public let node: Node
    /// The network's IPAM, for pool usage and source freshness; nil under a delegated IPAM.
    public let ipam: IPAMService?
    /// Links kept between link events (the console); nil: a full link dump every snapshot.
    public let linkWatch: LinkWatch?

    /// Said once, when the inspector is made: the pods' namespaces cannot be read from this mount namespace.
    public let namespaceWarning: String?

    public init(node: Node, ipam: IPAMService?, linkWatch: LinkWatch? = nil, namespaceWarning: String? = NamespaceView.warning()) {
        self.node = node
        self.ipam = ipam
        self.linkWatch = linkWatch
        self.namespaceWarning = namespaceWarning
    }

    public func snapshot(now: Date = Date()) -> NodeSnapshot {
        var alerts: [Alert] = []
        let state: NetworkState
        do {
            state = try node.store.load()
        } catch {
            alerts.append(Alert(severity: .critical, message: "\(error)"))
            state = NetworkState(network: node.config.network)
        }
        let links: [Link]
        do { links = try linkWatch?.table.links(from: node.kernel, now: now) ?? node.kernel.links() } catch {
            alerts.append(Alert(severity: .critical, message: "cannot list links: \(error)"))
            links = []
        }
        let nat: NATSnapshot
        do { nat = try node.nat.snapshot() } catch {
            alerts.append(Alert(severity: .warning, message: "cannot read NAT counters: \(error)"))
            nat = .absent
        }

        var usage = PoolUsage(capacity: 0, used: state.leases.count, coolingDown: 0, free: 0, flagged: state.flagged.count,
                              limits: ipam?.config.limits ?? Limits())
        var source = PoolSourceInfo(kind: "unknown", fetchedAt: nil, servedFromCache: false)
        var subnet: IPv4Prefix?
        var gateway: IPv4Address?
        if let ipam {
            source.kind = ipam.config.pool.kindName
            do throws(IPAMError) {
                let (pool, info) = try ipam.loadPool(now: now)
                usage = ipam.allocator(for: pool).usage(of: state, now: now)
                source = info
                subnet = pool.subnet
                gateway = pool.gateway
                if info.servedFromCache {
                    alerts.append(Alert(severity: .warning, message: "pool source unreachable; serving the cache: \(info.error ?? "")"))
                }
            } catch .pool(.empty) where ipam.config.pool.isVNetBlocks {
                // No block claimed yet (warmAddresses 0, or vnetd not started): the next ADD asks for one.
            } catch {
                source.error = "\(error)"
                alerts.append(Alert(severity: .critical, message: "pool unavailable: \(error)"))
            }
        }

        // One namespace check per path per snapshot: endpoints and the leak detector ask about the same ones.
        var pathCache: [String: NamespacePath] = [:]
        let survey = node.kernel.namespaceSurvey()
        let namespacePath: (String) -> NamespacePath = { path in
            if let known = pathCache[path] { return known }
            let status = survey(path)
            pathCache[path] = status
            return status
        }
        let linkByName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let natByAddress = Dictionary(nat.perPod.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        let endpoints = state.endpoints.map { endpoint in
            let link = linkByName[endpoint.hostVeth]
            let namespace = NamespaceStatus.judge(path: namespacePath(endpoint.netns), veth: VethWitness.of(endpoint.hostVeth, in: linkByName))
            return EndpointView(key: endpoint.key, pod: endpoint.pod, address: endpoint.address.address, hostVeth: endpoint.hostVeth,
                                netns: endpoint.netns, phase: link == nil ? endpoint.phase : .ready, link: link,
                                nat: natByAddress[endpoint.address.address], namespace: namespace, createdAt: endpoint.createdAt,
                                publicIP: endpoint.publicIP, portMappings: endpoint.portMappings)
        }.sorted { $0.address < $1.address }
        let endpointKeys = Set(state.endpoints.map(\.key))
        let plain = state.leases.filter { !endpointKeys.contains($0.key) }

        let leaks = LeakDetector.find(state: state, links: links, bridge: node.config.bridge, now: now,
                                      namespacePath: namespacePath)
        if let warning = namespaceWarning { alerts.append(Alert(severity: .warning, message: warning)) }
        if !leaks.isEmpty { alerts.append(Alert(severity: .warning, message: "\(leaks.count) suspected leaks: see the leaks screen or `vnetctl leaks`")) }
        let bridge = linkByName[node.config.bridge]
        if bridge == nil && !state.endpoints.isEmpty {
            alerts.append(Alert(severity: .critical, message: "bridge \(node.config.bridge) is missing"))
        } else if let bridge, !bridge.adminUp {
            alerts.append(Alert(severity: .critical, message: "bridge \(node.config.bridge) is down"))
        }
        if !state.endpoints.isEmpty && !nat.present && node.config.snat {
            alerts.append(Alert(severity: .critical, message: "NAT table \(node.config.natTable) is missing"))
        }
        if usage.used >= usage.limits.maxPodsPerNode {
            alerts.append(Alert(severity: .critical, message: "node limit reached: \(usage.used)/\(usage.limits.maxPodsPerNode) pods"))
        } else if usage.capacity > 0 && usage.free == 0 && !(ipam?.config.pool.isVNetBlocks ?? false) {
            // A full `vnet` pool is not an alert: vnetd claims the next block when an ADD needs it.
            alerts.append(Alert(severity: .critical, message: "pool exhausted"))
        }

        var blockPool: BlockPoolView?
        if let ipam, case .vnet(let spec) = ipam.config.pool.source {
            blockPool = BlockPoolView(subnet: spec.subnet, blocks: VNetPoolDocument.blocks(directory: ipam.store.directory) ?? [],
                                      blockSize: spec.blockSize, claimed: usage.capacity, warmTarget: spec.warmAddresses)
        }
        let nodeLinks = links.filter { $0.name == node.config.bridge || $0.master == node.config.bridge }
        return NodeSnapshot(takenAt: now, node: Self.hostname(), network: node.config.network, bridge: node.config.bridge,
                            bridgeLink: bridge, primaryAddress: nat.snatAddress, source: source, usage: usage, subnet: subnet,
                            gateway: gateway, endpoints: endpoints, plainLeases: plain, links: nodeLinks, nat: nat,
                            leaks: leaks, lockHolder: node.store.lockHolder, alerts: alerts.sorted { $0.severity > $1.severity },
                            stateGeneration: state.generation, blockPool: blockPool)
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(cString: buffer)
    }
}
