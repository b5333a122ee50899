#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A pod plugged into the node: the veth pair, its addresses and where each end lives.
public struct Endpoint: Codable, Hashable, Sendable {
    public enum Phase: String, Codable, Sendable {
        /// Recorded with the lease, before any kernel change, so a crash mid-ADD leaves a trace GC can follow.
        /// Once its host veth exists the endpoint counts as attached: the kernel, not a second commit, says so.
        case attaching
        /// Attached (written by earlier versions, and shown for endpoints whose host veth exists).
        case ready
    }

    public var key: AttachmentKey
    public var phase: Phase
    public var address: IPv4Prefix
    public var gateway: IPv4Address
    public var hostVeth: String
    public var podMAC: String?
    public var netns: String
    public var bridge: String
    public var pod: PodIdentity
    public var createdAt: Date

    public init(key: AttachmentKey, phase: Phase, address: IPv4Prefix, gateway: IPv4Address, hostVeth: String,
                podMAC: String? = nil, netns: String, bridge: String, pod: PodIdentity, createdAt: Date) {
        self.key = key
        self.phase = phase
        self.address = address
        self.gateway = gateway
        self.hostVeth = hostVeth
        self.podMAC = podMAC
        self.netns = netns
        self.bridge = bridge
        self.pod = pod
        self.createdAt = createdAt
    }
}

/// Names the host end of a pod's veth pair from the attachment, so every verb (and a DEL that arrives
/// without prevResult or netns) finds the same link without reading state.
public enum HostVethName {
    /// "vn" + 12 hex digits of an FNV-1a hash: 14 characters, under the kernel's 15.
    public static func make(network: String, key: AttachmentKey) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(network)\u{0}\(key.containerID)\u{0}\(key.ifname)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return "vn" + padded.prefix(12)
    }
}
