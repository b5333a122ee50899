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
import CVNetSystem
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
        // Whoever can write the lock file can forge the holder others report; whoever owns it can swap it.
        var info = stat()
        if fstat(descriptor, &info) != 0 {
            let failure = SystemError("fstat", path: path)
            close(descriptor)
            throw .io(failure)
        }
        if info.st_mode & S_IFMT != S_IFREG || info.st_mode & (S_IWGRP | S_IWOTH) != 0
            || (info.st_uid != 0 && info.st_uid != geteuid()) {
            close(descriptor)
            throw .unsafe(path: path, reason: "the lock file must be a regular file that only root (or uid \(geteuid())) can "
                + "write; it has mode \(String(info.st_mode & 0o7777, radix: 8)) and owner uid \(info.st_uid)")
        }
        let start = MonotonicClock.seconds()
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            // Busy: sleep in the kernel's queue rather than polling, so waiters are woken as soon as the
            // holder lets go (polling with back-off starved waiters under load); a timer ends the wait.
            let alarm = AlarmTimer(seconds: timeout)
            // Without a timer (timer_create failed), poll instead of blocking: never wait unbounded.
            let mode = alarm.isArmed ? LOCK_EX : LOCK_EX | LOCK_NB
            while flock(descriptor, mode) != 0 {
                let waited = MonotonicClock.seconds() - start
                guard errno == EINTR || errno == EWOULDBLOCK else {
                    let failure = SystemError("flock", path: path)
                    close(descriptor)
                    throw .io(failure)
                }
                if waited >= timeout {
                    let holder = Self.readHolder(descriptor)
                    close(descriptor)
                    throw .lockTimeout(path: path, waited: waited, holder: holder)
                }
                if alarm.isArmed { alarm.rearm(seconds: timeout - waited) } else { MonotonicClock.sleep(milliseconds: 1) }
            }
            alarm.cancel()
        }
        fd = descriptor
        let holder = LockHolder(pid: getpid(), verb: verb, since: Date())
        let bytes = JSONWriter.bytes(.object(["pid": .number(Double(holder.pid)), "verb": .string(holder.verb),
                                              "since": .string(ISO8601.format(holder.since))]))
        ftruncate(descriptor, 0)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
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
        guard let value = try? JSONParser.parse(Array(buffer[0..<n])), let pid = value["pid"]?.intValue,
              let verb = value["verb"]?.stringValue, let since = value["since"]?.stringValue.flatMap(ISO8601.parse),
              let pid32 = Int32(exactly: pid) else { return nil }
        return LockHolder(pid: pid32, verb: verb, since: since)
    }
}

/// A one-shot SIGALRM to the calling thread that interrupts its blocking flock(2): the handler is installed
/// without SA_RESTART, so the call returns EINTR. The previous handler is restored on cancel.
final class AlarmTimer {
    private var previous = sigaction()
    private var timer: timer_t?
    private var active = true

    var isArmed: Bool { timer != nil }

    init(seconds: Double) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGALRM, &action, &previous)
        var created: timer_t?
        if vnet_thread_timer_create(&created) == 0 { timer = created }
        rearm(seconds: seconds)
    }

    func rearm(seconds: Double) {
        guard let timer else { return }
        vnet_thread_timer_arm(timer, max(1, Int((seconds * 1000).rounded(.up))))
    }

    func cancel() {
        guard active else { return }
        active = false
        if let timer { vnet_thread_timer_delete(timer) }
        sigaction(SIGALRM, &previous, nil)
    }

    deinit { cancel() }
}
