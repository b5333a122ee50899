#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The state document's JSON, mapped by hand (JSONParser in, JSONWriter out): Foundation's Codable
/// machinery cost most of every CNI call on a full node. The layout is the one Codable wrote before, so
/// existing files read unchanged.
enum StateDocument {
    struct Invalid: Error {
        var reason: String
    }

    // MARK: Encoding
    // Commits go through `StateDocumentWriter`; these build the same document as a `JSONValue`, the reference
    // the direct writer is checked against (StateDocumentCodecTests).

    static func json(_ state: NetworkState) -> JSONValue {
        .object([
            "schema": .number(Double(state.schema)),
            "network": .string(state.network),
            "generation": .number(Double(state.generation)),
            "leases": .array(state.leases.map(json)),
            "released": .array(state.released.map { .object(["address": .string($0.address.description),
                                                             "releasedAt": .string(ISO8601.format($0.releasedAt))]) }),
            "endpoints": .array(state.endpoints.map(json)),
            "flagged": .array(state.flagged.map { .string($0.description) }),
            "quarantined": .array(state.quarantined.map { .string($0.description) }),
            "seal": .string(DocumentSeal.placeholder),
        ])
    }

    static func json(_ key: AttachmentKey) -> JSONValue {
        .object(["containerID": .string(key.containerID), "ifname": .string(key.ifname)])
    }

    static func json(_ pod: PodIdentity) -> JSONValue {
        var object: [String: JSONValue] = [:]
        if let namespace = pod.namespace { object["namespace"] = .string(namespace) }
        if let name = pod.name { object["name"] = .string(name) }
        return .object(object)
    }

    static func json(_ lease: Lease) -> JSONValue {
        var object: [String: JSONValue] = [
            "key": json(lease.key), "address": .string(lease.address.description), "pod": json(lease.pod),
            "createdAt": .string(ISO8601.format(lease.createdAt)), "owner": .string(lease.owner),
        ]
        if let netns = lease.netns { object["netns"] = .string(netns) }
        return .object(object)
    }

    static func json(_ endpoint: Endpoint) -> JSONValue {
        var object: [String: JSONValue] = [
            "key": json(endpoint.key), "phase": .string(endpoint.phase.rawValue), "address": .string(endpoint.address.description),
            "gateway": .string(endpoint.gateway.description), "hostVeth": .string(endpoint.hostVeth), "netns": .string(endpoint.netns),
            "bridge": .string(endpoint.bridge), "pod": json(endpoint.pod), "createdAt": .string(ISO8601.format(endpoint.createdAt)),
        ]
        if let mac = endpoint.podMAC { object["podMAC"] = .string(mac) }
        if let publicIP = endpoint.publicIP { object["publicIP"] = .string(publicIP.description) }
        if !endpoint.portMappings.isEmpty {
            object["portMappings"] = .array(endpoint.portMappings.map { mapping in
                var fields: [String: JSONValue] = ["hostPort": .number(Double(mapping.hostPort)),
                                                   "containerPort": .number(Double(mapping.containerPort)),
                                                   "protocol": .string(mapping.transport.rawValue)]
                if let hostIP = mapping.hostIP { fields["hostIP"] = .string(hostIP.description) }
                return .object(fields)
            })
        }
        return .object(object)
    }

    // MARK: Decoding

    static func state(_ value: JSONValue) throws(Invalid) -> NetworkState {
        let object = try objectAt(value, "the document")
        var state = NetworkState(network: try string(object, "network", in: ""))
        state.schema = try int(object, "schema", in: "")
        state.generation = UInt64(max(0, try int(object, "generation", in: "")))
        state.leases = try array(object, "leases").enumerated().map { index, item throws(Invalid) in try lease(item, "leases.\(index)") }
        state.released = try array(object, "released").enumerated().map { index, item throws(Invalid) in
            let path = "released.\(index)"
            let fields = try objectAt(item, path)
            return ReleasedAddress(address: try address(fields, "address", in: path), releasedAt: try date(fields, "releasedAt", in: path))
        }
        state.endpoints = try array(object, "endpoints").enumerated().map { index, item throws(Invalid) in try endpoint(item, "endpoints.\(index)") }
        state.flagged = try array(object, "flagged").enumerated().map { index, item throws(Invalid) in
            guard let text = item.stringValue, let value = IPv4Address(text) else { throw Invalid(reason: "flagged.\(index) is not an address") }
            return value
        }
        // Added after schema 1 was first written: absent in older documents.
        if object["quarantined"] != nil {
            state.quarantined = try array(object, "quarantined").enumerated().map { index, item throws(Invalid) in
                guard let text = item.stringValue, let value = IPv4Address(text) else {
                    throw Invalid(reason: "quarantined.\(index) is not an address")
                }
                return value
            }
        }
        return state
    }

    static func lease(_ value: JSONValue, _ path: String) throws(Invalid) -> Lease {
        let object = try objectAt(value, path)
        return Lease(key: try key(object, path), address: try address(object, "address", in: path), pod: try pod(object, path),
                     netns: try optionalString(object, "netns", in: path), createdAt: try date(object, "createdAt", in: path),
                     owner: try string(object, "owner", in: path))
    }

    static func endpoint(_ value: JSONValue, _ path: String) throws(Invalid) -> Endpoint {
        let object = try objectAt(value, path)
        let phaseText = try string(object, "phase", in: path)
        guard let phase = Endpoint.Phase(rawValue: phaseText) else { throw Invalid(reason: "\(path).phase \"\(phaseText)\" is unknown") }
        let prefixText = try string(object, "address", in: path)
        guard let prefix = IPv4Prefix(prefixText) else { throw Invalid(reason: "\(path).address is not a.b.c.d/len") }
        return Endpoint(key: try key(object, path), phase: phase, address: prefix, gateway: try address(object, "gateway", in: path),
                        hostVeth: try string(object, "hostVeth", in: path), podMAC: try optionalString(object, "podMAC", in: path),
                        netns: try string(object, "netns", in: path), bridge: try string(object, "bridge", in: path),
                        pod: try pod(object, path), createdAt: try date(object, "createdAt", in: path),
                        publicIP: try optionalAddress(object, "publicIP", in: path), portMappings: try portMappings(object, path))
    }

    /// An address under `name`, absent in documents written before the key existed.
    static func optionalAddress(_ object: [String: JSONValue], _ name: String, in path: String) throws(Invalid) -> IPv4Address? {
        guard let value = object[name], value != .null else { return nil }
        guard let text = value.stringValue, let address = IPv4Address(text) else { throw Invalid(reason: "\(path).\(name) is not an address") }
        return address
    }

    /// An endpoint's host ports; absent (none) in documents written before public IPs and host ports.
    static func portMappings(_ object: [String: JSONValue], _ path: String) throws(Invalid) -> [PortMapping] {
        guard let value = object["portMappings"], value != .null else { return [] }
        guard let items = value.arrayValue else { throw Invalid(reason: "\(path).portMappings is not an array") }
        return try items.enumerated().map { index, item throws(Invalid) in
            let at = "\(path).portMappings.\(index)"
            let fields = try objectAt(item, at)
            func port(_ name: String) throws(Invalid) -> UInt16 {
                guard let number = fields[name]?.intValue, (1...65_535).contains(number) else { throw Invalid(reason: "\(at).\(name) is not a port") }
                return UInt16(number)
            }
            guard let text = fields["protocol"]?.stringValue, let transport = PortMapping.Transport(rawValue: text) else {
                throw Invalid(reason: "\(at).protocol is not tcp or udp")
            }
            return PortMapping(hostPort: try port("hostPort"), containerPort: try port("containerPort"), transport: transport,
                               hostIP: try optionalAddress(fields, "hostIP", in: at))
        }
    }

    static func key(_ object: [String: JSONValue], _ path: String) throws(Invalid) -> AttachmentKey {
        guard let value = object["key"] else { throw Invalid(reason: "missing key \"key\" at \(path)") }
        let fields = try objectAt(value, path + ".key")
        return AttachmentKey(containerID: try string(fields, "containerID", in: path + ".key"), ifname: try string(fields, "ifname", in: path + ".key"))
    }

    static func pod(_ object: [String: JSONValue], _ path: String) throws(Invalid) -> PodIdentity {
        guard let value = object["pod"] else { throw Invalid(reason: "missing key \"pod\" at \(path)") }
        let fields = try objectAt(value, path + ".pod")
        return PodIdentity(namespace: try optionalString(fields, "namespace", in: path + ".pod"),
                           name: try optionalString(fields, "name", in: path + ".pod"))
    }

    static func objectAt(_ value: JSONValue, _ path: String) throws(Invalid) -> [String: JSONValue] {
        guard let object = value.objectValue else { throw Invalid(reason: "\(path) is not an object") }
        return object
    }

    static func array(_ object: [String: JSONValue], _ key: String) throws(Invalid) -> [JSONValue] {
        guard let value = object[key] else { throw Invalid(reason: "missing key \"\(key)\"") }
        guard let items = value.arrayValue else { throw Invalid(reason: "\"\(key)\" is not an array") }
        return items
    }

    static func string(_ object: [String: JSONValue], _ key: String, in path: String) throws(Invalid) -> String {
        guard let value = object[key] else { throw Invalid(reason: "missing key \"\(key)\"" + (path.isEmpty ? "" : " at \(path)")) }
        guard let text = value.stringValue else { throw Invalid(reason: "\(path.isEmpty ? "" : path + ".")\(key) is not a string") }
        return text
    }

    static func optionalString(_ object: [String: JSONValue], _ key: String, in path: String) throws(Invalid) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw Invalid(reason: "\(path).\(key) is not a string") }
        return text
    }

    static func int(_ object: [String: JSONValue], _ key: String, in path: String) throws(Invalid) -> Int {
        guard let value = object[key] else { throw Invalid(reason: "missing key \"\(key)\"") }
        guard let number = value.intValue else { throw Invalid(reason: "\"\(key)\" is not a whole number") }
        return number
    }

    static func address(_ object: [String: JSONValue], _ key: String, in path: String) throws(Invalid) -> IPv4Address {
        let text = try string(object, key, in: path)
        guard let value = IPv4Address(text) else { throw Invalid(reason: "\(path).\(key) \"\(text)\" is not an IPv4 address") }
        return value
    }

    static func date(_ object: [String: JSONValue], _ key: String, in path: String) throws(Invalid) -> Date {
        let text = try string(object, key, in: path)
        guard let value = ISO8601.parse(text) else { throw Invalid(reason: "\(path).\(key) \"\(text)\" is not an ISO 8601 time") }
        return value
    }
}
