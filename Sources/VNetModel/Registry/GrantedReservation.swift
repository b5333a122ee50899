#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the node agent (vnetd) was granted in the registry, written into the network's state directory for
/// vnet-ipam, which never talks to the registry itself: how many pods this node may hold, and enough of the
/// VNet's state to say why an ADD was refused.
public struct GrantedReservation: Sendable, Hashable {
    public var vnet: String
    public var node: String
    /// Pods this node may hold.
    public var reserved: Int
    /// The VNet's limit, and what all its nodes reserve together, when the agent last looked.
    public var vnetLimit: Int
    public var vnetReserved: Int
    /// The agent that wrote it, to tell an operator whether it still runs.
    public var agentPID: Int32
    public var updatedAt: Date

    public init(vnet: String, node: String, reserved: Int, vnetLimit: Int, vnetReserved: Int, agentPID: Int32, updatedAt: Date) {
        self.vnet = vnet
        self.node = node
        self.reserved = reserved
        self.vnetLimit = vnetLimit
        self.vnetReserved = vnetReserved
        self.agentPID = agentPID
        self.updatedAt = updatedAt
    }

    public var json: [UInt8] {
        JSONWriter.bytes(.object([
            "vnet": .string(vnet), "node": .string(node), "reserved": .number(Double(reserved)),
            "vnetLimit": .number(Double(vnetLimit)), "vnetReserved": .number(Double(vnetReserved)),
            "agentPID": .number(Double(agentPID)), "updatedAt": .number(updatedAt.timeIntervalSince1970),
        ]))
    }

    /// nil when the bytes are not that document.
    public init?(json bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let vnet = value["vnet"]?.stringValue, let node = value["node"]?.stringValue,
              let reserved = value["reserved"]?.intValue, let limit = value["vnetLimit"]?.intValue,
              let vnetReserved = value["vnetReserved"]?.intValue, let pid = value["agentPID"]?.intValue,
              let updated = value["updatedAt"]?.numberValue else { return nil }
        self.init(vnet: vnet, node: node, reserved: reserved, vnetLimit: limit, vnetReserved: vnetReserved,
                  agentPID: Int32(clamping: pid), updatedAt: Date(timeIntervalSince1970: updated))
    }

    /// Why an ADD that would be this node's `used + 1`-th pod is refused, or nil when the reservation has room.
    /// `agentRunning` says whether the agent that wrote it still runs.
    public func refusal(used: Int, agentRunning: Bool) -> String? {
        guard used >= reserved else { return nil }
        let agent = agentRunning ? "vnetd (pid \(agentPID)) is running" : "vnetd (pid \(agentPID)) is not running"
        return "VNet limit: node \(node) holds \(used) of the \(reserved) pods it reserved in VNet \(vnet) "
            + "(limit \(vnetLimit), \(vnetReserved) reserved across its nodes); \(agent)"
    }
}
