#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

// What a document read in part for one attachment (`StateStore.load(for:)`) holds in place of the records
// of other attachments. A commit copies the bytes such a stand-in came from, like any unchanged record, and
// `StateDocumentWriter` refuses to write one from its values.

extension Lease {
    /// A stand-in for another attachment's lease: its address, read from the document, and nothing else.
    ///
    /// Why: what a CNI call for one attachment needs of the other leases is their addresses (to choose a
    /// free one, to count them against the node's limit, and to check that no two share one). Reading their
    /// keys too, a String each, was a good part of what still grew with the pods on the node. Its key is
    /// `AttachmentKey.unread`, which is no attachment's.
    init?(unreadHolding text: UnsafeBufferPointer<UInt8>) {
        guard let address = IPv4Address(utf8: text) else { return nil }
        self.init(key: .unread, address: address, createdAt: Date(timeIntervalSince1970: 0), owner: "")
    }
}

extension Endpoint {
    /// A stand-in for a run of other attachments' endpoint records left unread: its span is the run's bytes.
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
