#if canImport(Glibc)
import Glibc
#endif
import VNetSystem

/// Which boot a state directory was last written in: `<dir>/boot` holds the kernel's boot id.
///
/// Why it exists: everything the state describes (leases, endpoints, quarantined addresses) is about pods,
/// and no pod survives a reboot. So a commit needs to survive a crash of the process (the page cache
/// outlives it: no fsync needed) but not a power cut (after which its facts are void anyway). The one thing
/// a power cut can do is leave a document torn. The marker tells the two cases apart: it is written
/// durably once per boot, before the first commit of that boot that skips fsync, so a torn document under
/// a marker of an earlier boot can only be the work of a crash, and its facts are known to be void.
/// Under a marker of this boot a torn document is real damage and is refused as before.
struct BootMarker {
    enum Standing: Equatable {
        /// The marker names this boot: commits of this boot need no flush.
        case thisBoot
        /// The marker names another boot: whatever the document says is about pods that are gone.
        case earlierBoot
        /// No marker (a directory written by an older vnet), or no boot id to compare with.
        case unknown
    }

    let path: String

    init(directory: String) { path = directory + "/boot" }

    /// The running kernel's boot id, read once per process.
    static let currentBootID: String? = {
        guard let bytes = try? Files.read("/proc/sys/kernel/random/boot_id", limit: 256) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace
        return text.isEmpty ? nil : text
    }()

    func standing() -> Standing {
        guard let current = Self.currentBootID,
              let bytes = try? Files.read(path, limit: 256) else { return .unknown }
        return String(decoding: bytes, as: UTF8.self).trimmingWhitespace == current ? .thisBoot : .earlierBoot
    }

    /// Records this boot, flushed to disk (file and directory) before returning. False when the boot id
    /// is unknown, in which case every commit keeps flushing.
    func markThisBoot() throws(SystemError) -> Bool {
        guard let current = Self.currentBootID else { return false }
        try Files.replaceAtomically(path, with: Array((current + "\n").utf8), mode: 0o600, sync: true, durable: true)
        return true
    }
}

private extension String {
    var trimmingWhitespace: String {
        var view = Substring(self)
        while let last = view.last, last.isWhitespace { view.removeLast() }
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        return String(view)
    }
}
