import VNetModel
import VNetNAT

/// `NodeNAT` on nf_tables. Every call takes the quick look at the rules (netlink, see `NATTable.quickCheck`);
/// only when it finds something wrong does the full libnftables check run, and a rebuild (first use, or
/// after tampering) re-fills the pod set from the state.
public final class NftablesNAT: NodeNAT {
    private var tables: [String: NATTable] = [:]
    private let defaultTable: String

    public init(table: String) { defaultTable = table }

    private func table(_ name: String) throws -> NATTable {
        if let table = tables[name] { return table }
        let table = try NATTable(name: name)
        tables[name] = table
        return table
    }

    public func ensure(_ config: NATConfig, pods: () -> [NATPod]) throws {
        let table = try table(config.tableName)
        guard let recorded = try repair(table, config, pods: pods) else { return }
        // No lock is held here, so another ADD may have added its pod's element to the table this call just
        // replaced, or seen removed as drift, after `recorded` was read. Its endpoint was recorded before
        // that element was added, so reading the state again finds it: add back what was recorded meanwhile.
        // (Adding is idempotent; an element of a pod deleted meanwhile costs nothing and its DEL removes it.)
        for pod in Set(pods()).subtracting(recorded) { try table.addPod(pod, config: config) }
    }

    /// How many times `ensure` repairs the table before it gives up on concurrent repairs.
    static let attempts = 3

    /// Repairs the table when the quick look and then the full check find it wrong; returns the pods it
    /// filled the table from, or nil when there was nothing to do.
    ///
    /// Another first ADD may repair the table between this call's listing and its batch (a set written into
    /// is rebuilt, an element removed is removed already): the batch is atomic, so nothing of it happened,
    /// and the table is looked at again; that ADD may have left nothing to do.
    private func repair(_ table: NATTable, _ config: NATConfig, pods: () -> [NATPod]) throws -> [NATPod]? {
        var attempt = 1
        while true {
            if try table.quickCheck(config).isEmpty { return nil }
            if try table.check(config).isEmpty { return nil }
            let recorded = pods()
            do {
                _ = try table.ensure(config, pods: recorded)
                return recorded
            } catch {
                if attempt >= Self.attempts { throw error }
                attempt += 1
            }
        }
    }

    public func addPod(_ pod: NATPod, config: NATConfig) throws { try table(config.tableName).addPod(pod, config: config) }

    public func removePod(_ pod: NATPod) throws { try table(defaultTable).removePod(pod) }

    public func rebuild(_ config: NATConfig, pods: [NATPod]) throws { try table(config.tableName).rebuild(config, pods: pods) }

    public func problems(of pod: NATPod, config: NATConfig) throws -> [String] {
        try table(config.tableName).problems(of: pod, config: config)
    }

    public func pods() throws -> Set<IPv4Address> { try table(defaultTable).pods() }

    public func hasPod(_ address: IPv4Address) throws -> Bool { try table(defaultTable).hasPod(address) }

    public func snapshot() throws -> NATSnapshot { try table(defaultTable).snapshot() }

    public func translationProblems(_ pod: NATPod) throws -> [String] { try table(defaultTable).translationProblems(pod) }

    /// Problems with the table for `settings`, for vnetctl and the console.
    public func problems(_ config: NATConfig) throws -> [String] {
        try table(config.tableName).check(config)
    }
}
