/// The pod's neighbour entry for an address: its state and MAC, or none at all.
public struct NeighbourEntry: Hashable, Sendable {
    public var state: NeighbourState?
    public var mac: String

    public init(state: NeighbourState?, mac: String) {
        self.state = state
        self.mac = mac
    }

    public var text: String {
        guard let state else { return "neighbour entry in no known state" }
        return state.resolved ? "neighbour \(state.rawValue.uppercased()) \(mac)" : "neighbour entry \(state.rawValue.uppercased())"
    }
}
