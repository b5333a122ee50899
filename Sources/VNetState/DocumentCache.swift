#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VNetModel

/// The last document this process read or committed, with the exact bytes it came from.
///
/// A verb that loads the state twice (outside and inside the lock) or a console refreshing an idle node
/// decodes it once: a later load reads the file (cheap) and, when the bytes are the same, skips decoding.
///
/// Why bytes and not the file's identity (inode, size, mtime): commits are fast since they stopped
/// flushing, so between two loads of one DEL other processes can commit twice; the file system may then
/// hand the freed inode of an old document to the newest one, with the same size and, file times being
/// coarse, the same mtime. A cache trusting that identity would serve a stale document under the lock and
/// one commit would undo another's. Comparing the bytes cannot be fooled.
final class DocumentCache: Sendable {
    /// A document read whole (or written), or read for one attachment.
    private enum Entry: Sendable {
        case whole(WrittenDocument)
        case inPart(FocusedDocument)
    }

    private let entry = Mutex<Entry?>(nil)

    /// The state decoded from exactly `bytes`, when that is the cached document, read whole.
    func lookup(_ bytes: [UInt8]) -> NetworkState? {
        entry.withLock { cached in
            guard case .whole(let document)? = cached, Self.same(document.bytes, bytes) else { return nil }
            return document.state
        }
    }

    /// The document read from exactly `bytes` for `key`, when that is the cached document, read whole or for
    /// that attachment.
    func lookup(_ bytes: [UInt8], for key: AttachmentKey) -> ReadForAttachment? {
        entry.withLock { cached in
            switch cached {
            case .whole(let document)? where Self.same(document.bytes, bytes): return .whole(document)
            case .inPart(let document)? where document.attachment.key == key && Self.same(document.bytes, bytes): return .inPart(document)
            default: return nil
            }
        }
    }

    /// Byte equality by memcmp: Array's `==` compares element by element, ~1 M instructions for a 250-pod
    /// document, on every second load of a CNI call.
    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in
            guard let first = x.baseAddress, let second = y.baseAddress else { return x.count == 0 }
            return memcmp(first, second, x.count) == 0
        } }
    }

    /// The cached document, when read whole or written: what the next commit of a whole state copies its
    /// unchanged records from.
    var document: WrittenDocument? {
        entry.withLock { cached in
            guard case .whole(let document)? = cached else { return nil }
            return document
        }
    }

    func store(_ document: WrittenDocument) {
        entry.withLock { cached in cached = .whole(document) }
    }

    func store(_ document: FocusedDocument) {
        entry.withLock { cached in cached = .inPart(document) }
    }
}
