#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One request and its answer over a local stream socket, each a line: how vnet-ipam asks the node agent
/// (vnetd) for room, with plain system calls (the plugins link no event loop: every pod pays their start).
public enum UnixSocket {
    /// The kernel's limit on a socket path (sun_path, with its NUL).
    public static let maximumPathLength = 107

    /// Connects to `path`, writes `line` (a newline is added) and returns the answer's first line, without
    /// its newline. Waits at most `timeout` seconds in all; `ETIMEDOUT` when the answer does not come.
    public static func exchange(path: String, line: [UInt8], timeout: Double) throws(SystemError) -> [UInt8] {
        guard path.utf8.count <= maximumPathLength else { throw SystemError("connect", path: path, errno: ENAMETOOLONG) }
        let deadline = MonotonicClock.seconds() + timeout
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                retryingOnEINTR { connect(fd, pointer, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        guard connected == 0 else { throw SystemError("connect", path: path) }
        var request = line
        request.append(UInt8(ascii: "\n"))
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { bytes in retryingOnEINTR { send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) } }
            guard n > 0 else { throw SystemError("send", path: path) }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let newline = answer.firstIndex(of: UInt8(ascii: "\n")) { return Array(answer[..<newline]) }
            let left = deadline - MonotonicClock.seconds()
            guard left > 0 else { throw SystemError("waiting for an answer on", path: path, errno: ETIMEDOUT) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = retryingOnEINTR { poll(&poller, 1, Int32(min(left * 1000, 60_000).rounded(.up))) }
            guard ready >= 0 else { throw SystemError("poll", path: path) }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { bytes in retryingOnEINTR { recv(fd, bytes.baseAddress, bytes.count, 0) } }
            guard n >= 0 else { throw SystemError("recv", path: path) }
            if n == 0 {
                if answer.isEmpty { throw SystemError("reading the answer on", path: path, errno: ECONNRESET) }
                return answer
            }
            answer.append(contentsOf: buffer[..<n])
            guard answer.count < 1 << 20 else { throw SystemError("reading the answer on", path: path, errno: EMSGSIZE) }
        }
    }
}
