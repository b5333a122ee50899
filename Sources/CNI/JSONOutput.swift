#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Serialises JSON for stdout: sorted keys, so outputs are stable and diffable. Through `JSONWriter`, not
/// Foundation's encoder: the encoder's first use in a process (every CNI call is one) cost more than the
/// rest of writing the result.
public enum JSONOutput {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        JSONWriter.bytes(value) + [UInt8(ascii: "\n")]
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
