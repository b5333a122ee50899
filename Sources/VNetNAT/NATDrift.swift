import VNetModel

/// Comparing what nft lists with what `NATLayout` wants.
///
/// Why compare whole rules and not a fingerprint: nft 1.0.6 drops table and chain comments from JSON, and a
/// fingerprint would miss a rule rewritten in place. The listing is read anyway, so each rule's expression
/// is compared structurally after two normalizations: counter values are ignored, and address sets,
/// prefixes and ranges become merged intervals (nft merges `10.240.0.0/16` into `10.0.0.0/8` and prints a
/// one-element set as a bare prefix).
extension NATLayout {
    /// Every way the listed table differs from the wanted one, in words; empty when it is as it should be.
    /// Pod elements are not compared here (see `podDrift`).
    func differences(from listing: NATListing) -> [String] {
        var problems: [String] = []
        let counterStatement = [NftJSON.object(["counter": .null])]
        for spec in sets {
            guard let found = listing.set(named: spec.name) else {
                problems.append("set \(spec.name) is missing")
                continue
            }
            let statements = found.statements.map(Self.normalized)
            if found.type != "ipv4_addr" || !found.flags.isEmpty || statements != (spec.counted ? counterStatement : []) {
                problems.append("set \(spec.name) has type \(found.type), flags \(found.flags), "
                                + "\(statements.isEmpty ? "no" : "\(statements.count)") element statements")
            }
            if !found.oddElements.isEmpty {
                problems.append("set \(spec.name) holds elements vnet never adds: \(found.oddElements.joined(separator: ", "))")
            }
        }
        for found in listing.sets where !sets.contains(where: { $0.name == found.name }) {
            problems.append("unexpected set \(found.name)")
        }
        problems += mapDifferences(from: listing)
        for spec in chains {
            guard let found = listing.chains.first(where: { $0.name == spec.name }) else {
                problems.append("chain \(spec.name) is missing")
                continue
            }
            if found.type != spec.hook?.type || found.hook != spec.hook?.hook || found.priority != spec.hook?.priority
                || found.policy != (spec.hook == nil ? nil : "accept") {
                let want = spec.hook.map { "\($0.type) hook \($0.hook) priority \($0.priority) policy accept" } ?? "a regular chain"
                problems.append("chain \(spec.name) is \(found.type ?? "regular") hook \(found.hook ?? "none") "
                                + "priority \(found.priority.map(String.init) ?? "none") policy \(found.policy ?? "none"), "
                                + "want \(want)")
            }
            let want = rules.filter { $0.chain == spec.name }
            let have = listing.rules(in: spec.name)
            if have.count != want.count {
                problems.append("chain \(spec.name) has \(have.count) rules, want \(want.count)")
                continue
            }
            for (index, (wanted, found)) in zip(want, have).enumerated()
            where found.comment != wanted.comment || found.expr.map(Self.normalized) != wanted.expr.map(Self.normalized) {
                problems.append("chain \(spec.name) rule \(index + 1) (handle \(found.handle), "
                                + "\"\(found.comment ?? "no comment")\") differs from \"\(wanted.comment)\"")
            }
        }
        for found in listing.chains where !chains.contains(where: { $0.name == found.name }) {
            problems.append("unexpected chain \(found.name)")
        }
        problems += listing.others.map { "unexpected \($0)" }
        return problems
    }

    /// Addresses to add to and remove from each pod set so that it holds exactly the `pods` it should.
    func podDrift(_ listing: NATListing, pods: [NATPod]) -> [(set: String, add: [IPv4Address], remove: [IPv4Address])] {
        sets.compactMap { spec in
            let pods = Set(pods.filter { sets(holding: $0).contains(spec.name) }.map(\.address))
            let have = Set(listing.set(named: spec.name)?.elements.map(\.address) ?? [])
            let add = pods.subtracting(have).sorted()
            let remove = have.subtracting(pods).sorted()
            return add.isEmpty && remove.isEmpty ? nil : (spec.name, add, remove)
        }
    }

    /// A rule expression with counter values dropped and address operands turned into merged intervals.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map(normalized))
        case .object(let fields):
            if fields.count == 1, fields["counter"] != nil { return NftJSON.object(["counter": .null]) }
            var result: [String: JSONValue] = [:]
            for (key, field) in fields {
                switch (key, field) {
                case ("flags", .string(let one)):
                    result[key] = .array([.string(one)])
                case ("right", _):
                    if let merged = intervals(of: field) {
                        result[key] = NftJSON.object(["intervals": .array(merged.map {
                            .string("\(IPv4Address($0.lowerBound))-\(IPv4Address($0.upperBound))")
                        })])
                    } else {
                        result[key] = normalized(field)
                    }
                default:
                    result[key] = normalized(field)
                }
            }
            return .object(result)
        default:
            return value
        }
    }

    /// The addresses an operand stands for, as sorted, merged intervals; nil when it is not made only of
    /// addresses, prefixes and ranges (e.g. "@pods" or "local").
    static func intervals(of operand: JSONValue) -> [ClosedRange<UInt32>]? {
        var pieces: [ClosedRange<UInt32>] = []
        func collect(_ item: JSONValue) -> Bool {
            if let text = item.stringValue, let address = IPv4Address(text) {
                pieces.append(address.value...address.value)
            } else if let prefix = item["prefix"], let text = prefix["addr"]?.stringValue,
                      let address = IPv4Address(text), let length = prefix["len"]?.intValue, (0...32).contains(length) {
                let block = IPv4Prefix(address: address, length: length)
                pieces.append(block.network.value...block.broadcast.value)
            } else if let bounds = item["range"]?.arrayValue, bounds.count == 2,
                      let low = bounds[0].stringValue.flatMap({ IPv4Address($0) }),
                      let high = bounds[1].stringValue.flatMap({ IPv4Address($0) }), low <= high {
                pieces.append(low.value...high.value)
            } else if let members = item["set"]?.arrayValue {
                return members.allSatisfy(collect)
            } else {
                return false
            }
            return true
        }
        guard collect(operand) else { return nil }
        var merged: [ClosedRange<UInt32>] = []
        for piece in pieces.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, last.upperBound == .max || piece.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, piece.upperBound)
            } else {
                merged.append(piece)
            }
        }
        return merged
    }
}
