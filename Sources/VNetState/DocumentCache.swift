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
    private let entry = Mutex<WrittenDocument?>(nil)

    /// The state decoded from exactly `bytes`, when that is the cached document and it was read whole or in
    /// part for `focus`.
    func lookup(_ bytes: [UInt8], for focus: AttachmentKey?) -> NetworkState? {
        entry.withLock { cached in cached.flatMap { Self.same($0.bytes, bytes) && $0.serves(focus) ? $0.state : nil } }
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

    /// The cached document whole: what the next commit copies its unchanged records from.
    var document: WrittenDocument? { entry.withLock { $0 } }

    func store(_ document: WrittenDocument) {
        entry.withLock { cached in cached = document }
    }
}
