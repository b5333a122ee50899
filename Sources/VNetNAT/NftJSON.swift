#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Small builders and codecs for nft's JSON schema (libnftables-json(5)).
///
/// Why JSON rather than nft's text grammar: the commands are built from Swift values (no quoting of
/// comments or names), and the very objects we send are the ones `NATLayout` compares a listing against, so
/// the layout has one description, not a text one and a parsed one.
enum NftJSON {
    static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
    }

    static func string(_ text: String) -> JSONValue { .string(text) }

    static func number(_ value: Int) -> JSONValue { .number(Double(value)) }

    /// `{"nftables": [...]}`, the envelope of every batch.
    static func batch(_ commands: [JSONValue]) throws(NATError) -> String {
        let document = object(["nftables": .array(commands)])
        do {
            let data = try JSONEncoder().encode(document)
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw .invalidConfiguration("cannot encode nft command: \(error)")
        }
    }

    /// Parses nft's printed output and returns the objects of its `nftables` array.
    static func objects(in output: String) throws(NATError) -> [JSONValue] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(output.utf8))
        } catch {
            throw .malformedListing("not JSON: \(error)")
        }
        guard let objects = value["nftables"]?.arrayValue else {
            throw .malformedListing("no \"nftables\" array in nft output")
        }
        return objects
    }

    /// A counter statement as nft prints it, as (packets, bytes); nil when absent or not numbers.
    /// Counts pass through a Double in JSONValue: exact up to 2^53 bytes (8 PiB), plenty for a node.
    static func counter(_ value: JSONValue?) -> (packets: UInt64, bytes: UInt64)? {
        guard let packets = value?["packets"]?.numberValue, let bytes = value?["bytes"]?.numberValue,
              packets >= 0, bytes >= 0, packets < 1.8e19, bytes < 1.8e19 else { return nil }
        return (UInt64(packets), UInt64(bytes))
    }
}
