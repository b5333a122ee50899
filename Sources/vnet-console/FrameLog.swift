#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetConsole

/// `VNET_CONSOLE_FRAME_LOG=FILE`: one line per frame, "<unix time> <screen> <refreshed 0|1> <milliseconds>",
/// for the console-history benchmark. Timed by the console itself, so no tracer's stops are counted.
final class FrameLog {
    private let fd: Int32

    init?(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    func append(_ cost: FrameCost) {
        let line = "\(Date().timeIntervalSince1970) \(cost.screen.rawValue) \(cost.refreshed ? 1 : 0) \(cost.seconds * 1000)\n"
        _ = Array(line.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
