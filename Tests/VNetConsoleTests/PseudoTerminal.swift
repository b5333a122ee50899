import Foundation
import CNcursesw

/// A pty pair for driving curses without a real terminal: curses gets the slave side, the test types on
/// the master side, and a background thread drains what curses writes (counting the bytes) so a large
/// frame can never block on a full pty buffer.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    let slave: Int32
    private let lock = NSLock()
    private var received = 0
    private var thread: Thread?

    init(rows: Int, cols: Int) throws {
        var m: Int32 = -1, s: Int32 = -1
        guard vnet_openpty(&m, &s, Int32(rows), Int32(cols)) == 0 else {
            throw FakeError(description: "openpty failed: errno \(errno)")
        }
        master = m
        slave = s
        let fd = m
        let t = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    return
                }
                guard let self else { return }
                self.lock.lock()
                self.received += n
                self.lock.unlock()
            }
        }
        thread = t
        t.start()
    }

    /// Bytes curses has written so far, after waiting for the output to settle.
    func bytesReceived() -> Int {
        var last = -1
        for _ in 0..<100 {
            lock.lock()
            let now = received
            lock.unlock()
            if now == last { return now }
            last = now
            usleep(10_000)
        }
        return last
    }

    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    func resize(rows: Int, cols: Int) {
        _ = vnet_set_winsize(master, Int32(rows), Int32(cols))
    }

    /// Closes both sides; the drain thread ends on EIO.
    func close() {
        Glibc.close(slave)
        Glibc.close(master)
    }
}
