#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// etcd's JSON gateway speaks protobuf's JSON: keys and values in base64, 64-bit numbers as strings, fields
/// at their default value (0, false, empty) left out. This is that mapping, and nothing else.
enum EtcdJSON {
    static func base64(_ text: String) -> JSONValue { .string(Data(text.utf8).base64EncodedString()) }
    static func base64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }
    static func int64(_ value: Int64) -> JSONValue { .string(String(value)) }

    /// The range end that makes a range read or delete cover every key starting with `prefix`.
    static func prefixEnd(_ prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return [0]
    }

    static func range(_ key: String, prefix: Bool, revision: Int64? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["key": base64(key)]
        if prefix { object["range_end"] = base64(prefixEnd(key)) }
        if let revision { object["revision"] = int64(revision) }
        return .object(object)
    }

    static func put(_ key: String, _ value: [UInt8], lease: Int64?) -> JSONValue {
        var object: [String: JSONValue] = ["key": base64(key), "value": base64(value)]
        if let lease, lease != 0 { object["lease"] = int64(lease) }
        return .object(object)
    }

    static func delete(_ key: String, prefix: Bool) -> JSONValue {
        var object: [String: JSONValue] = ["key": base64(key)]
        if prefix { object["range_end"] = base64(prefixEnd(key)) }
        return .object(object)
    }

    static func compare(_ compare: Compare) -> JSONValue {
        switch compare {
        case .modRevision(let key, let revision):
            return .object(["result": .string("EQUAL"), "target": .string("MOD"), "key": base64(key), "mod_revision": int64(revision)])
        case .version(let key, let version):
            return .object(["result": .string("EQUAL"), "target": .string("VERSION"), "key": base64(key), "version": int64(version)])
        case .leaseOf(let key, let lease):
            return .object(["result": .string("EQUAL"), "target": .string("LEASE"), "key": base64(key), "lease": int64(lease)])
        }
    }

    static func op(_ op: TxnOp) -> JSONValue {
        switch op {
        case .put(let key, let value, let lease): return .object(["request_put": put(key, value, lease: lease)])
        case .delete(let key): return .object(["request_delete_range": delete(key, prefix: false)])
        case .range(let key, let prefix): return .object(["request_range": range(key, prefix: prefix)])
        }
    }

    static func txn(_ compares: [Compare], success: [TxnOp], failure: [TxnOp]) -> JSONValue {
        .object(["compare": .array(compares.map(compare)), "success": .array(success.map(op)), "failure": .array(failure.map(op))])
    }

    // MARK: Reading answers

    static func int64(_ value: JSONValue?) -> Int64 {
        if let text = value?.stringValue { return Int64(text) ?? 0 }
        if let number = value?.numberValue { return Int64(number) }
        return 0
    }

    static func bytes(_ value: JSONValue?) -> [UInt8]? {
        guard let text = value?.stringValue else { return value == nil ? [] : nil }
        return Data(base64Encoded: text).map(Array.init)
    }

    static func revision(_ answer: JSONValue) -> Int64 { int64(answer["header"]?["revision"]) }

    static func keyValues(_ answer: JSONValue) -> [KeyValue]? {
        var out: [KeyValue] = []
        for item in answer["kvs"]?.arrayValue ?? [] {
            guard let key = bytes(item["key"]), let value = bytes(item["value"]) else { return nil }
            out.append(KeyValue(key: String(decoding: key, as: UTF8.self), value: value,
                                createRevision: int64(item["create_revision"]), modRevision: int64(item["mod_revision"]),
                                version: int64(item["version"]), lease: int64(item["lease"])))
        }
        return out
    }
}
