#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One piece of blocking work on its own thread, joined with `wait()`.
///
/// Why a bare pthread: a CNI call is a short process with nothing else to schedule, and the work it
/// overlaps is one system call that sleeps in the kernel (deleting a veth waits for an RCU barrier, ~15-20
/// ms). The thread starts in the network namespace of the thread that creates it (Linux copies it at
/// clone), so it acts on the same node.
public final class BackgroundWork<Value>: ThreadBody, @unchecked Sendable {
    private var thread: pthread_t?
    private var outcome: Result<Value, any Error>?
    private let body: () throws -> Value

    /// Starts `body` at once; if no thread can be made, runs it on the caller's thread instead.
    public init(_ body: @escaping () throws -> Value) {
        self.body = body
        super.init()
        thread = start()
    }

    override func run() {
        do { outcome = .success(try body()) } catch { outcome = .failure(error) }
    }

    /// Waits for the work and returns its value or rethrows its error.
    public func wait() throws -> Value {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
        return try (outcome ?? .failure(SystemError("join", path: "background work", errno: EINVAL))).get()
    }
}

/// The non-generic part: a C thread entry point cannot name a generic type.
public class ThreadBody {
    func run() {}

    /// Runs `run()` on a new thread and returns it, or runs it here and returns nil.
    func start() -> pthread_t? {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(&handle, nil, { context in
            guard let context else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            run()
            return nil
        }
        return handle
    }
}
