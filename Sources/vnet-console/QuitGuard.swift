#if canImport(Glibc)
import Glibc
#endif

/// Notes SIGINT, SIGTERM and SIGHUP while the demo sandbox is being built, before the console's own loop
/// handles signals. The handler only records the signal (async-signal-safe); the main checks `requested`
/// between steps and tears the sandbox down in ordinary code.
enum QuitGuard {
    nonisolated(unsafe) static var requested: Int32 = 0

    static func install() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal) { number in QuitGuard.requested = number }
        }
    }

    /// Throws when a stop was asked for, so the caller's cleanup runs.
    static func check() throws {
        if requested != 0 { throw Interrupted(signal: requested) }
    }

    struct Interrupted: Error, CustomStringConvertible {
        var signal: Int32
        var description: String { "interrupted by signal \(signal); the demo node was removed" }
    }
}
