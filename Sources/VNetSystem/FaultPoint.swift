#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Test-only fault injection at named points of an operation.
///
/// `VNET_TEST_FAULT=<point>` kills the process with SIGKILL when it reaches `<point>` (a crash at that
/// instant); `VNET_TEST_FAULT=<point>:fail` makes the point throw instead, so rollback can be observed.
/// Unset (always, in production) it costs one environment lookup per process.
public enum FaultPoint {
    /// The failure a `:fail` fault point raises.
    public struct Injected: Error, CustomStringConvertible, Sendable {
        public var point: String
        public var description: String { "injected fault at \(point)" }
    }

    private static let configured: (point: String, fail: Bool)? = {
        guard let raw = getenv("VNET_TEST_FAULT") else { return nil }
        let text = String(cString: raw)
        if text.hasSuffix(":fail") { return (String(text.dropLast(5)), true) }
        return text.isEmpty ? nil : (text, false)
    }()

    /// Reached point `name`: crash or throw if a test asked for it.
    public static func hit(_ name: String) throws(Injected) {
        guard let configured, configured.point == name else { return }
        if configured.fail { throw Injected(point: name) }
        kill(getpid(), SIGKILL)
    }
}
