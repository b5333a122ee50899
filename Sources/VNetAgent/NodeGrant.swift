import VNetModel
import VNetState

/// What this node was last granted (the file vnetd writes for vnet-ipam): what vnetctl and the console
/// show when the registry cannot be reached.
public enum NodeGrant {
    public static func read(directory: String) -> GrantedReservation? { GrantedReservation.read(directory: directory) }
}
