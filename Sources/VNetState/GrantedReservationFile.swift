import VNetModel
import VNetSystem

/// `<dataDir>/<network>/reservation.json`: the reservation the node agent was granted in the VNet registry,
/// replaced atomically by the agent and read by vnet-ipam under the state lock before it hands out an address.
extension GrantedReservation {
    public static func path(directory: String) -> String { directory + "/reservation.json" }

    /// The granted reservation, or nil when none was ever written (no agent yet) or it is unreadable.
    public static func read(directory: String) -> GrantedReservation? {
        guard let bytes = (try? Files.read(path(directory: directory))) ?? nil else { return nil }
        return GrantedReservation(json: bytes)
    }

    /// Replaces the file whole: a reader sees the old grant or the new one, never a mix.
    public func write(directory: String) throws(SystemError) {
        try Files.replaceAtomically(Self.path(directory: directory), with: json, mode: 0o600, sync: false)
    }
}
