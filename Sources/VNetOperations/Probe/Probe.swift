import VNetModel
import VNetSystem

extension Node {
    /// Probes the path of an attached pod's traffic, hop by hop from inside its network namespace: its
    /// gateway (with the pod's neighbour entry for it), the node's primary address, an address elsewhere in
    /// the VNet, each DNS server of the network's `dns.nameservers`, and an internet address. Reads the pod's
    /// SNAT counter and host veth counters around every hop to say what moved. Read-only: nothing on the node
    /// changes (the probe does not repair a missing NAT table, it reports it).
    ///
    /// Bounded: every hop waits at most its timeout, and the whole probe at most one timeout per hop plus a
    /// second; hops left when that runs out are skipped, not waited for.
    ///
    /// `open` gives the pod-side transport for the pod's namespace path (the real one by default).
    public func probe(_ request: ProbeRequest,
                      open: (String) throws -> any PodPathProbe = { try PodNamespaceProbe(netns: $0) }) throws(OperationError) -> ProbeReport {
        let endpoint: Endpoint
        do {
            endpoint = try request.reference.resolve(in: try store.load().endpoints)
        } catch let error as EndpointReference.LookupError {
            throw OperationError(.notFound, "\(error)")
        } catch {
            throw OperationError.wrap(error, step: "")
        }
        let settings = request.settings(over: config.probe)
        let transport: any PodPathProbe
        do {
            transport = try open(endpoint.netns)
        } catch {
            throw OperationError(.unavailable, "cannot probe from the pod's namespace \(endpoint.netns): \(error)")
        }
        let targets = probeTargets(endpoint, settings: settings)
        var run = ProbeRun(node: self, endpoint: endpoint, transport: transport, timeout: settings.timeoutSeconds,
                           hopCount: targets.count)
        let hops = targets.map { run.hop($0, dnsName: settings.dnsName) }
        return ProbeReport(pod: endpoint.pod.name == nil ? endpoint.key.description : endpoint.pod.display, key: endpoint.key,
                           podAddress: endpoint.address.address, hops: hops)
    }

    /// The hops in the order traffic meets them, each with its address or why it has none.
    func probeTargets(_ endpoint: Endpoint, settings: ProbeSettings) -> [ProbeTarget] {
        // The gateway the pod really routes through; the recorded one when its interface cannot be read.
        let pod = (try? kernel.inspectPod(netns: endpoint.netns, ifname: endpoint.key.ifname)) ?? nil
        let gateway = pod?.routes.first { $0.dst.length == 0 }?.gw ?? endpoint.gateway
        var targets = [ProbeTarget(.gateway, gateway)]
        let primary = config.snatAddress ?? (try? nat.snapshot())?.snatAddress ?? (try? kernel.sourceAddress(towards: gateway)) ?? nil
        targets.append(primary.map { ProbeTarget(.node, $0) } ?? ProbeTarget(.node, skip: .noPrimaryAddress))
        targets.append(settings.vnetAddress.map { ProbeTarget(.vnetAddress, $0) }
                       ?? ProbeTarget(.vnetAddress, skip: .notConfigured(setting: "vnetAddress")))
        let nameservers = config.dns?.nameservers ?? []
        if nameservers.isEmpty { targets.append(ProbeTarget(.dnsServer, skip: .noNameservers)) }
        for text in nameservers {
            targets.append(IPv4Address(text).map { ProbeTarget(.dnsServer, $0) } ?? ProbeTarget(.dnsServer, skip: .notIPv4(text)))
        }
        targets.append(settings.internetAddress.map { ProbeTarget(.internet, $0) }
                       ?? ProbeTarget(.internet, skip: .notConfigured(setting: "internetAddress")))
        return targets
    }
}

/// One planned hop: its kind and address, or why it cannot run.
struct ProbeTarget {
    var kind: ProbeHopKind
    var address: IPv4Address?
    var skip: ProbeSkipReason?

    init(_ kind: ProbeHopKind, _ address: IPv4Address) {
        self.kind = kind
        self.address = address
    }

    init(_ kind: ProbeHopKind, skip: ProbeSkipReason) {
        self.kind = kind
        self.skip = skip
    }
}

/// One probe in progress: the pod, its transport, the counters it reads and the time left.
struct ProbeRun {
    let node: Node
    let endpoint: Endpoint
    let transport: any PodPathProbe
    let timeout: Double
    /// When the whole probe must be over (monotonic seconds).
    let deadline: Double

    init(node: Node, endpoint: Endpoint, transport: any PodPathProbe, timeout: Double, hopCount: Int) {
        self.node = node
        self.endpoint = endpoint
        self.transport = transport
        self.timeout = timeout
        deadline = MonotonicClock.seconds() + timeout * Double(hopCount) + 1
    }

    mutating func hop(_ target: ProbeTarget, dnsName: String) -> ProbeHop {
        guard let address = target.address else { return .skipped(target.kind, target.skip ?? .noPrimaryAddress) }
        let left = deadline - MonotonicClock.seconds()
        guard left > 0.01 else { return .skipped(target.kind, address: address, .outOfTime) }
        let wait = min(timeout, left)
        let before = counters()
        let answer: ProbeAnswer
        if target.kind == .dnsServer {
            answer = transport.queryDNS(server: address, question: DNSQuestion(id: UInt16.random(in: 1...UInt16.max), name: dnsName),
                                        timeout: wait)
        } else {
            answer = transport.ping(address, timeout: wait)
        }
        let after = counters()
        let outcome: ProbeOutcome, milliseconds: Double
        switch answer {
        case .reply(let ms): (outcome, milliseconds) = (.pass, ms)
        case .failure(let failure, let ms): (outcome, milliseconds) = (.fail(failure), ms)
        }
        return ProbeHop(kind: target.kind, address: address, outcome: outcome, milliseconds: milliseconds,
                        moved: ProbeCounterMovement(before: before, after: after),
                        neighbour: target.kind == .gateway ? transport.neighbour(address) : nil,
                        natTablePresent: before.natTablePresent && after.natTablePresent)
    }

    /// The pod's SNAT counter (vnet's NAT adapter, as `vnetctl nat` reads it) and its host veth's packets.
    func counters() -> ProbeCounterReading {
        let nat = try? node.nat.snapshot()
        let snat = nat?.perPod.first { $0.address == endpoint.address.address }?.packets
        let link = (try? node.kernel.link(named: endpoint.hostVeth)) ?? nil
        return ProbeCounterReading(snatPackets: nat?.present == true ? snat ?? 0 : nil, vethRxPackets: link?.counters.rxPackets,
                                   vethTxPackets: link?.counters.txPackets, natTablePresent: nat?.present ?? false)
    }
}
