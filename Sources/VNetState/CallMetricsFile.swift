#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetSystem

/// The call metrics' file: `<dataDir>/<network>/metrics.json`, a small file under its own flock (never the
/// state lock), read-modified-written without fsync: losing the last few samples in a power cut is fine,
/// slowing every ADD is not.
extension CallMetrics {
    public static func path(directory: String) -> String { directory + "/metrics.json" }

    /// Adds one sample; failures are ignored (metrics never fail a CNI call).
    public static func append(directory: String, verb: String, seconds: Double, ok: Bool) {
        let path = path(directory: directory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return }
        defer { flock(fd, LOCK_UN) }
        var (metrics, length) = read(fd)
        metrics.record(verb: verb, seconds: seconds, ok: ok)
        let bytes = metrics.json
        // Written over in place, cut only when shorter: truncating to zero first freed the file's block on
        // every call (~0.3 ms on ext4). Readers take the lock too, so none sees the file half written.
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if length > bytes.count { ftruncate(fd, off_t(bytes.count)) }
    }

    public static func load(directory: String) -> CallMetrics {
        let fd = open(path(directory: directory), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return CallMetrics() }
        defer { close(fd) }
        guard flock(fd, LOCK_SH) == 0 else { return CallMetrics() }
        defer { flock(fd, LOCK_UN) }
        return read(fd).metrics
    }

    /// The metrics in the file open at `fd` (the caller holds its lock), empty when it holds none, and the
    /// file's length as read.
    private static func read(_ fd: Int32) -> (metrics: CallMetrics, length: Int) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return (CallMetrics(), 0) }
        return (CallMetrics(json: Array(buffer[0..<n])) ?? CallMetrics(), n)
    }
}
