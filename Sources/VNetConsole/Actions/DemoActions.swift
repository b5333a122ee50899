/// What only the demo (`vnet-console --demo`, what `make run` opens) can do: break its own sandbox on
/// purpose, so a newcomer can practise the repair on a real node. The demo's wiring implements it; every
/// other console gets nil, and then the demo's key is neither in help nor in the hint bar, and does nothing.
public protocol DemoActions {
    /// Breaks one healthy pod of the sandbox the way a runtime that skipped DEL does (its network namespace
    /// goes, its address stays leased), never anything outside the sandbox. Returns one line for the status
    /// line: which pod, and where to find the new leak.
    func breakPod() throws -> String
}
