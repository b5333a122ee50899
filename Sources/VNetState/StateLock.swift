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

/// A cross-process exclusive lock on a network's state, with a bounded wait.
///
/// flock(2) is released by the kernel when the holder dies (kill -9 included), so a crash never leaves the
/// node locked. The holder writes its pid, verb and start time into the lock file so that others can say who
/// blocks them, and the console can show it.
public final class StateLock {
    public let path: String
    private var fd: Int32 = -1

    public init(path: String) { self.path = path }

    deinit { release() }

    /// Waits up to `timeout` seconds for the lock.
    public func acquire(verb: String, timeout: Double) throws(StateError) {
        guard fd < 0 else { return }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if descriptor < 0 {
            if errno == ELOOP { throw .unsafe(path: path, reason: "the lock file is a symbolic link") }
            throw .io(SystemError("open", path: path))
        }
        let start = MonotonicClock.seconds()
        var pause = 1
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let failure = SystemError("flock", path: path)
                close(descriptor)
                throw .io(failure)
            }
            let waited = MonotonicClock.seconds() - start
            if waited >= timeout {
                let holder = Self.readHolder(descriptor)
                close(descriptor)
                throw .lockTimeout(path: path, waited: waited, holder: holder)
            }
            MonotonicClock.sleep(milliseconds: pause)
            pause = min(pause * 2, 20)
        }
        fd = descriptor
        let holder = LockHolder(pid: getpid(), verb: verb, since: Date())
        if let bytes = try? Self.encoder.encode(holder) {
            ftruncate(descriptor, 0)
            _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    public func release() {
        guard fd >= 0 else { return }
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    public var isHeld: Bool { fd >= 0 }

    /// Who holds the lock at `path` right now, or nil when it is free.
    public static func holder(at path: String) -> LockHolder? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return readHolder(descriptor)
    }

    private static func readHolder(_ descriptor: Int32) -> LockHolder? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return try? decoder.decode(LockHolder.self, from: Data(buffer[0..<n]))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
