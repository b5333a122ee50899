import Foundation
import Glibc
import XCTest
import VNetSystem
@testable import VNetPools

/// The client against a real TCP server on 127.0.0.1 started by each test.
final class HTTPClientTests: XCTestCase {
    var servers: [TestHTTPServer] = []

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
    }

    func serve(_ behavior: TestHTTPServer.Behavior) throws -> TestHTTPServer {
        let server = try TestHTTPServer(behavior)
        servers.append(server)
        return server
    }

    func url(_ server: TestHTTPServer, _ target: String = "/machine/plugins?comp=nmagent&type=getinterfaceinfov1") throws -> HTTPURL {
        try HTTPURL(parsing: server.url + target)
    }

    func testGetSendsAWellFormedRequestAndReadsContentLength() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver, contentType: "text/xml")))
        let body = try HTTPClient().fetch(try url(server), headers: [HTTPHeader("Metadata", "true")])
        XCTAssertEqual(String(decoding: body, as: UTF8.self), Fixtures.wireserver)
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertTrue(request.hasPrefix("GET /machine/plugins?comp=nmagent&type=getinterfaceinfov1 HTTP/1.1\r\n"), request)
        XCTAssertTrue(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"), request)
        XCTAssertTrue(request.contains("\r\nMetadata: true\r\n"), request)
        XCTAssertTrue(request.contains("\r\nConnection: close\r\n"), request)
        XCTAssertTrue(request.hasSuffix("\r\n\r\n"), request)
    }

    func testChunkedBodyArrivingInSlowPieces() throws {
        let whole = TestHTTPServer.chunked(Fixtures.imds, size: 100)
        var pieces: [[UInt8]] = []
        var rest = whole[...]
        while !rest.isEmpty {
            pieces.append(Array(rest.prefix(37)))
            rest = rest.dropFirst(37)
        }
        let server = try serve(.pieces(pieces, pauseMilliseconds: 2))
        let response = try HTTPClient(timeoutMilliseconds: 10_000).get(try url(server, "/metadata/instance/network"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), Fixtures.imds)
    }

    func testBodyDelimitedByClose() throws {
        let server = try serve(.respond(Array("HTTP/1.0 200 OK\r\n\r\n\(Fixtures.wireserver)".utf8)))
        XCTAssertEqual(String(decoding: try HTTPClient().fetch(try url(server)), as: UTF8.self), Fixtures.wireserver)
    }

    func testBadStatusCarriesTheCode() throws {
        let server = try serve(.respond(Array("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy".utf8)))
        XCTAssertThrowsError(try HTTPClient().fetch(try url(server))) { error in
            XCTAssertEqual(error as? HTTPError, .badStatus(code: 503, reason: "Service Unavailable"))
            XCTAssertEqual("\(error)", "HTTP status 503 Service Unavailable")
        }
        XCTAssertEqual(try HTTPClient().get(try url(server)).status, 503)
    }

    func testSilentServerTimesOutWithinTheDeadline() throws {
        let server = try serve(.silent)
        let start = MonotonicClock.seconds()
        XCTAssertThrowsError(try HTTPClient(timeoutMilliseconds: 300).fetch(try url(server))) { error in
            XCTAssertEqual(error as? HTTPError, .timeout(.receive, milliseconds: 300))
        }
        let elapsed = MonotonicClock.seconds() - start
        XCTAssertGreaterThanOrEqual(elapsed, 0.29)
        XCTAssertLessThan(elapsed, 2.0)
        XCTAssertEqual(server.requestCount, 1)
    }

    func testSlowTrickleCannotExtendTheDeadline() throws {
        let pieces = Array(repeating: Array("x".utf8), count: 50)
        let server = try serve(.pieces([Array("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n".utf8)] + pieces, pauseMilliseconds: 40))
        let start = MonotonicClock.seconds()
        XCTAssertThrowsError(try HTTPClient(timeoutMilliseconds: 300).fetch(try url(server))) { error in
            XCTAssertEqual(error as? HTTPError, .timeout(.receive, milliseconds: 300))
        }
        XCTAssertLessThan(MonotonicClock.seconds() - start, 1.0)
    }

    func testOversizedResponseIsRefused() throws {
        let server = try serve(.respond(Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + [UInt8](repeating: 0x41, count: 200_000)))
        XCTAssertThrowsError(try HTTPClient(maximumResponseSize: 100_000).fetch(try url(server))) { error in
            XCTAssertEqual(error as? HTTPError, .responseTooLarge(limit: 100_000))
        }
    }

    func testClosedPortIsConnectionRefused() throws {
        let port = try Self.closedPort()
        XCTAssertThrowsError(try HTTPClient().fetch(try HTTPURL(parsing: "http://127.0.0.1:\(port)/"))) { error in
            XCTAssertEqual(error as? HTTPError, .connectionRefused(endpoint: "127.0.0.1:\(port)"))
        }
    }

    /// A listener whose accept queue is full drops new SYNs: the connect itself must hit the deadline.
    func testConnectTimeout() throws {
        let listener = try Self.fullListener()
        defer { for fd in listener.fds { close(fd) } }
        let start = MonotonicClock.seconds()
        XCTAssertThrowsError(try HTTPClient(timeoutMilliseconds: 250).fetch(try HTTPURL(parsing: "http://127.0.0.1:\(listener.port)/"))) { error in
            XCTAssertEqual(error as? HTTPError, .timeout(.connect, milliseconds: 250))
        }
        XCTAssertLessThan(MonotonicClock.seconds() - start, 1.5)
    }

    func testHeaderInjectionIsRefused() throws {
        let url = try HTTPURL(parsing: "http://127.0.0.1:9/")
        XCTAssertThrowsError(try HTTPClient().fetch(url, headers: [HTTPHeader("X", "a\r\nEvil: 1")])) { error in
            XCTAssertEqual(error as? HTTPError, .invalidHeader("X"))
        }
        XCTAssertThrowsError(try HTTPClient().fetch(url, headers: [HTTPHeader("X: y", "1")]))
    }

    // MARK: Helpers

    static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return address
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw POSIXFailure("bind") }
        return UInt16(bigEndian: address.sin_port)
    }

    /// A listener with backlog 0 that never accepts, its queue filled by two connections.
    static func fullListener() throws -> (port: UInt16, fds: [Int32]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 0) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { close(fd); throw POSIXFailure("listen") }
        var fds = [fd]
        var target = address
        for _ in 0..<2 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            _ = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) } }
            fds.append(client)
        }
        usleep(50_000)
        return (UInt16(bigEndian: address.sin_port), fds)
    }
}
