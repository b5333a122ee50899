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
    public static func encode(_ state: NetworkState) throws -> [UInt8] { encode(state, reusing: nil).bytes }

    /// `encode`, copying unchanged records from `previous` (see `RecordSpans`), with where its records are.
    static func encode(_ state: NetworkState, reusing previous: WrittenDocument?) -> WrittenDocument {
        StateDocumentWriter.written(state, reusing: previous)
    }

    /// How to read a document: `fastest` tries the direct reader and falls back to the general one, which
    /// alone words errors; `general` always goes through `JSONParser` (the fuzz target compares the two).
    public enum Reader: Sendable { case fastest, general }

    /// Decodes a state document, saying precisely what is wrong when it cannot be trusted.
    public static func decode(_ bytes: [UInt8], reader: Reader = .fastest) -> Result<NetworkState, DecodeFailure> {
        decodeDocument(bytes, reader: reader).map(\.state)
    }

    /// `decode`, keeping the bytes and, when the direct reader read them, where each record is (for reuse by
    /// the next commit). A document only the general reader takes has no spans, and is written whole.
    static func decodeDocument(_ bytes: [UInt8], reader: Reader = .fastest) -> Result<WrittenDocument, DecodeFailure> {
        if bytes.isEmpty { return .failure(.init("the file is empty")) }
        if bytes.withUnsafeBytes({ buffer in buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false }) {
            if bytes.allSatisfy({ $0 == 0 }) { return .failure(.init("the file holds only NUL bytes (\(bytes.count))")) }
            return .failure(.init("the file contains NUL bytes"))
        }
        if reader == .fastest {
            if let (state, spans) = StateDocumentFastReader.readWithSpans(bytes) {
                let problems = state.integrityProblems()
                return problems.isEmpty
                    ? .success(WrittenDocument(bytes: bytes, state: state, spans: spans))
                    : .failure(.init(problems.joined(separator: "; ")))
            }
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
            return .success(WrittenDocument(bytes: bytes, state: state, spans: RecordSpans()))  // no spans: written whole
        } catch {
            return .failure(.init("not a valid state document: \(error.reason)"))
        }
    }

    /// `decodeDocument` for one attachment (`StateStore.load(for:)`): read in part when the seal says the
    /// bytes are exactly what vnet wrote (`DocumentSeal`) and the focused read takes them
    /// (`StateDocumentFastReader.readFocused`), else whole. Accepts and refuses what `decodeDocument` does:
    /// an intact seal means the whole read would accept the document, and a problem among the leases sends
    /// the read whole, which words it.
    static func decodeDocument(_ bytes: [UInt8], for key: AttachmentKey) -> Result<ReadForAttachment, DecodeFailure> {
        if bytes.withUnsafeBufferPointer({ DocumentSeal.isIntact($0) }),
           let document = StateDocumentFastReader.readFocused(bytes, for: key), document.integrityProblems.isEmpty {
            return .success(.inPart(document))
        }
        return decodeDocument(bytes).map { .whole($0) }
    }

    public struct DecodeFailure: Error, Sendable {
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
