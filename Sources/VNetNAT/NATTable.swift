import VNetModel
import VNetSystem

/// vnet's nftables table on a node: the SNAT rules, the pod address sets and their counters.
///
/// It works in the network namespace of the thread that creates it (callers enter the node's namespace
/// first) and only ever names its own table (family `ip`), so tables of kube-proxy, firewalld or Docker
/// beside it are never read for change or touched. Every change is one nft transaction. Not `Sendable`:
/// it owns a libnftables context; use it from one thread.
///
/// Two ways in: the per-pod work and the quick rule check go over nf_tables netlink (`NftNetlink`), one
/// datagram each and no libnftables; building, repairing, fully checking and listing the table use
/// libnftables, loaded on first use. A CNI call on a healthy node never loads it.
public final class NATTable {
    public let name: String
    private let netlink: NftNetlink
    /// The namespace the table was made in, where a libnftables context made later must act too.
    private let namespace: NetworkNamespace
    private var context: NftContext?
    /// The layout of the last configuration asked about: an ADD asks three times (quick look, pod sets,
    /// elements), and compiling a policy's rules is worth doing once.
    private var cachedLayout: (config: NATConfig, expressions: Bool, layout: NATLayout)?

    public init(name: String = NATConfig.defaultTableName) throws(NATError) {
        try NATConfig.validate(tableName: name)
        self.name = name
        netlink = try NftNetlink()
        do { namespace = try NetworkNamespace.current() } catch { throw .contextUnavailable("\(error)") }
    }

    /// The libnftables context, made on first use inside the table's namespace (its socket stays there).
    private var nft: NftContext {
        get throws(NATError) {
            if let context { return context }
            let made: NftContext
            if namespace.isCurrent {
                made = try NftContext()
            } else {
                do { made = try namespace.withEntered { try NftContext() } } catch let error as NATError { throw error } catch {
                    throw .contextUnavailable("cannot enter \(namespace.path): \(error)")
                }
            }
            context = made
            return made
        }
    }

    private func compiled(_ config: NATConfig, expressions: Bool = true) -> NATLayout {
        if let cachedLayout, cachedLayout.expressions || !expressions, cachedLayout.config == config { return cachedLayout.layout }
        let layout = NATLayout(config, expressions: expressions)
        cachedLayout = (config, expressions, layout)
        return layout
    }

    // MARK: - Node-level rules

    /// `ensure` for pods known by address only (no rule sets, public IP or host ports).
    @discardableResult
    public func ensure(_ config: NATConfig, addresses: [IPv4Address]) throws(NATError) -> EnsureOutcome {
        try ensure(config, pods: addresses.map { NATPod(address: $0) })
    }

    /// Makes the table match `config`, holding exactly `pods` in its pod sets, and says what it had to do.
    ///
    /// Reads the table once. Missing or different rules, chains or sets (a rule deleted or rewritten, a
    /// chain flushed, a new configuration) rebuild the whole table in one transaction, which replaces it
    /// atomically and re-adds `pods`; the result is then listed again and checked, so an nft that renders
    /// the layout differently is reported (`verificationFailed`) rather than rebuilt on every call. When
    /// only the pod sets differ, just their elements are changed. `pods` is the full list the node's state
    /// holds: callers serialize `ensure` with per-pod changes (the operations layer's lock).
    @discardableResult
    public func ensure(_ config: NATConfig, pods: [NATPod]) throws(NATError) -> EnsureOutcome {
        guard config.tableName == name else {
            throw .invalidConfiguration("configuration names table \(config.tableName), this is table \(name)")
        }
        let layout = compiled(config)
        let listing = try list()
        if let listing {
            let problems = layout.differences(from: listing)
            if problems.isEmpty {
                let drift = layout.podDrift(listing, pods: pods)
                let mapDrift = layout.mapDrift(listing, pods: pods)
                if drift.isEmpty && mapDrift.add.isEmpty && mapDrift.remove.isEmpty { return .unchanged }
                var commands: [JSONValue] = []
                for change in drift {
                    commands += layout.elementCommands("add", change.add, sets: [change.set])
                    commands += layout.elementCommands("delete", change.remove, sets: [change.set])
                }
                commands += layout.mapElementCommands("delete", mapDrift.remove, maps: mapDrift.removeFrom)
                commands += layout.mapElementCommands("add", mapDrift.add.map(\.json), maps: mapDrift.add.map(\.map))
                try nft.run(try NftJSON.batch(commands))
                let added = Set(drift.flatMap(\.add)).sorted()
                let removed = Set(drift.flatMap(\.remove)).sorted()
                return .podsReconciled(added: added, removed: removed)
            }
            try rebuild(layout, pods: pods, previous: listing)
            return .repaired(reason: problems.joined(separator: "; "))
        }
        try rebuild(layout, pods: pods, previous: nil)
        return .created
    }

    private func rebuild(_ layout: NATLayout, pods: [NATPod], previous: NATListing?) throws(NATError) {
        try nft.run(try NftJSON.batch(layout.rebuildCommands(pods: Array(Set(pods)), previous: previous)))
        guard let built = try list() else { throw .verificationFailed(["table \(name) is missing after rebuild"]) }
        let problems = layout.differences(from: built)
        if !problems.isEmpty { throw .verificationFailed(problems) }
    }

    /// Rebuilds the whole table for `config` in one transaction, whatever it holds now (rule counters carried
    /// over), and verifies it: `vnetctl rules apply`.
    public func rebuild(_ config: NATConfig, pods: [NATPod]) throws(NATError) {
        try rebuild(compiled(config), pods: pods, previous: try list())
    }

    /// What is wrong with one pod's part of the table (netlink only, for CHECK): the rules' quick look, and
    /// the pod missing from a set it belongs in or present in a set of a rule that does not select it.
    public func problems(of pod: NATPod, config: NATConfig) throws(NATError) -> [String] {
        var problems = try quickCheck(config)
        guard problems.isEmpty else { return problems }
        let layout = compiled(config, expressions: false)
        let wanted = Set(layout.sets(holding: pod))
        for set in layout.sets.map(\.name) {
            let present = try netlink.hasElement(table: name, set: set, pod.address)
            if present != wanted.contains(set) {
                problems.append(present ? "pod \(pod.address) is in set \(set), which its rules do not select it for"
                                        : "pod \(pod.address) is not in set \(set)")
            }
        }
        return problems
    }

    /// What is wrong with the table for `config` and, when given, for one pod; empty when all is well.
    /// Reads only; for CNI CHECK and for operators.
    public func check(_ config: NATConfig, pod: IPv4Address? = nil) throws(NATError) -> [String] {
        guard let listing = try list(terse: pod == nil) else { return ["table ip \(name) is missing"] }
        let layout = compiled(config)
        var problems = layout.differences(from: listing)
        if let pod {
            for spec in layout.sets where listing.set(named: spec.name)?.elements.contains(where: { $0.address == pod }) != true {
                problems.append("pod \(pod) is not in set \(spec.name)")
            }
        }
        return problems
    }

    /// The cheap look at the table that every ADD takes (two small netlink requests, no libnftables): the
    /// pod sets exist, and each chain holds vnet's rules in order, told by their comments. Empty when all
    /// is well. A rule rewritten in place under the same comment passes here; `check` compares whole rules.
    public func quickCheck(_ config: NATConfig) throws(NATError) -> [String] {
        let layout = compiled(config, expressions: false)
        guard try netlink.setsExist(table: name, sets: layout.sets.map(\.name) + layout.maps.map(\.name)) else {
            return ["table ip \(name) or one of its pod sets is missing"]
        }
        guard let found = try netlink.rules(table: name) else { return ["table ip \(name) is missing"] }
        let want = layout.rules
        guard found.count == want.count, zip(found, want).allSatisfy({ $0.chain == $1.chain && $0.comment == $1.comment }) else {
            return ["the rules of table ip \(name) are not vnet's (\(found.count) rules, want \(want.count))"]
        }
        return []
    }

    /// Deletes the table; succeeds when it is already gone.
    public func remove() throws(NATError) {
        try nft.run(try NftJSON.batch(NATLayout(podSetsOf: name).deleteTableCommands()))
    }

    // MARK: - Per-pod state: one element in each pod set

    /// Adds a pod's address to the pod sets in one transaction (netlink); adding it twice is a no-op (its
    /// counter is kept). Throws `tableMissing` when the table or a set is not there.
    public func addPod(_ address: IPv4Address) throws(NATError) {
        try netlink.changeElements(table: name, sets: podSetNames, add: [address], delete: [])
    }

    /// Puts a pod into the table as `config` wants it, in one transaction (netlink): its address in the pod
    /// sets and in the sets of the security rules that select it.
    public func addPod(_ pod: NATPod, config: NATConfig) throws(NATError) {
        let layout = compiled(config, expressions: false)
        let address = NftRawElement(key: NftNetlink.bytes(pod.address))
        let changes = layout.sets(holding: pod).map { NftNetlink.ElementChange(set: $0, add: [address], delete: []) }
            + Self.mapChanges(layout.mapElements(of: pod), delete: false)
        try netlink.changeElements(table: name, changes)
    }

    /// One change per map: its elements added, and also deleted when `delete` (the add makes the delete of
    /// an element that is not there no error).
    private static func mapChanges(_ elements: [NATLayout.MapElement], delete: Bool) -> [NftNetlink.ElementChange] {
        var order: [String] = []
        var byMap: [String: [NftRawElement]] = [:]
        for element in elements {
            if byMap[element.map] == nil { order.append(element.map) }
            byMap[element.map, default: []].append(NftRawElement(key: element.keyBytes, data: element.dataBytes))
        }
        return order.map { NftNetlink.ElementChange(set: $0, add: byMap[$0] ?? [], delete: delete ? byMap[$0] ?? [] : []) }
    }

    /// Takes all of a pod out of the table in one transaction: its address leaves every pod set the table
    /// has (found over netlink, so sets of an earlier configuration's rules are emptied too). Idempotent;
    /// a missing table is success.
    public func removePod(_ pod: NATPod) throws(NATError) {
        do {
            guard let found = try netlink.namedSets(table: name) else { return }
            let address = NftRawElement(key: NftNetlink.bytes(pod.address))
            // Only the maps the table has: a table of an older layout, or with `snat` off, has none.
            let elements = NATLayout.mapElements(of: pod).filter { found.maps.contains($0.map) }
            let changes = found.addressSets.map { NftNetlink.ElementChange(set: $0, add: [address], delete: [address]) }
                + Self.mapChanges(elements, delete: true)
            guard !changes.isEmpty else { return }
            try netlink.changeElements(table: name, changes)
        } catch .tableMissing {
            return
        }
    }

    /// Removes a pod's address from the pod sets in one transaction. Idempotent: the transaction adds the
    /// element before deleting it (kernels before 6.3 have no "destroy"), so a missing element is no error.
    /// A missing table is success too: the pod is certainly not in it.
    public func removePod(_ address: IPv4Address) throws(NATError) {
        do {
            try netlink.changeElements(table: name, sets: podSetNames, add: [address], delete: [address])
        } catch .tableMissing {
            return
        }
    }

    /// The sets that hold one element per pod.
    private var podSetNames: [String] { NATLayout(podSetsOf: name).sets.map(\.name) }

    /// Whether the pod's address is in the `pods` set (one netlink lookup); false when the table is missing.
    public func hasPod(_ address: IPv4Address) throws(NATError) -> Bool {
        try netlink.hasElement(table: name, set: NATLayout.podSet, address)
    }

    /// What is missing or different of a pod's public IP and host ports in the maps (one netlink lookup per
    /// element, no libnftables): empty when every element is there with the pod's data. For CNI CHECK.
    public func translationProblems(_ pod: NATPod) throws(NATError) -> [String] {
        var problems: [String] = []
        for element in NATLayout.mapElements(of: pod) {
            let found = try netlink.elementData(table: name, set: element.map, key: element.keyBytes)
            if found == nil {
                problems.append("\(element) is missing")
            } else if found != element.dataBytes {
                problems.append("\(element) holds other data (\(found ?? []))")
            }
        }
        return problems
    }

    /// The addresses in the `pods` set (one listing of that set).
    public func pods() throws(NATError) -> Set<IPv4Address> {
        let command = try NftJSON.batch([NftJSON.object(["list": NftJSON.object(["set": NftJSON.object([
            "family": .string("ip"), "table": .string(name), "name": .string(NATLayout.podSet)])])])])
        let output: String
        do {
            output = try nft.run(command)
        } catch {
            if try !exists() { throw .tableMissing("ip \(name)") }
            throw error
        }
        let listing = try NATListing(table: name, output: output)
        return Set(listing.set(named: NATLayout.podSet)?.elements.map(\.address) ?? [])
    }

    // MARK: - Counters

    /// The table's counters, read over netlink (no libnftables: the console asks every second): every
    /// counted rule, and each pod's packets and bytes of SNAT-ed traffic (both directions).
    /// `NATSnapshot.absent` when the table is not there.
    public func snapshot() throws(NATError) -> NATSnapshot {
        guard let perPod = try netlink.elementCounters(table: name, set: NATLayout.statsSet) else { return .absent }
        let found = try netlink.rules(table: name) ?? []
        let rules = found.compactMap { rule in
            rule.counter.map { NATRuleCounter(chain: rule.chain, handle: rule.handle, comment: rule.comment ?? "",
                                              packets: $0.packets, bytes: $0.bytes) }
        }
        // Only a table with security rules has the filter sets (a missing set reads as nil, one request).
        let security = rules.filter { $0.comment.hasPrefix(SecurityRuleComment.prefix) }
        let filtered = !security.isEmpty
        let inbound = filtered ? try netlink.elementCounters(table: name, set: SecurityLayout.podInSet) ?? [] : []
        let outbound = filtered ? try netlink.elementCounters(table: name, set: SecurityLayout.podOutSet) ?? [] : []
        // The last translating rule with an address of its own is the SNAT to the node (the hairpin rule before
        // it carries the same address; the public-IP rules take theirs from maps).
        return NATSnapshot(present: true, snatAddress: found.last { $0.snatAddress != nil }?.snatAddress,
                           rules: rules.filter { !$0.comment.hasPrefix(SecurityRuleComment.prefix) },
                           perPod: perPod.sorted { $0.address < $1.address }, securityRules: security,
                           filteredInbound: inbound.sorted { $0.address < $1.address },
                           filteredOutbound: outbound.sorted { $0.address < $1.address })
    }

    // MARK: - Reading

    /// The table as listed, or nil when it does not exist.
    private func list(terse: Bool = false) throws(NATError) -> NATListing? {
        let command = try NftJSON.batch([NftJSON.object(["list": NftJSON.object(["table": NftJSON.object([
            "family": .string("ip"), "name": .string(name)])])])])
        var output = ""
        for attempt in 1...3 {
            do {
                output = try nft.run(command, terse: terse)
                break
            } catch {
                // nft's "No such file or directory" is text; ask the kernel plainly instead of parsing it.
                if try !exists() { return nil }
                // The table is there: another process replaced it (delete + add, one transaction) while nft
                // was dumping it in several requests. List it again.
                if attempt == 3 { throw error }
            }
        }
        return try NATListing(table: name, output: output)
    }

    /// Whether our table exists, from the list of family-ip tables (names only). Used on error paths.
    private func exists() throws(NATError) -> Bool {
        let command = try NftJSON.batch([NftJSON.object(["list": NftJSON.object(["tables": NftJSON.object([
            "family": .string("ip")])])])])
        let objects = try NftJSON.objects(in: try nft.run(command))
        return objects.contains { $0["table"]?["family"]?.stringValue == "ip" && $0["table"]?["name"]?.stringValue == name }
    }
}
