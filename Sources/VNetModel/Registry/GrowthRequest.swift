/// vnet-ipam asking the node agent for room (`<dataDir>/<network>/vnetd.sock`, one JSON line each way): an
/// ADD found the node's reservation used up, and waits for the agent to grow it instead of failing at once.
public struct GrowthRequest: Sendable, Hashable {
    /// The pods the node must be allowed to hold (what it holds, plus this ADD).
    public var need: Int
    /// How long the asker waits; the agent answers before that.
    public var waitSeconds: Double

    public init(need: Int, waitSeconds: Double) {
        self.need = need
        self.waitSeconds = waitSeconds
    }

    public var json: [UInt8] { JSONWriter.bytes(.object(["need": .number(Double(need)), "waitSeconds": .number(waitSeconds)])) }

    public init?(json bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let need = value["need"]?.intValue, need >= 0,
              let wait = value["waitSeconds"]?.numberValue, wait >= 0 else { return nil }
        self.init(need: need, waitSeconds: min(wait, 600))
    }
}

/// The agent's answer: the reservation now in force, and why it is short when it is.
public struct GrowthAnswer: Sendable, Hashable {
    public var reserved: Int
    /// nil when `reserved` covers the request.
    public var refusal: String?

    public init(reserved: Int, refusal: String?) {
        self.reserved = reserved
        self.refusal = refusal
    }

    public var json: [UInt8] {
        JSONWriter.bytes(.object(["reserved": .number(Double(reserved)), "refusal": refusal.map(JSONValue.string) ?? .null]))
    }

    public init?(json bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let reserved = value["reserved"]?.intValue else { return nil }
        self.init(reserved: reserved, refusal: value["refusal"]?.stringValue)
    }
}

extension GrowthRequest {
    /// Where the agent listens for a network whose state lives in `directory`.
    public static func socketPath(directory: String) -> String { directory + "/vnetd.sock" }
}
