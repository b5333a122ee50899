#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Serialises JSON for stdout: sorted keys, so outputs are stable and diffable.
public enum JSONOutput {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    public static func error(_ error: CNIError, version: String) -> [UInt8] {
        var object: [String: JSONValue] = [
            "cniVersion": .string(version),
            "code": .number(Double(error.code)),
            "msg": .string(error.msg),
        ]
        if !error.details.isEmpty { object["details"] = .string(error.details) }
        return bytes(.object(object))
    }
}
