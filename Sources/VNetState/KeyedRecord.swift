#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// What a partial read needs of a record: whose it is, and a stand-in that holds only that and the address.
protocol KeyedRecord {
    var key: AttachmentKey { get }
    /// A stand-in with `key` and the address written as `address`; nil when that is not this kind's address.
    init?(placeholderFor key: AttachmentKey, address: UnsafeBufferPointer<UInt8>)
}

extension Lease: KeyedRecord {
    init?(placeholderFor key: AttachmentKey, address text: UnsafeBufferPointer<UInt8>) {
        guard let address = IPv4Address(utf8: text) else { return nil }
        self.init(key: key, address: address, createdAt: Date(timeIntervalSince1970: 0), owner: "")
    }
}

extension Endpoint: KeyedRecord {
    init?(placeholderFor key: AttachmentKey, address text: UnsafeBufferPointer<UInt8>) {
        guard let address = StateDocumentFastReader.prefix(text) else { return nil }
        self.init(key: key, phase: .ready, address: address, gateway: IPv4Address(0), hostVeth: "", podMAC: nil,
                  netns: "", bridge: "", pod: PodIdentity(), createdAt: Date(timeIntervalSince1970: 0))
    }
}

extension Endpoint {
    /// A stand-in, in a document read in part for one attachment, for a run of other attachments' endpoint
    /// records left unread: its span is the run's bytes, which a commit copies like any unchanged record.
    ///
    /// Why: nothing a CNI call does for one attachment looks at another's endpoint (an ADD needs the other
    /// leases' addresses to choose one, never their endpoints), yet finding and copying those records one by
    /// one was a good part of what still grew with the pods on the node. A run sits in the array where its
    /// records were, so the focus's endpoint keeps its place when it is replaced, and goes after them when it
    /// is new, as in the document read whole. Its key's container ID is empty, which no attachment's is.
    static func unreadRun(_ index: Int) -> Endpoint {
        Endpoint(key: AttachmentKey(containerID: "", ifname: "unread-\(index)"), phase: .ready,
                 address: IPv4Prefix(address: IPv4Address(0), length: 0), gateway: IPv4Address(0), hostVeth: "", podMAC: nil,
                 netns: "", bridge: "", pod: PodIdentity(), createdAt: Date(timeIntervalSince1970: 0))
    }

    /// Whether this is such a stand-in.
    var isUnreadRun: Bool { key.containerID.isEmpty }
}
