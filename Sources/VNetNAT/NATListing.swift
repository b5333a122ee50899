#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// What `nft -j list table ip <name>` (or `list set`) showed of our table, read into plain values.
///
/// Only the parts vnet reasons about are typed (sets with their elements and counters, chains, rules); any
/// other object kind found in the table (a map, a named counter, a flowtable, ...) is kept as a one-line
/// description in `others`, because anything we did not put there is drift to repair.
///
/// Why typed `Decodable` structs and not one `JSONValue` tree: a `JSONValue` learns each value's type by
/// trying decodes that throw, which made a 20 KB listing of 200 pods take 17 ms to read against nft's 3 ms
/// to produce it. Keyed decoding of the known shapes reads it in well under a millisecond; rule
/// expressions, few and small, are still read as `JSONValue` for structural comparison.
struct NATListing {
    struct Element {
        var address: IPv4Address
        /// The element's own counter, present when the set counts per element.
        var counter: (packets: UInt64, bytes: UInt64)?
    }

    struct SetInfo {
        var name: String
        var type: String
        var flags: [String]
        /// Statements applied to each element (`counter` when the set counts per element).
        var statements: [JSONValue]
        var elements: [Element]
        /// Element values that are not single IPv4 addresses (a prefix, a range): never added by vnet.
        var oddElements: [String]
    }

    /// A named map: its key type (a name, or an array for a concatenation), its data type, and its elements
    /// as nft lists them (`[key, data]`), kept as JSON for `NATLayout.mapDrift`.
    struct MapInfo {
        var name: String
        var type: JSONValue
        var data: JSONValue
        var flags: [String]
        var statements: [JSONValue]
        var elements: [JSONValue]
    }

    struct ChainInfo {
        var name: String
        var type: String?
        var hook: String?
        var priority: Int?
        var policy: String?
    }

    struct RuleInfo {
        var chain: String
        var handle: Int
        var comment: String?
        var expr: [JSONValue]

        /// The rule's first counter statement, if any.
        var counter: (packets: UInt64, bytes: UInt64)? {
            for statement in expr { if let found = NftJSON.counter(statement["counter"]) { return found } }
            return nil
        }
    }

    var table: String
    var sets: [SetInfo] = []
    var maps: [MapInfo] = []
    var chains: [ChainInfo] = []
    /// Rules in listing order, which is chain order.
    var rules: [RuleInfo] = []
    var others: [String] = []

    func set(named name: String) -> SetInfo? { sets.first { $0.name == name } }

    func map(named name: String) -> MapInfo? { maps.first { $0.name == name } }

    func rules(in chain: String) -> [RuleInfo] { rules.filter { $0.chain == chain } }

    /// Reads nft's printed listing. Objects of other tables or families (never present in a `list table`
    /// answer) are skipped rather than trusted.
    init(table: String, output: String) throws(NATError) {
        self.table = table
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(output.utf8))
        } catch {
            throw .malformedListing("\(error)")
        }
        for entry in document.nftables {
            switch entry {
            case .set(let set) where set.family == "ip" && set.table == table:
                sets.append(set.info)
            case .map(let map) where map.family == "ip" && map.table == table:
                maps.append(MapInfo(name: map.name, type: map.type, data: map.map, flags: map.flags?.stringValue.map { [$0] }
                                        ?? map.flags?.arrayValue?.compactMap(\.stringValue) ?? [],
                                    statements: map.stmt ?? [], elements: map.elem ?? []))
            case .chain(let chain) where chain.family == "ip" && chain.table == table:
                chains.append(ChainInfo(name: chain.name, type: chain.type, hook: chain.hook, priority: chain.prio,
                                        policy: chain.policy))
            case .rule(let rule) where rule.family == "ip" && rule.table == table:
                rules.append(RuleInfo(chain: rule.chain, handle: rule.handle, comment: rule.comment, expr: rule.expr))
            case .other(let kind, let about) where about.family == "ip" && about.table == table:
                others.append("\(kind) \(about.name ?? "?")")
            default:
                continue
            }
        }
    }
}

// MARK: - The shapes of nft's JSON output (libnftables-json(5)) that vnet reads

extension NATListing {
    private struct Document: Decodable {
        var nftables: [Entry]
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// One listed object: `{"<kind>": {...}}`.
    private enum Entry: Decodable {
        case set(SetBody)
        case map(MapBody)
        case chain(ChainBody)
        case rule(RuleBody)
        case other(kind: String, Owner)

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            guard container.allKeys.count == 1, let key = container.allKeys.first else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                        debugDescription: "listing entry must have exactly one key"))
            }
            switch key.stringValue {
            case "set": self = .set(try container.decode(SetBody.self, forKey: key))
            case "map": self = .map(try container.decode(MapBody.self, forKey: key))
            case "chain": self = .chain(try container.decode(ChainBody.self, forKey: key))
            case "rule": self = .rule(try container.decode(RuleBody.self, forKey: key))
            default: self = .other(kind: key.stringValue, try container.decode(Owner.self, forKey: key))
            }
        }
    }

    /// Where any object lives. A table names itself in `name` and has no `table`; metainfo has neither.
    private struct Owner: Decodable {
        var family: String?
        var table: String?
        var name: String?
    }

    private struct MapBody: Decodable {
        var family: String
        var table: String
        var name: String
        var type: JSONValue
        var map: JSONValue
        var flags: JSONValue?
        var stmt: [JSONValue]?
        var elem: [JSONValue]?
    }

    private struct ChainBody: Decodable {
        var family: String
        var table: String
        var name: String
        var type: String?
        var hook: String?
        var prio: Int?
        var policy: String?
    }

    private struct RuleBody: Decodable {
        var family: String
        var table: String
        var chain: String
        var handle: Int
        var comment: String?
        var expr: [JSONValue]
    }

    private struct Counter: Decodable {
        var packets: UInt64
        var bytes: UInt64
    }

    /// `{"elem": {"val": "10.240.1.10", "counter": {...}}}`, the form of an element with statements.
    private struct CountedElement: Decodable {
        struct Body: Decodable {
            var val: String
            var counter: Counter?
        }
        var elem: Body
    }

    private struct SetBody: Decodable {
        var family: String
        var table: String
        var info: SetInfo

        private enum Keys: String, CodingKey { case family, table, name, type, flags, stmt, elem }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            family = try container.decode(String.self, forKey: .family)
            table = try container.decode(String.self, forKey: .table)
            let type = try container.decodeIfPresent(JSONValue.self, forKey: .type)
            let flags: [String]
            switch try container.decodeIfPresent(JSONValue.self, forKey: .flags) {
            case .string(let one)?: flags = [one]
            case .array(let many)?: flags = many.compactMap(\.stringValue)
            default: flags = []
            }
            let statements = try container.decodeIfPresent([JSONValue].self, forKey: .stmt) ?? []
            info = SetInfo(name: try container.decode(String.self, forKey: .name), type: type?.stringValue ?? "\(type ?? .null)",
                           flags: flags, statements: statements, elements: [], oddElements: [])
            guard container.contains(.elem) else { return }
            // Elements are plain values, or objects when the set has per-element statements; try the form the
            // set's declaration promises, and fall back to reading any shape.
            if statements.isEmpty, let plain = try? container.decode([String].self, forKey: .elem) {
                for text in plain { add(text, counter: nil) }
            } else if !statements.isEmpty, let counted = try? container.decode([CountedElement].self, forKey: .elem) {
                for item in counted { add(item.elem.val, counter: item.elem.counter) }
            } else {
                for item in try container.decode([JSONValue].self, forKey: .elem) {
                    let value = item["elem"]?["val"] ?? item
                    if let text = value.stringValue {
                        add(text, counter: NftJSON.counter(item["elem"]?["counter"]).map { Counter(packets: $0.packets, bytes: $0.bytes) })
                    } else {
                        info.oddElements.append("\(value)")
                    }
                }
            }
        }

        private mutating func add(_ text: String, counter: Counter?) {
            if let address = IPv4Address(text) {
                info.elements.append(Element(address: address, counter: counter.map { ($0.packets, $0.bytes) }))
            } else {
                info.oddElements.append(text)
            }
        }
    }
}
