#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What identifies an attachment, as CNI does: the container and its interface name. The network is the
/// state file the lease lives in.
public struct AttachmentKey: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var containerID: String
    public var ifname: String

    public init(containerID: String, ifname: String) {
        self.containerID = containerID
        self.ifname = ifname
    }

    /// A 64-bit digest of the key (FNV-1a over both fields, a zero byte between them): equal keys have equal
    /// digests, so telling many keys apart needs the exact comparison only where two digests are equal.
    public var digest: UInt64 {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in containerID.utf8 { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        state = state &* 0x0000_0100_0000_01b3
        for byte in ifname.utf8 { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return state
    }

    /// `digest` of the key whose fields are these UTF-8 bytes, without making the key.
    public static func digest(containerID: UnsafeBufferPointer<UInt8>, ifname: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in containerID { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        state = state &* 0x0000_0100_0000_01b3
        for byte in ifname { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return state
    }

    public static func < (lhs: AttachmentKey, rhs: AttachmentKey) -> Bool {
        (lhs.containerID, lhs.ifname) < (rhs.containerID, rhs.ifname)
    }

    public var description: String { "\(containerID)/\(ifname)" }
}

/// Who the pod is, as the runtime told us through CNI_ARGS; recorded for operators only.
public struct PodIdentity: Codable, Hashable, Sendable {
    public var namespace: String?
    public var name: String?

    public init(namespace: String? = nil, name: String? = nil) {
        self.namespace = namespace
        self.name = name
    }

    public var display: String {
        switch (namespace, name) {
        case let (ns?, name?): return "\(ns)/\(name)"
        case let (nil, name?): return name
        default: return "-"
        }
    }
}

/// An address held by an attachment.
public struct Lease: Codable, Hashable, Sendable {
    public var key: AttachmentKey
    public var address: IPv4Address
    public var pod: PodIdentity
    /// The netns path the runtime gave on ADD; used as leak evidence when it disappears.
    public var netns: String?
    public var createdAt: Date
    /// Which plugin took the lease ("vnet" or "vnet-ipam"); a plain IPAM lease has no endpoint.
    public var owner: String

    public init(key: AttachmentKey, address: IPv4Address, pod: PodIdentity = PodIdentity(), netns: String? = nil,
                createdAt: Date, owner: String) {
        self.key = key
        self.address = address
        self.pod = pod
        self.netns = netns
        self.createdAt = createdAt
        self.owner = owner
    }
}

/// An address returned to the pool, cooling down before reuse.
public struct ReleasedAddress: Codable, Hashable, Sendable {
    public var address: IPv4Address
    public var releasedAt: Date

    public init(address: IPv4Address, releasedAt: Date) {
        self.address = address
        self.releasedAt = releasedAt
    }
}
