#if canImport(Glibc)
import Glibc
#endif

/// Makes sure the demo sandbox is removed when the process is told to stop before the console's own loop
/// handles signals (while the sandbox is being built). The console loop installs its own handlers later;
/// this one only covers the window before it.
enum QuitGuard {
    nonisolated(unsafe) static var sandbox: DemoSandbox?

    static func install(_ sandbox: DemoSandbox) {
        Self.sandbox = sandbox
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Glibc.signal(signal) { number in
                QuitGuard.sandbox?.teardown()
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}
