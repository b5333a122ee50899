#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SIGINT (Ctrl-C in cbreak mode), SIGTERM and SIGHUP while curses owns the terminal. Dying on them would
/// leave the operator's shell without echo; instead the handler only records the signal (an atomic
/// store is async-signal-safe), poll(2) returns EINTR, and the run loop ends so `shutdown` can restore
/// the terminal.
enum QuitSignals {
    static let received = Atomic<Int32>(0)
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Installs the handlers; returns the previous actions for `restore`.
    static func install() -> [(Int32, sigaction)] {
        _ = received.load(ordering: .relaxed)
        var saved: [(Int32, sigaction)] = []
        for signal in handled {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                QuitSignals.received.store(number, ordering: .relaxed)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            var old = sigaction()
            if sigaction(signal, &action, &old) == 0 { saved.append((signal, old)) }
        }
        return saved
    }

    static func restore(_ saved: [(Int32, sigaction)]) {
        for (signal, old) in saved {
            var action = old
            sigaction(signal, &action, nil)
        }
    }

    /// The signal received since the last call, if any.
    static func take() -> Int32? {
        let number = received.exchange(0, ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
