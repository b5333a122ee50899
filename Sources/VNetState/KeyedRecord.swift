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
