import Foundation
import Glibc

/// A one-thread HTTP server on 127.0.0.1 (an ephemeral port) that answers every request with scripted
/// bytes, so the client and the loaders are tested over a real TCP socket. It records each request head
/// (to count fetches and check headers) and can misbehave on purpose: stay silent, or send its answer in
/// pieces with pauses. `stop()` closes everything it opened and joins its thread.
final class TestHTTPServer: @unchecked Sendable {
    enum Behavior {
        /// Send these bytes, then close.
        case respond([UInt8])
        /// Send each piece after a pause of `pauseMilliseconds`, then close.
        case pieces([[UInt8]], pauseMilliseconds: Int)
        /// Read the request and never answer (the connection stays open until `stop`).
        case silent
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var behavior: Behavior
    private var heads: [String] = []
    private var held: [Int32] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ behavior: Behavior) throws {
        self.behavior = behavior
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXFailure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(fd, generic, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, generic, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXFailure("bind/listen")
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    var requestCount: Int { lock.withLock { heads.count } }
    var requests: [String] { lock.withLock { heads } }

    func setBehavior(_ behavior: Behavior) { lock.withLock { self.behavior = behavior } }

    func stop() {
        lock.withLock { stopping = true }
        shutdown(listener, Int32(SHUT_RDWR))
        finished.wait()
        close(listener)
        lock.withLock {
            for fd in held { close(fd) }
            held = []
        }
    }

    private func serve() {
        defer { finished.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR && !lock.withLock({ stopping }) { continue }
                return
            }
            handle(fd)
        }
    }

    private func handle(_ fd: Int32) {
        let head = readHead(fd)
        let current = lock.withLock { () -> Behavior in
            heads.append(head)
            return behavior
        }
        switch current {
        case .respond(let bytes):
            writeAll(fd, bytes)
            close(fd)
        case .pieces(let pieces, let pause):
            for piece in pieces {
                usleep(useconds_t(pause * 1000))
                guard writeAll(fd, piece) else { break }  // the client gave up
            }
            close(fd)
        case .silent:
            lock.withLock { held.append(fd) }
        }
    }

    /// The request up to its blank line (at most 64 KiB, at most 2 s).
    private func readHead(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 2000) > 0 else { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            if String(decoding: bytes, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @discardableResult
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// A complete response with a Content-Length body.
    static func ok(_ body: String, contentType: String = "text/plain") -> [UInt8] {
        let bytes = Array(body.utf8)
        return Array("HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8) + bytes
    }

    /// A response with the body sent as chunks of `size` bytes.
    static func chunked(_ body: String, size: Int) -> [UInt8] {
        var out = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var rest = Array(body.utf8)[...]
        while !rest.isEmpty {
            let piece = rest.prefix(size)
            out += Array("\(String(piece.count, radix: 16));ext=1\r\n".utf8) + piece + Array("\r\n".utf8)
            rest = rest.dropFirst(piece.count)
        }
        return out + Array("0\r\nX-Trailer: yes\r\n\r\n".utf8)
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    let operation: String
    let code: Int32
    init(_ operation: String) {
        self.operation = operation
        code = errno
    }
    var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// A fresh directory under /tmp, removed (with its files) by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/vnet-pools-test-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { throw POSIXFailure("mkdtemp") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        guard FileManager.default.createFile(atPath: file(name), contents: Data(text.utf8)) else { throw POSIXFailure("create \(name)") }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
