#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VNetModel

/// Runs probes off the main actor and wakes the run loop when one ends: the result is put in a box and a
/// byte is written to a pipe whose read end the run loop polls with the keyboard (`ConsoleApp`). So the
/// screen redraws the moment the probe ends, and keys (Esc) work while it runs.
///
/// Why a thread of its own, started from the caller's (the main) thread, rather than a Task or a dispatch
/// queue: a new thread starts in the network namespace of the thread that creates it, and the console's
/// main thread entered the node's (`--netns`), where the probe reads the veth and NAT counters; a pool
/// thread may have been made before that. And the probe blocks in poll(2), which must not hold a thread of
/// Swift's cooperative pool. The operations layer enters the pod's namespace only around `socket(2)` and
/// always returns the thread to where it was.
final class ProbeRunner: Sendable {
    let prober: any EndpointProber
    /// The pipe's read end, for the run loop to poll; -1 when no pipe could be made (results are then
    /// collected on the next refresh instead).
    let wakeDescriptor: Int32
    private let wakeWriter: Int32
    private let results = Mutex<[(AttachmentKey, Result<ProbeReport, ProbeRunError>)]>([])

    struct ProbeRunError: Error, CustomStringConvertible {
        var description: String
    }

    init(prober: any EndpointProber) {
        self.prober = prober
        var ends: [Int32] = [-1, -1]
        // pipe2(2) is a GNU extension Swift does not import: pipe, then the flags one by one.
        if pipe(&ends) == 0 {
            for fd in ends {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        } else {
            ends = [-1, -1]
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        if wakeDescriptor >= 0 { close(wakeDescriptor) }
        if wakeWriter >= 0 { close(wakeWriter) }
    }

    /// Starts probing `key` on a new thread; returns at once. Call it on the thread whose network namespace
    /// the probe must start in (the main thread).
    func start(_ key: AttachmentKey) {
        let prober = self.prober
        let started = DetachedThread.start { [self] in
            let result: Result<ProbeReport, ProbeRunError>
            do { result = .success(try prober.probe(key)) } catch { result = .failure(ProbeRunError(description: "\(error)")) }
            finish(key, result)
        }
        if !started { finish(key, .failure(ProbeRunError(description: "cannot start the probe's thread"))) }
    }

    private func finish(_ key: AttachmentKey, _ result: Result<ProbeReport, ProbeRunError>) {
        results.withLock { $0.append((key, result)) }
        if wakeWriter >= 0 {
            var byte: UInt8 = 1
            _ = write(wakeWriter, &byte, 1)
        }
    }

    /// The probes that ended since the last call, oldest first; empties the pipe.
    func collect() -> [(AttachmentKey, Result<ProbeReport, ProbeRunError>)] {
        if wakeDescriptor >= 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
        }
        return results.withLock { taken in
            defer { taken.removeAll() }
            return taken
        }
    }
}

/// A detached POSIX thread running a closure: the one place the console starts a thread of its own.
enum DetachedThread {
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Whether the thread started.
    static func start(_ run: @escaping @Sendable () -> Void) -> Bool {
        let body = Unmanaged.passRetained(Body(run)).toOpaque()
        var thread = pthread_t()
        let made = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<Body>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, body)
        guard made == 0 else {
            Unmanaged<Body>.fromOpaque(body).release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
