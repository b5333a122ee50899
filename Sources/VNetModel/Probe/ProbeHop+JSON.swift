/// One hop as `vnetctl probe --json` writes it (docs/vnetctl.md): the facts, and the words made from them.
extension ProbeHop {
    public var json: JSONValue {
        func count(_ value: UInt64?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        var object: [String: JSONValue] = [
            "target": .string(target),
            "kind": .string(kind.rawValue),
            "address": address.map { .string($0.description) } ?? .null,
            "outcome": .string(outcome.name),
            "milliseconds": milliseconds.map { .number(($0 * 1000).rounded() / 1000) } ?? .null,
            "detail": .string(detail),
            "moved": .object(["snatPackets": count(moved.snatPackets), "vethRxPackets": count(moved.vethRxPackets),
                              "vethTxPackets": count(moved.vethTxPackets)]),
        ]
        if let neighbour { object["neighbour"] = .string(neighbour.state?.rawValue ?? "none") }
        return .object(object)
    }
}
