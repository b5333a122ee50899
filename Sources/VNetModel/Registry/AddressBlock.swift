#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One block of a VNet subnet as the registry holds it (`blocks/<a.b.c.d_len>`): which node owns it, which of
/// its addresses count against the VNet's limit, and, once given back, until when it cools down.
///
/// At every etcd revision a block has at most one owner: a claim compares the block key's revision it read
/// (0 for a block never claimed), so two nodes claiming one block cannot both succeed.
public struct AddressBlock: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Owned by `node`; its `addresses` are counted in the node's reservation.
        case claimed
        /// Given back by `node` (or forgotten with it); no node may claim it before `until`.
        case cooling
    }

    public var prefix: IPv4Prefix
    public var state: State
    /// The owner, or for a cooling block the node that gave it back.
    public var node: String
    /// The usable addresses: the block less the subnet's network, broadcast and gateway, the exclusions and
    /// the node primaries, and near the VNet's limit only as many as the VNet had left (a partial block).
    public var addresses: [AddressRange]
    public var claimedAt: Date
    /// When a cooling block may be claimed again.
    public var until: Date?

    public init(prefix: IPv4Prefix, state: State, node: String, addresses: [AddressRange], claimedAt: Date, until: Date? = nil) {
        self.prefix = prefix
        self.state = state
        self.node = node
        self.addresses = addresses
        self.claimedAt = claimedAt
        self.until = until
    }

    /// How many addresses it counts against the VNet's limit (a cooling block: none).
    public var usable: Int {
        state == .claimed ? addresses.reduce(0) { $0 + Int($1.count) } : 0
    }

    public func contains(_ address: IPv4Address) -> Bool { addresses.contains { $0.contains(address) } }

    /// True when no node may claim it at `now`: owned, or still cooling down.
    public func isTaken(at now: Date) -> Bool {
        state == .claimed || (until.map { $0 > now } ?? false)
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "block": .string(prefix.description), "state": .string(state.rawValue), "node": .string(node),
            "addresses": .array(addresses.map { .string($0.description) }),
            "claimedAt": .number(claimedAt.timeIntervalSince1970.rounded()),
        ]
        if let until { object["until"] = .number(until.timeIntervalSince1970.rounded()) }
        return .object(object)
    }

    /// nil when the value is not a block record.
    public init?(json value: JSONValue) {
        guard let text = value["block"]?.stringValue, let prefix = IPv4Prefix(text),
              let state = value["state"]?.stringValue.flatMap(State.init(rawValue:)), let node = value["node"]?.stringValue,
              let claimed = value["claimedAt"]?.numberValue else { return nil }
        var addresses: [AddressRange] = []
        for item in value["addresses"]?.arrayValue ?? [] {
            guard let range = item.stringValue.flatMap(AddressRange.init) else { return nil }
            addresses.append(range)
        }
        self.init(prefix: prefix.canonical, state: state, node: node, addresses: addresses,
                  claimedAt: Date(timeIntervalSince1970: claimed),
                  until: value["until"]?.numberValue.map { Date(timeIntervalSince1970: $0) })
    }
}
