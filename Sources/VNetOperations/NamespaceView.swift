import VNetModel
import VNetSystem

/// Whether this process can see the pods' namespaces: said once by every tool that judges pods (vnetctl, the
/// console, the agent), so an operator learns why pods show as unconfirmed before acting on any of them.
public enum NamespaceView {
    /// One plain sentence when named namespaces under /var/run/netns cannot be read as network namespaces
    /// from this mount namespace; nil when every one can (or there are none).
    public static func warning(directory: String = NetworkNamespace.namedDirectory) -> String? {
        let (unreadable, total) = NamespaceDirectory.unreadable(in: directory)
        guard let first = unreadable.first else { return nil }
        let others = unreadable.count > 1 ? " and \(unreadable.count - 1) more" : ""
        return "\(unreadable.count) of \(total) namespaces in \(directory) (\(first)\(others)) are not network namespaces "
            + "from this mount namespace: \(directory) is not shared with it. Run on the host, or mount it with "
            + "host-to-container propagation; meanwhile their pods are judged by their veths, and none is reclaimed without --force."
    }

    /// The names of the named namespaces (`ip netns add NAME`), sorted: what the console's attach form
    /// completes a netns name from. Read on each completion, so a namespace made a moment ago is offered.
    public static func names(directory: String = NetworkNamespace.namedDirectory) -> [String] {
        Files.list(directory).filter { !$0.hasPrefix(".") }
    }
}
