/// `vnetctl vnet status --json`: a contract tools outside the repository rely on (docs/vnet.md). At least
/// `limit`, `used`, `reserved` and `nodes` (each with `name`, `used`, `reserved` and `alive`).
extension VNetStatus {
    public var json: JSONValue {
        .object([
            "vnet": .string(vnet), "limit": .number(Double(limit)), "used": .number(Double(used)),
            "reserved": .number(Double(reserved)), "free": .number(Double(free)), "unreserved": .number(Double(unreserved)),
            "revision": .number(Double(revision)), "readAt": .string(ISO8601.format(readAt)),
            "pressureFrom": pressureFrom.map(JSONValue.string) ?? .null,
            "nodes": .array(nodes.map(\.json)),
            "conflicts": .array(conflicts.map(\.json)),
            "registry": registry.json,
            "blocks": .array(blockRows.map(\.json)),
        ])
    }
}

extension VNetNodeStatus {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "used": .number(Double(used)), "reserved": .number(Double(reserved)),
            "alive": .bool(alive), "leaks": .number(Double(leaks)), "poolRanges": .array(poolRanges.map(JSONValue.string)),
            "heartbeatAgeSeconds": heartbeatAge.map { .number(($0 * 10).rounded() / 10) } ?? .null,
            "blocks": .array(blocks.map { .string($0.prefix.description) }), "claimed": .number(Double(claimed)),
        ]
        if let record {
            object["capacity"] = .number(Double(record.capacity))
            object["agentVersion"] = .string(record.agentVersion)
            object["primaryAddress"] = record.primaryAddress.map { .string($0.description) } ?? .null
        }
        return .object(object)
    }
}

extension VNetConflict {
    public var json: JSONValue {
        .object(["kind": .string(kind.rawValue), "nodes": .array(nodes.map(JSONValue.string)), "subject": .string(subject),
                 "explanation": .string(explanation)])
    }
}

extension RegistryHealth {
    public var json: JSONValue {
        .object([
            "reachable": .bool(reachable), "leader": leader.map(JSONValue.string) ?? .null,
            "lastError": lastError.map(JSONValue.string) ?? .null,
            "members": .array(members.map { .object(["endpoint": .string($0.endpoint), "reachable": .bool($0.reachable),
                                                      "leader": .bool($0.isLeader)]) }),
        ])
    }
}
