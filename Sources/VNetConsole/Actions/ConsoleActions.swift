import VNetModel

/// The changes the console can ask for. Every change is planned first (nothing touched), shown to the
/// operator as the plan the operations layer made, and performed only after explicit confirmation;
/// `perform` re-checks each target against the node. Errors thrown are shown on the status line.
public protocol ConsoleActions {
    func planAttach(_ request: AttachRequest) throws -> ChangePlan
    func planDetach(_ key: AttachmentKey) throws -> ChangePlan
    func planReclaim(_ addresses: [IPv4Address]) throws -> ChangePlan
    /// Carries out `plan` if its targets are still what it captured; returns a one-line result.
    func perform(_ plan: ChangePlan) throws -> String
    /// The names under /var/run/netns, for completing the attach form's netns field. Asked on each Tab, so the
    /// form itself reads no directory and a test can hand it any listing.
    func namedNamespaces() -> [String]
}

extension ConsoleActions {
    /// No listing: the netns field is typed in full.
    public func namedNamespaces() -> [String] { [] }
}
