import VNetModel

/// The changes the console can ask of the VNet's registry. Kept apart from `ConsoleActions` because they
/// reach the registry (through the VNet's agent), not this node: a node without a registry passes none,
/// and `--readonly` passes none, as it does for `ConsoleActions`.
///
/// Like every change, a forget-node is planned first (nothing touched), shown in the confirmation dialog
/// and performed only after the operator moves to Apply; `perform` receives exactly the plan shown.
public protocol VNetActions {
    /// Plans dropping `node`'s reservation and record from the registry. The console asks only for a node
    /// its last good view shows LOST; the plan should still re-check that when it is carried out (the
    /// node's agent may come back meanwhile). A forget-node plan's `stateGeneration` is the registry
    /// revision it was planned at: the dialog warns when the VNet's revision moved since.
    func planForgetNode(_ node: String) throws -> ChangePlan
    /// Carries out a plan made by `planForgetNode` if its target is still what it captured; returns a
    /// one-line result for the status line.
    func perform(_ plan: ChangePlan) throws -> String
}
