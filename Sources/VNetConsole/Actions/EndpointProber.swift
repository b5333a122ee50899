import VNetModel

/// Probes an endpoint's path for the console (`t` in an endpoint's details): gateway, node, a VNet address,
/// DNS servers, the internet. The front end implements it on the operations layer (`Node.probe`).
///
/// Called on a background thread, never on the main actor: a probe waits up to a second per hop, and the
/// screen must keep answering keys meanwhile. The implementation must not share state with the console's
/// snapshot source without its own locking.
public protocol EndpointProber: Sendable {
    func probe(_ key: AttachmentKey) throws -> ProbeReport
}
