#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The network configuration on stdin: the keys every plugin shares, plus the whole document for the
/// plugin's own keys and for passing prevResult, runtimeConfig and args along untouched.
public struct NetworkConfig: Sendable {
    public var raw: [String: JSONValue]
    public var bytes: [UInt8]
    public var cniVersion: String
    public var name: String
    public var type: String

    /// Decodes stdin. Malformed JSON is code 6; a missing cniVersion, name or type is code 7.
    /// The version check (code 1) is separate so VERSION can answer any version.
    public init(bytes: [UInt8]) throws(CNIError) {
        self.bytes = bytes
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw CNIError(.decodeFailure, "failed to decode the network configuration", details: error.description)
        }
        guard case .object(let object) = value else {
            throw CNIError(.decodeFailure, "the network configuration is not a JSON object", details: "found \(value.typeName)")
        }
        raw = object
        cniVersion = try Self.requiredString(object, "cniVersion", code: .invalidConfig)
        name = object["name"]?.stringValue ?? ""
        type = object["type"]?.stringValue ?? ""
    }

    /// Fails unless the version is one vnet speaks.
    public func requireSupportedVersion() throws(CNIError) {
        guard CNIVersion.isSupported(cniVersion) else {
            throw CNIError(.incompatibleVersion, "incompatible CNI version \"\(cniVersion)\"",
                           details: "vnet supports " + CNIVersion.supported.joined(separator: ", "))
        }
    }

    /// Fails unless `name` and `type` are present (ADD, DEL, CHECK, GC, STATUS need them).
    public func requireNameAndType() throws(CNIError) {
        if name.isEmpty { throw CNIError(.invalidConfig, "network configuration key \"name\" is missing or not a string") }
        if type.isEmpty { throw CNIError(.invalidConfig, "network configuration key \"type\" is missing or not a string") }
    }

    public subscript(key: String) -> JSONValue? { raw[key] }

    /// prevResult, when a previous plugin or the runtime's cache supplied one.
    public func previousResult() throws(CNIError) -> CNIResult? {
        guard let value = raw["prevResult"], value != .null else { return nil }
        return try CNIResult(decoding: value, version: cniVersion)
    }

    /// The attachments GC must keep: `cni.dev/valid-attachments`, or `cni.dev/attachments` from older libcni.
    public func validAttachments() throws(CNIError) -> Set<AttachmentKey> {
        let key = raw["cni.dev/valid-attachments"] != nil ? "cni.dev/valid-attachments" : "cni.dev/attachments"
        guard let list = raw[key] else {
            throw CNIError(.invalidConfig, "GC needs \"cni.dev/valid-attachments\" in the configuration")
        }
        guard case .array(let items) = list else {
            throw CNIError(.invalidConfig, "\"\(key)\" must be an array", details: "found \(list.typeName)")
        }
        var keys = Set<AttachmentKey>()
        for item in items {
            guard let id = item["containerID"]?.stringValue, let ifname = item["ifname"]?.stringValue else {
                throw CNIError(.invalidConfig, "each entry of \"\(key)\" needs string keys containerID and ifname")
            }
            keys.insert(AttachmentKey(containerID: id, ifname: ifname))
        }
        return keys
    }

    static func requiredString(_ object: [String: JSONValue], _ key: String, code: CNIError.Code) throws(CNIError) -> String {
        guard let value = object[key] else {
            throw CNIError(code, "network configuration key \"\(key)\" is missing")
        }
        guard let string = value.stringValue else {
            throw CNIError(code, "network configuration key \"\(key)\" must be a string", details: "found \(value.typeName)")
        }
        return string
    }
}

extension NetworkConfig {
    /// Keys that describe one call rather than the network; left out of the recorded configuration.
    static let perCallKeys: Set<String> = ["prevResult", "runtimeConfig", "args", "cni.dev/valid-attachments", "cni.dev/attachments"]

    /// The configuration as vnetctl and the console should see it: the network, not this call.
    public var recordable: [UInt8] {
        JSONOutput.bytes(.object(raw.filter { !Self.perCallKeys.contains($0.key) }))
    }
}
