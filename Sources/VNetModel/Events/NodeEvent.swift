#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One thing that happened on the node: a CNI call or an operator's (or vnetd's) operation, with its
/// result. Callers append events to the network's event log (VNetState's `EventLog`); vnetctl and the
/// console read them to answer "which pod failed to get an address, when, and why?".
public struct NodeEvent: Sendable, Hashable {
    public var at: Date
    /// "ADD", "DEL", "CHECK", "GC", "STATUS" for CNI calls; "attach", "detach", "reclaim", "forget-node" for
    /// operations.
    public var verb: String
    /// Who called: "vnet", "vnet-ipam", "vnetctl", "vnet-console", "vnetd".
    public var caller: String
    public var network: String
    public var container: String?
    public var ifname: String?
    /// "namespace/name" when the runtime said (K8S_POD_NAMESPACE, K8S_POD_NAME).
    public var pod: String?
    public var failed: Bool
    /// The CNI error code of a failed CNI call (operations have none).
    public var code: Int?
    /// The error, or for a success what was done ("10.240.1.7 via vn3f2a...").
    public var message: String?
    public var details: String?
    public var seconds: Double

    public init(at: Date, verb: String, caller: String, network: String, container: String? = nil, ifname: String? = nil,
                pod: String? = nil, failed: Bool, code: Int? = nil, message: String? = nil, details: String? = nil, seconds: Double) {
        self.at = at
        self.verb = verb
        self.caller = caller
        self.network = network
        self.container = container
        self.ifname = ifname
        self.pod = pod
        self.failed = failed
        self.code = code
        self.message = message
        self.details = details
        self.seconds = seconds
    }

    /// One line of the event log (no newline), written by hand like the other state files: Foundation's
    /// coders cost more on a CNI call's path than the rest of recording the event.
    public var jsonLine: [UInt8] {
        var object: [String: JSONValue] = [
            "at": .number((at.timeIntervalSince1970 * 1000).rounded() / 1000), "verb": .string(verb), "caller": .string(caller),
            "network": .string(network), "failed": .bool(failed), "seconds": .number((seconds * 1e6).rounded() / 1e6),
        ]
        if let container { object["container"] = .string(container) }
        if let ifname { object["ifname"] = .string(ifname) }
        if let pod { object["pod"] = .string(pod) }
        if let code { object["code"] = .number(Double(code)) }
        if let message { object["message"] = .string(Self.bounded(message)) }
        if let details, !details.isEmpty { object["details"] = .string(Self.bounded(details)) }
        return JSONWriter.bytes(.object(object))
    }

    /// The JSON vnetctl prints (times as ISO 8601).
    public var json: JSONValue {
        guard case .object(var object)? = try? JSONParser.parse(jsonLine) else { return .null }
        object["at"] = .string(ISO8601.format(at))
        return .object(object)
    }

    /// nil when the line is not an event (torn, corrupt, or from a newer writer that changed a field's type).
    public init?(jsonLine bytes: some Collection<UInt8>) {
        guard let value = try? JSONParser.parse(Array(bytes)), let at = value["at"]?.numberValue, let verb = value["verb"]?.stringValue,
              let caller = value["caller"]?.stringValue, let network = value["network"]?.stringValue,
              let failed = value["failed"]?.boolValue else { return nil }
        self.init(at: Date(timeIntervalSince1970: at), verb: verb, caller: caller, network: network,
                  container: value["container"]?.stringValue, ifname: value["ifname"]?.stringValue, pod: value["pod"]?.stringValue,
                  failed: failed, code: value["code"]?.intValue, message: value["message"]?.stringValue,
                  details: value["details"]?.stringValue, seconds: value["seconds"]?.numberValue ?? 0)
    }

    /// Messages are kept whole up to 2 KiB: an event is one short append, whatever an error carries.
    static func bounded(_ text: String) -> String {
        text.utf8.count <= 2048 ? text : String(decoding: text.utf8.prefix(2048), as: UTF8.self) + "..."
    }
}
