#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Encodes and decodes the state document. Pretty, sorted JSON keeps it readable and diffable by hand.
public enum StateCodec {
    public static func encode(_ state: NetworkState) throws -> [UInt8] {
        var bytes = Array(try encoder.encode(state))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Decodes a state document, saying precisely what is wrong when it cannot be trusted.
    public static func decode(_ bytes: [UInt8]) -> Result<NetworkState, DecodeFailure> {
        if bytes.isEmpty { return .failure(.init("the file is empty")) }
        if bytes.allSatisfy({ $0 == 0 }) { return .failure(.init("the file holds only NUL bytes (\(bytes.count))")) }
        if bytes.contains(0) { return .failure(.init("the file contains NUL bytes")) }
        // Read the schema first, so a newer layout is refused by name rather than as "garbage".
        if let header = try? decoder.decode(SchemaHeader.self, from: Data(bytes)), header.schema != NetworkState.currentSchema {
            return .failure(.init("schema \(header.schema) is not the supported \(NetworkState.currentSchema)"))
        }
        do {
            let state = try decoder.decode(NetworkState.self, from: Data(bytes))
            let problems = state.integrityProblems()
            if !problems.isEmpty { return .failure(.init(problems.joined(separator: "; "))) }
            return .success(state)
        } catch let error as DecodingError {
            return .failure(.init("not a valid state document: \(describe(error))"))
        } catch {
            return .failure(.init("not a valid state document: \(error)"))
        }
    }

    public struct DecodeFailure: Error, Sendable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private struct SchemaHeader: Decodable { var schema: Int }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): return context.debugDescription + at(context)
        case .keyNotFound(let key, let context): return "missing key \"\(key.stringValue)\"" + at(context)
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return context.debugDescription + at(context)
        @unknown default: return "\(error)"
        }
    }

    private static func at(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "" : " at \(path)"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
