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

    static func config(_ settings: NATSettings) -> NATConfig {
        NATConfig(tableName: settings.table, snatAddress: settings.snatAddress, vnetCIDRs: settings.vnetCIDRs,
                  nonMasqueradeCIDRs: settings.nonMasqueradeCIDRs, snat: settings.snat)
    }

    public func ensure(_ settings: NATSettings, pods: () -> [IPv4Address]) throws {
        let table = try table(settings.table)
        let config = Self.config(settings)
        if try table.quickCheck(config).isEmpty { return }
        if try table.check(config).isEmpty { return }
        let recorded = pods()
        try table.ensure(config, pods: recorded)
        // No lock is held here, so another ADD may have added its pod's element to the table this call just
        // replaced, or seen removed as drift, after `recorded` was read. Its endpoint was recorded before
        // that element was added, so reading the state again finds it: add back what was recorded meanwhile.
        // (Adding is idempotent; an element of a pod deleted meanwhile costs nothing and its DEL removes it.)
        for address in Set(pods()).subtracting(recorded) { try table.addPod(address) }
    }

    public func addPod(_ address: IPv4Address) throws { try table(defaultTable).addPod(address) }

    public func removePod(_ address: IPv4Address) throws { try table(defaultTable).removePod(address) }

    public func pods() throws -> Set<IPv4Address> { try table(defaultTable).pods() }

    public func hasPod(_ address: IPv4Address) throws -> Bool { try table(defaultTable).hasPod(address) }

    public func snapshot() throws -> NATSnapshot { try table(defaultTable).snapshot() }

    /// Problems with the table for `settings`, for vnetctl and the console.
    public func problems(_ settings: NATSettings) throws -> [String] {
        try table(settings.table).check(Self.config(settings))
    }
}
