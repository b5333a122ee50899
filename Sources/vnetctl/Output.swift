#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CNI
import VNetModel

/// Printing for vnetctl: text for people, JSON (sorted keys, ISO-8601 dates) for scripts.
enum Output {
    static func line(_ text: String, newline: Bool = true) {
        print(text, terminator: newline ? "\n" : "")
    }

    /// Pushes buffered standard output out now: a follower's lines must reach a pipe as they happen.
    static func flush() {
        fflush(nil)
    }

    /// A line on standard error (write(2): the C stdio globals are not concurrency-safe in Swift 6).
    static func error(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func json(_ object: [String: JSONValue]) -> String {
        json(.object(object))
    }

    /// Any JSON value (the contracts of `vnet blocks` and `vnet routes` are arrays).
    static func json(_ value: JSONValue) -> String {
        String(decoding: JSONOutput.bytes(value).dropLast(), as: UTF8.self)
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

