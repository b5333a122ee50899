import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VNetModel

/// Runs probes off the main actor and wakes the run loop when one ends: the result is put in a box and a
/// byte is written to a pipe whose read end the run loop polls with the keyboard (`ConsoleApp`). So the
/// screen redraws the moment the probe ends, and keys (Esc) work while it runs.
///
/// Why a queue of its own rather than a Task: the probe blocks in poll(2) and setns(2), which must not
/// hold a thread of Swift's cooperative pool. Entering the pod's namespace is safe on any thread: the
/// operations layer enters only around `socket(2)` and always returns the thread to where it was.
final class ProbeRunner: Sendable {
    let prober: any EndpointProber
    /// The pipe's read end, for the run loop to poll; -1 when no pipe could be made (results are then
    /// collected on the next refresh instead).
    let wakeDescriptor: Int32
    private let wakeWriter: Int32
    private let results = Mutex<[(AttachmentKey, Result<ProbeReport, ProbeRunError>)]>([])
    private let queue = DispatchQueue(label: "vnet-console.probe")

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

    /// Starts probing `key` in the background; returns at once.
    func start(_ key: AttachmentKey) {
        let prober = self.prober
        queue.async { [self] in
            let result: Result<ProbeReport, ProbeRunError>
            do { result = .success(try prober.probe(key)) } catch { result = .failure(ProbeRunError(description: "\(error)")) }
            results.withLock { $0.append((key, result)) }
            if wakeWriter >= 0 {
                var byte: UInt8 = 1
                _ = write(wakeWriter, &byte, 1)
            }
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
