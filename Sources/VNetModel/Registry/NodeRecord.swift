#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a node publishes in the registry for the rest of the VNet (`nodes/<node>`): who it is, what its pool
/// holds, how much of it is in use and which addresses it leases (so two nodes handing out one address show
/// as a conflict).
public struct NodeRecord: Sendable, Hashable {
    public var name: String
    public var primaryAddress: IPv4Address?
    public var poolRanges: [String]
    public var capacity: Int
    public var used: Int
    public var leaks: Int
    public var leased: [IPv4Address]
    public var agentVersion: String
    public var updatedAt: Date

    public init(name: String, primaryAddress: IPv4Address?, poolRanges: [String], capacity: Int, used: Int, leaks: Int,
                leased: [IPv4Address] = [], agentVersion: String, updatedAt: Date) {
        self.name = name
        self.primaryAddress = primaryAddress
        self.poolRanges = poolRanges
        self.capacity = capacity
        self.used = used
        self.leaks = leaks
        self.leased = leased
        self.agentVersion = agentVersion
        self.updatedAt = updatedAt
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "poolRanges": .array(poolRanges.map(JSONValue.string)),
            "capacity": .number(Double(capacity)), "used": .number(Double(used)), "leaks": .number(Double(leaks)),
            "leased": .array(leased.map { .string($0.description) }), "agentVersion": .string(agentVersion),
            "updatedAt": .number(updatedAt.timeIntervalSince1970),
        ]
        if let primaryAddress { object["primaryAddress"] = .string(primaryAddress.description) }
        return .object(object)
    }

    /// nil when `value` is not a node record.
    public init?(json value: JSONValue) {
        guard let name = value["name"]?.stringValue, let used = value["used"]?.intValue,
              let updated = value["updatedAt"]?.numberValue else { return nil }
        self.init(name: name, primaryAddress: value["primaryAddress"]?.stringValue.flatMap { IPv4Address($0) },
                  poolRanges: value["poolRanges"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                  capacity: value["capacity"]?.intValue ?? 0, used: used, leaks: value["leaks"]?.intValue ?? 0,
                  leased: value["leased"]?.arrayValue?.compactMap { $0.stringValue.flatMap { IPv4Address($0) } } ?? [],
                  agentVersion: value["agentVersion"]?.stringValue ?? "", updatedAt: Date(timeIntervalSince1970: updated))
    }
}
