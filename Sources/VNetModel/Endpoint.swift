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
    /// The public address translated 1:1 to and from the pod (`publicIPs`, or CNI_ARGS VNET_PUBLIC_IP).
    public var publicIP: IPv4Address?
    /// The host ports forwarded to the pod (the `portMappings` capability). Recorded so that CHECK, DEL and
    /// a rebuilt table know them without the runtime's config.
    public var portMappings: [PortMapping]

    public init(key: AttachmentKey, phase: Phase, address: IPv4Prefix, gateway: IPv4Address, hostVeth: String,
                podMAC: String? = nil, netns: String, bridge: String, pod: PodIdentity, createdAt: Date,
                publicIP: IPv4Address? = nil, portMappings: [PortMapping] = []) {
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
        self.publicIP = publicIP
        self.portMappings = portMappings
    }

    private enum CodingKeys: String, CodingKey {
        case key, phase, address, gateway, hostVeth, podMAC, netns, bridge, pod, createdAt, publicIP, portMappings
    }

    /// Endpoints recorded before public IPs and host ports have neither key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(AttachmentKey.self, forKey: .key)
        phase = try c.decode(Phase.self, forKey: .phase)
        address = try c.decode(IPv4Prefix.self, forKey: .address)
        gateway = try c.decode(IPv4Address.self, forKey: .gateway)
        hostVeth = try c.decode(String.self, forKey: .hostVeth)
        podMAC = try c.decodeIfPresent(String.self, forKey: .podMAC)
        netns = try c.decode(String.self, forKey: .netns)
        bridge = try c.decode(String.self, forKey: .bridge)
        pod = try c.decode(PodIdentity.self, forKey: .pod)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        publicIP = try c.decodeIfPresent(IPv4Address.self, forKey: .publicIP)
        portMappings = try c.decodeIfPresent([PortMapping].self, forKey: .portMappings) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(phase, forKey: .phase)
        try c.encode(address, forKey: .address)
        try c.encode(gateway, forKey: .gateway)
        try c.encode(hostVeth, forKey: .hostVeth)
        try c.encodeIfPresent(podMAC, forKey: .podMAC)
        try c.encode(netns, forKey: .netns)
        try c.encode(bridge, forKey: .bridge)
        try c.encode(pod, forKey: .pod)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(publicIP, forKey: .publicIP)
        if !portMappings.isEmpty { try c.encode(portMappings, forKey: .portMappings) }
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
