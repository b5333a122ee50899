#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Encodes and decodes the state document. Pretty, sorted JSON keeps it readable and diffable by hand.
public enum StateCodec {
    public static func encode(_ state: NetworkState) throws -> [UInt8] {
        var bytes = StateDocumentWriter.bytes(state)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// How to read a document: `fastest` tries the direct reader and falls back to the general one, which
    /// alone words errors; `general` always goes through `JSONParser` (the fuzz target compares the two).
    public enum Reader: Sendable { case fastest, general }

    /// Decodes a state document, saying precisely what is wrong when it cannot be trusted.
    public static func decode(_ bytes: [UInt8], reader: Reader = .fastest) -> Result<NetworkState, DecodeFailure> {
        if bytes.isEmpty { return .failure(.init("the file is empty")) }
        if bytes.withUnsafeBytes({ buffer in buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false }) {
            if bytes.allSatisfy({ $0 == 0 }) { return .failure(.init("the file holds only NUL bytes (\(bytes.count))")) }
            return .failure(.init("the file contains NUL bytes"))
        }
        if reader == .fastest, let state = StateDocumentFastReader.read(bytes) {
            let problems = state.integrityProblems()
            return problems.isEmpty ? .success(state) : .failure(.init(problems.joined(separator: "; ")))
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { return .failure(.init("not a valid state document: \(error)")) }
        // Read the schema first, so a newer layout is refused by name rather than as "garbage".
        if let schema = value["schema"]?.intValue, schema != NetworkState.currentSchema {
            return .failure(.init("schema \(schema) is not the supported \(NetworkState.currentSchema)"))
        }
        do {
            let state = try StateDocument.state(value)
            let problems = state.integrityProblems()
            if !problems.isEmpty { return .failure(.init(problems.joined(separator: "; "))) }
            return .success(state)
        } catch {
            return .failure(.init("not a valid state document: \(error.reason)"))
        }
    }

    public struct DecodeFailure: Error, Sendable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
