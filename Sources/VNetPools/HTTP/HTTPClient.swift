#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VNetSystem

/// A minimal HTTP/1.1 GET client over a POSIX socket, with one deadline for the whole exchange.
///
/// URLSession (FoundationNetworking) would pull curl and full Foundation into binaries that must start in
/// milliseconds and link statically; the metadata endpoints speak plain HTTP on fixed IPv4 addresses, so a
/// non-blocking socket, `poll` and `HTTPResponseParser` are all that is needed. One request per
/// connection (`Connection: close`), no redirects, no proxies.
public struct HTTPClient: Sendable {
    public static let defaultTimeoutMilliseconds = 2_000

    /// The deadline for connect, send and receive together.
    public var timeoutMilliseconds: Int
    /// Responses with a larger body fail with `responseTooLarge` (hostile or wrong endpoints).
    public var maximumResponseSize: Int

    public init(timeoutMilliseconds: Int = HTTPClient.defaultTimeoutMilliseconds,
                maximumResponseSize: Int = HTTPResponseParser.defaultMaximumBodySize) {
        self.timeoutMilliseconds = max(1, timeoutMilliseconds)
        self.maximumResponseSize = maximumResponseSize
    }

    /// GETs `url` and returns the body of a 2xx response; any other status is `badStatus`.
    public func fetch(_ url: HTTPURL, headers: [HTTPHeader] = []) throws(HTTPError) -> [UInt8] {
        let response = try get(url, headers: headers)
        guard (200..<300).contains(response.status) else { throw .badStatus(code: response.status, reason: response.reason) }
        return response.body
    }

    /// GETs `url` and returns the response whatever its status.
    public func get(_ url: HTTPURL, headers: [HTTPHeader] = []) throws(HTTPError) -> HTTPResponse {
        let request = try Self.request(for: url, headers: headers)
        let deadline = MonotonicClock.seconds() + Double(timeoutMilliseconds) / 1000
        let connection = try connect(to: url, deadline: deadline)
        defer { close(connection) }
        try send(request, on: connection, url: url, deadline: deadline)
        return try receive(on: connection, url: url, deadline: deadline)
    }

    /// The request bytes. Header names and values are checked so a value cannot smuggle a second header.
    static func request(for url: HTTPURL, headers: [HTTPHeader]) throws(HTTPError) -> [UInt8] {
        var text = "GET \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: vnet\r\nAccept: */*\r\nConnection: close\r\n"
        for header in headers {
            let unsafe: (Unicode.Scalar) -> Bool = { $0 == "\r" || $0 == "\n" || $0.value == 0 }
            guard !header.name.isEmpty, !header.name.unicodeScalars.contains(where: { unsafe($0) || $0 == ":" || $0 == " " }),
                  !header.value.unicodeScalars.contains(where: unsafe) else {
                throw .invalidHeader(header.name)
            }
            text += "\(header.name): \(header.value)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A connected non-blocking socket, or the reason there is none by the deadline.
    private func connect(to url: HTTPURL, deadline: Double) throws(HTTPError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .network(operation: "socket", endpoint: url.endpoint, errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = url.port.bigEndian
        address.sin_addr = in_addr(s_addr: url.host.value.bigEndian)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 { return fd }
        let code = errno
        guard code == EINPROGRESS || code == EINTR else {
            close(fd)
            throw Self.connectError(code, url: url)
        }
        guard wait(fd, for: Int16(POLLOUT), until: deadline) else {
            close(fd)
            throw .timeout(.connect, milliseconds: timeoutMilliseconds)
        }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) != 0 { failure = errno }
        if failure != 0 {
            close(fd)
            throw Self.connectError(failure, url: url)
        }
        return fd
    }

    private static func connectError(_ code: Int32, url: HTTPURL) -> HTTPError {
        code == ECONNREFUSED ? .connectionRefused(endpoint: url.endpoint)
            : .network(operation: "connect", endpoint: url.endpoint, errno: code)
    }

    private func send(_ bytes: [UInt8], on fd: Int32, url: HTTPURL, deadline: Double) throws(HTTPError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 { offset += sent; continue }
            let code = errno
            if sent < 0 && code == EINTR { continue }
            if sent < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                guard wait(fd, for: Int16(POLLOUT), until: deadline) else {
                    throw .timeout(.send, milliseconds: timeoutMilliseconds)
                }
                continue
            }
            throw .network(operation: "send", endpoint: url.endpoint, errno: sent < 0 ? code : EPIPE)
        }
    }

    private func receive(on fd: Int32, url: HTTPURL, deadline: Double) throws(HTTPError) -> HTTPResponse {
        var parser = HTTPResponseParser(maximumBodySize: maximumResponseSize)
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in recv(fd, buffer.baseAddress, buffer.count, 0) }
            if count > 0 {
                try parser.feed(Array(chunk[0..<count]))
                if let response = parser.response { return response }
                // A peer that always has more bytes ready never reaches `wait`: check the deadline here too.
                if MonotonicClock.seconds() >= deadline { throw .timeout(.receive, milliseconds: timeoutMilliseconds) }
                continue
            }
            if count == 0 { return try parser.finish() }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else {
                throw .network(operation: "recv", endpoint: url.endpoint, errno: code)
            }
            guard wait(fd, for: Int16(POLLIN), until: deadline) else {
                throw .timeout(.receive, milliseconds: timeoutMilliseconds)
            }
        }
    }

    /// Waits until `fd` is ready for `events` (or has an error to report); false when the deadline passed.
    private func wait(_ fd: Int32, for events: Int16, until deadline: Double) -> Bool {
        while true {
            let remaining = deadline - MonotonicClock.seconds()
            if remaining <= 0 { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(min((remaining * 1000).rounded(.up), Double(Int32.max)))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the next call report the error
        }
    }
}
