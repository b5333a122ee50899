/// The named network namespaces as this process's mount namespace shows them.
///
/// Why: `ip netns add` binds a namespace onto a file in /var/run/netns in the mount namespace it runs in. A
/// process in another mount namespace without propagation from there (`ip netns exec`, a container without
/// host-to-container propagation) sees those files empty, and so cannot tell the pods' namespaces from gone
/// ones. A tool that judges pods (leaks, reclaim, an agent's automatic reclaim) says so once, at start.
public enum NamespaceDirectory {
    /// The entries of `directory` that are not network namespaces from here, and how many entries there are.
    public static func unreadable(in directory: String = NetworkNamespace.namedDirectory) -> (names: [String], total: Int) {
        let names = Files.list(directory).filter { $0 != "." && $0 != ".." }
        let unreadable = names.filter { !NetworkNamespace.isNetworkNamespace(directory + "/" + $0) }
        return (unreadable.sorted(), names.count)
    }
}
