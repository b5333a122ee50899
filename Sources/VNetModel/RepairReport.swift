/// What a state repair found and did (`vnetctl state repair`).
public struct RepairReport: Codable, Sendable {
    public var statePath: String
    public var problem: String?
    public var action: String
    public var keptCorruptCopy: String?
    public var leases: Int
    public var quarantined: Int

    public init(statePath: String, problem: String?, action: String, keptCorruptCopy: String?, leases: Int, quarantined: Int) {
        self.statePath = statePath
        self.problem = problem
        self.action = action
        self.keptCorruptCopy = keptCorruptCopy
        self.leases = leases
        self.quarantined = quarantined
    }
}
