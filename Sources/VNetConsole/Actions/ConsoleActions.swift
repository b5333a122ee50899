import VNetModel

/// What the attach form collects. (VNetOperations has its own `AttachRequest`; this is the console's
/// form, named apart so a main importing both compiles without qualification.)
public struct ConsoleAttachRequest: Hashable, Sendable {
    /// A netns path ("/var/run/netns/x", "/proc/123/ns/net") or a name under /var/run/netns.
    public var netns: String
    public var containerID: String
    public var ifname: String
    public var podNamespace: String?
    public var podName: String?

    public init(netns: String, containerID: String, ifname: String = "eth0", podNamespace: String? = nil,
                podName: String? = nil) {
        self.netns = netns
        self.containerID = containerID
        self.ifname = ifname
        self.podNamespace = podNamespace
        self.podName = podName
    }

    public var key: AttachmentKey { AttachmentKey(containerID: containerID, ifname: ifname) }
    public var pod: PodIdentity { PodIdentity(namespace: podNamespace, name: podName) }
}

/// The changes the console can ask for. Every change is planned first (nothing touched), shown to the
/// operator, and performed only after explicit confirmation; `perform` re-checks the plan's fingerprint.
/// Errors thrown are shown on the status line with their description.
public protocol ConsoleActions {
    func planAttach(_ request: ConsoleAttachRequest) throws -> ActionPlan
    func planDetach(_ key: AttachmentKey) throws -> ActionPlan
    func planReclaim(_ addresses: [IPv4Address]) throws -> ActionPlan
    /// Applies `plan` if the target still matches its fingerprint; returns a one-line result.
    func perform(_ plan: ActionPlan) throws -> String
}
