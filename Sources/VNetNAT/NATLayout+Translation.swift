import CNftables
import VNetModel

/// Public IPs and host ports: the maps that hold them and the rules that translate with them (docs/nat.md).
///
///     map public_in            { type ipv4_addr : ipv4_addr }                            # public IP -> pod
///     map public_out           { type ipv4_addr : ipv4_addr }                            # pod -> public IP
///     map host_ports           { type inet_proto . inet_service : ipv4_addr }            # any node address
///     map host_port_targets    { type inet_proto . inet_service : inet_service }
///     map host_ip_ports        { type ipv4_addr . inet_proto . inet_service : ipv4_addr }   # one hostIP
///     map host_ip_port_targets { type ipv4_addr . inet_proto . inet_service : inet_service }
///
/// A host port's target is two maps (address, then port) and not one `ipv4_addr . inet_service` map because
/// nft 1.0.6's JSON input cannot declare a map with concatenated data ("set is not a map"), and the table is
/// built from JSON. `dnat to K map @a : K map @b` does the same with two lookups.
///
/// The maps and chains exist whenever `snat` is on, so that a pod with a public IP or host ports needs no
/// rebuild of the table; with nothing in them they cost one failed lookup per new connection.
extension NATLayout {
    static let publicInMap = "public_in"
    static let publicOutMap = "public_out"
    static let hostPortMap = "host_ports"
    static let hostPortTargetMap = "host_port_targets"
    static let hostIPPortMap = "host_ip_ports"
    static let hostIPPortTargetMap = "host_ip_port_targets"
    static let dnatChain = "prerouting"
    static let outputChain = "output"

    enum FieldType: String { case address = "ipv4_addr", transport = "inet_proto", port = "inet_service" }

    struct MapSpec: Hashable {
        var name: String
        var key: [FieldType]
        var data: FieldType
    }

    /// One value of a map key or data, as nft and the kernel hold it.
    enum Field: Hashable, CustomStringConvertible {
        case address(IPv4Address)
        case transport(PortMapping.Transport)
        case port(UInt16)

        var json: JSONValue {
            switch self {
            case .address(let address): return .string("\(address)")
            case .transport(let transport): return .string(transport.rawValue)
            case .port(let port): return .number(Double(port))
            }
        }

        /// The kernel's bytes: a field of a concatenated key takes a whole 32-bit register (padded after);
        /// alone, a port is its two bytes (the map's data length).
        func bytes(padded: Bool) -> [UInt8] {
            switch self {
            case .address(let address):
                let value = address.value
                return [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
            case .transport(let transport):
                let number: UInt8 = transport == .tcp ? 6 : 17
                return padded ? [number, 0, 0, 0] : [number]
            case .port(let port):
                return padded ? [UInt8(port >> 8), UInt8(port & 0xff), 0, 0] : [UInt8(port >> 8), UInt8(port & 0xff)]
            }
        }

        var description: String {
            switch self {
            case .address(let address): return "\(address)"
            case .transport(let transport): return transport.rawValue
            case .port(let port): return "\(port)"
            }
        }
    }

    /// One element of one map: what a pod brings to the table besides its address.
    struct MapElement: Hashable, CustomStringConvertible {
        var map: String
        var key: [Field]
        var data: Field

        var keyBytes: [UInt8] { key.count == 1 ? key[0].bytes(padded: false) : key.flatMap { $0.bytes(padded: true) } }
        var dataBytes: [UInt8] { data.bytes(padded: false) }

        /// The element as nft's JSON input and listing write it: `[key, data]`.
        var json: JSONValue {
            .array([key.count == 1 ? key[0].json : NftJSON.object(["concat": .array(key.map(\.json))]), data.json])
        }

        var description: String { "\(map) { \(key.map(\.description).joined(separator: " . ")) : \(data) }" }
    }

    static let translationMaps: [MapSpec] = [
        MapSpec(name: publicInMap, key: [.address], data: .address),
        MapSpec(name: publicOutMap, key: [.address], data: .address),
        MapSpec(name: hostPortMap, key: [.transport, .port], data: .address),
        MapSpec(name: hostPortTargetMap, key: [.transport, .port], data: .port),
        MapSpec(name: hostIPPortMap, key: [.address, .transport, .port], data: .address),
        MapSpec(name: hostIPPortTargetMap, key: [.address, .transport, .port], data: .port),
    ]

    /// The map elements of `pod` in this layout: none when the layout has no maps (`snat` off).
    func mapElements(of pod: NATPod) -> [MapElement] {
        guard !maps.isEmpty else { return [] }
        return Self.mapElements(of: pod)
    }

    static func mapElements(of pod: NATPod) -> [MapElement] {
        var elements: [MapElement] = []
        if let publicIP = pod.publicIP {
            elements.append(MapElement(map: publicInMap, key: [.address(publicIP)], data: .address(pod.address)))
            elements.append(MapElement(map: publicOutMap, key: [.address(pod.address)], data: .address(publicIP)))
        }
        for mapping in pod.portMappings {
            let port: [Field] = [.transport(mapping.transport), .port(mapping.hostPort)]
            if let hostIP = mapping.hostIP {
                elements.append(MapElement(map: hostIPPortMap, key: [.address(hostIP)] + port, data: .address(pod.address)))
                elements.append(MapElement(map: hostIPPortTargetMap, key: [.address(hostIP)] + port, data: .port(mapping.containerPort)))
            } else {
                elements.append(MapElement(map: hostPortMap, key: port, data: .address(pod.address)))
                elements.append(MapElement(map: hostPortTargetMap, key: port, data: .port(mapping.containerPort)))
            }
        }
        return elements
    }

    // MARK: - Chains and rules

    static func translationChains() -> [ChainSpec] {
        let dstnat = Int(vnet_nf_ip_pri_nat_dst())
        return [ChainSpec(name: dnatChain, type: "nat", hook: "prerouting", priority: dstnat),
                ChainSpec(name: outputChain, type: "nat", hook: "output", priority: dstnat)]
    }

    private static func ipField(_ field: String) -> JSONValue {
        NftJSON.object(["payload": NftJSON.object(["protocol": .string("ip"), "field": .string(field)])])
    }

    private static func match(_ op: String, _ left: JSONValue, _ right: JSONValue) -> JSONValue {
        NftJSON.object(["match": NftJSON.object(["op": .string(op), "left": left, "right": right])])
    }

    private static func lookup(_ key: JSONValue, _ map: String) -> JSONValue {
        NftJSON.object(["map": NftJSON.object(["key": key, "data": .string("@\(map)")])])
    }

    private static let counter = NftJSON.object(["counter": .null])

    /// Postrouting, right after "only pods": a pod that reached a public IP or host port served on this node
    /// (DNAT-ed to a pod, maybe itself) leaves with the node's address, so that the answer comes back through
    /// the node to be translated back; from its own address the other pod would answer it directly over the
    /// bridge, and the client would drop an answer from an address it never called.
    static func hairpinRules(_ config: NATConfig) -> [RuleSpec] {
        [RuleSpec(chain: natChain, comment: "vnet: pods reaching a public IP or host port of this node's pods leave with \(config.snatAddress)",
                  expr: [match("in", NftJSON.object(["ct": NftJSON.object(["key": .string("status")])]), .string("dnat")),
                         match("==", ipField("daddr"), .string("@\(podSet)")), counter,
                         NftJSON.object(["snat": NftJSON.object(["addr": .string("\(config.snatAddress)")])])])]
    }

    /// Postrouting, after the rules that keep the pod's address and before the SNAT to the node: a pod with a
    /// public IP leaves with it.
    static func publicSourceRules() -> [RuleSpec] {
        [RuleSpec(chain: natChain, comment: "vnet: pods with a public IP leave with it",
                  expr: [match("==", ipField("saddr"), .string("@\(publicOutMap)")), counter,
                         NftJSON.object(["snat": NftJSON.object(["addr": lookup(ipField("saddr"), publicOutMap)])])])]
    }

    /// Prerouting (traffic arriving) and output (the node's own traffic): a public IP reaches its pod, and a
    /// host port, on its hostIP or on any of the node's own addresses, reaches its pod's port.
    static func destinationRules() -> [RuleSpec] {
        let hostIPKey = NftJSON.object(["concat": .array([ipField("daddr"), NftJSON.object(["meta": NftJSON.object(["key": .string("l4proto")])]),
                                                          NftJSON.object(["payload": NftJSON.object(["protocol": .string("th"), "field": .string("dport")])])])])
        let portKey = NftJSON.object(["concat": .array([NftJSON.object(["meta": NftJSON.object(["key": .string("l4proto")])]),
                                                        NftJSON.object(["payload": NftJSON.object(["protocol": .string("th"), "field": .string("dport")])])])])
        let fib = NftJSON.object(["fib": NftJSON.object(["result": .string("type"), "flags": .array([.string("daddr")])])])
        var rules: [RuleSpec] = []
        for (chain, origin) in [(dnatChain, ""), (outputChain, " (from the node itself)")] {
            rules.append(RuleSpec(chain: chain, comment: "vnet: DNAT a public IP to its pod\(origin)",
                                  expr: [match("==", ipField("daddr"), .string("@\(publicInMap)")), counter,
                                         NftJSON.object(["dnat": NftJSON.object(["addr": lookup(ipField("daddr"), publicInMap)])])]))
            rules.append(RuleSpec(chain: chain, comment: "vnet: DNAT a host port on its hostIP to its pod\(origin)",
                                  expr: [match("==", hostIPKey, .string("@\(hostIPPortMap)")), counter,
                                         NftJSON.object(["dnat": NftJSON.object(["addr": lookup(hostIPKey, hostIPPortMap),
                                                                                 "port": lookup(hostIPKey, hostIPPortTargetMap)])])]))
            rules.append(RuleSpec(chain: chain, comment: "vnet: DNAT a host port on the node's addresses to its pod\(origin)",
                                  expr: [match("==", fib, .string("local")), match("==", portKey, .string("@\(hostPortMap)")), counter,
                                         NftJSON.object(["dnat": NftJSON.object(["addr": lookup(portKey, hostPortMap),
                                                                                 "port": lookup(portKey, hostPortTargetMap)])])]))
        }
        return rules
    }

    // MARK: - Building and comparing the maps

    /// `add map` commands for a rebuild, each holding the elements of `pods`.
    func mapCommands(pods: [NATPod]) -> [JSONValue] {
        let elements = pods.flatMap(mapElements(of:))
        return maps.map { spec in
            var body: [String: JSONValue] = ["family": .string("ip"), "table": .string(table), "name": .string(spec.name),
                                             "type": spec.key.count == 1 ? .string(spec.key[0].rawValue) : .array(spec.key.map { .string($0.rawValue) }),
                                             "map": .string(spec.data.rawValue)]
            let members = elements.filter { $0.map == spec.name }
            if !members.isEmpty { body["elem"] = .array(members.map(\.json)) }
            return NftJSON.object(["add": NftJSON.object(["map": .object(body)])])
        }
    }

    /// How the listed maps differ from the wanted ones (declarations only; elements are `mapDrift`'s).
    func mapDifferences(from listing: NATListing) -> [String] {
        var problems: [String] = []
        for spec in maps {
            guard let found = listing.map(named: spec.name) else {
                problems.append("map \(spec.name) is missing")
                continue
            }
            let type: JSONValue = spec.key.count == 1 ? .string(spec.key[0].rawValue) : .array(spec.key.map { .string($0.rawValue) })
            if found.type != type || found.data != .string(spec.data.rawValue) || !found.flags.isEmpty || !found.statements.isEmpty {
                problems.append("map \(spec.name) is not \(spec.key.map(\.rawValue).joined(separator: " . ")) : \(spec.data.rawValue)")
            }
        }
        for found in listing.maps where !maps.contains(where: { $0.name == found.name }) {
            problems.append("unexpected map \(found.name)")
        }
        return problems
    }

    /// The elements to add to and delete from the maps so that they hold exactly what `pods` bring.
    func mapDrift(_ listing: NATListing, pods: [NATPod]) -> (add: [MapElement], remove: [JSONValue], removeFrom: [String]) {
        let wanted = pods.flatMap(mapElements(of:))
        var add: [MapElement] = []
        var remove: [JSONValue] = []
        var removeFrom: [String] = []
        for spec in maps {
            let have = listing.map(named: spec.name)?.elements ?? []
            let want = wanted.filter { $0.map == spec.name }
            let haveNormalized = Set(have.map { Self.normalizedElement($0) })
            add += want.filter { !haveNormalized.contains(Self.normalizedElement($0.json)) }
            let wantNormalized = Set(want.map { Self.normalizedElement($0.json) })
            for element in have where !wantNormalized.contains(Self.normalizedElement(element)) {
                remove.append(element)
                removeFrom.append(spec.name)
            }
        }
        return (add, remove, removeFrom)
    }

    /// An element's `[key, data]` as one comparable string (nft lists a port as a number and a protocol
    /// by name, as they are written).
    static func normalizedElement(_ element: JSONValue) -> String {
        guard let pair = element.arrayValue, pair.count == 2 else { return "\(element)" }
        func text(_ value: JSONValue) -> String {
            if let parts = value["concat"]?.arrayValue { return parts.map(text).joined(separator: " . ") }
            if let number = value.numberValue { return String(Int(number)) }
            return value.stringValue ?? "\(value)"
        }
        return text(pair[0]) + " : " + text(pair[1])
    }

    /// `add element` commands for map elements.
    func mapElementCommands(_ verb: String, _ elements: [JSONValue], maps names: [String]) -> [JSONValue] {
        zip(names, elements).map { name, element in
            NftJSON.object([verb: NftJSON.object(["element": NftJSON.object([
                "family": .string("ip"), "table": .string(table), "name": .string(name), "elem": .array([element])])])])
        }
    }
}
