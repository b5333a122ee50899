import Foundation
import Glibc
import XCTest
import VNetModel
import VNetSystem
@testable import VNetPools

/// The loader end to end: metadata documents served over HTTP on 127.0.0.1, the cache in a temporary
/// directory, time controlled through `now`.
final class PoolLoaderTests: XCTestCase {
    var directory: TemporaryDirectory!
    var servers: [TestHTTPServer] = []
    let t0 = Date(timeIntervalSince1970: 1_700_000_000.25)

    override func setUpWithError() throws { directory = try TemporaryDirectory() }

    override func tearDown() {
        for server in servers { server.stop() }
        servers = []
        directory.remove()
    }

    func serve(_ behavior: TestHTTPServer.Behavior) throws -> TestHTTPServer {
        let server = try TestHTTPServer(behavior)
        servers.append(server)
        return server
    }

    func config(_ source: String, _ server: TestHTTPServer, extra: String = "") throws -> PoolSourceConfig {
        let path = source == "imds" ? "/metadata/instance/network?api-version=2021-02-01"
            : "/machine/plugins?comp=nmagent&type=getinterfaceinfov1"
        return try PoolSourceConfig.parse(json: Array(#"{"source": "\#(source)", "url": "\#(server.url)\#(path)", "timeoutMilliseconds": 300\#(extra)}"#.utf8))
    }

    func load(_ config: PoolSourceConfig, at seconds: Double = 0, policy: PoolLoader.Policy = .whenStale) throws -> LoadedPool {
        try PoolLoader(cacheDirectory: directory.path, now: t0.addingTimeInterval(seconds)).load(config, policy: policy)
    }

    func testWireserverPoolIsFetchedCachedAndServedWithinTTL() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver, contentType: "text/xml")))
        let config = try config("wireserver", server, extra: #", "exclude": ["10.240.0.6"]"#)

        let first = try load(config)
        XCTAssertEqual(first.definition.addresses, ["10.240.0.5", "10.240.0.6", "10.240.0.7", "10.240.0.8"])
        XCTAssertEqual(first.definition.primaryAddresses, [IPv4Address("10.240.0.4")!])
        XCTAssertEqual(first.definition.dns?.nameservers, ["168.63.129.16"])
        XCTAssertEqual(first.definition.exclude, ["10.240.0.6"])
        XCTAssertEqual(first.info, PoolSourceInfo(kind: "wireserver", fetchedAt: t0, servedFromCache: false))
        XCTAssertEqual(try Pool(first.definition).addresses.map(\.description), ["10.240.0.5", "10.240.0.7", "10.240.0.8"])
        XCTAssertFalse(server.requests[0].contains("Metadata:"), "the wireserver gets no IMDS header")
        XCTAssertEqual(server.requestCount, 1)

        // Within the TTL: no request at all, same answer, the original fetch time.
        let second = try load(config, at: 299)
        XCTAssertEqual(server.requestCount, 1)
        XCTAssertEqual(second.definition, first.definition)
        XCTAssertEqual(second.info.fetchedAt, t0)

        // Past it: one request, a new fetch time.
        let third = try load(config, at: 300)
        XCTAssertEqual(server.requestCount, 2)
        XCTAssertEqual(third.info.fetchedAt, t0.addingTimeInterval(300))

        // A clock that went back makes the entry's age unknown: ask again.
        _ = try load(config, at: -10)
        XCTAssertEqual(server.requestCount, 3)
    }

    func testIMDSSendsTheMetadataHeaderAndUsesTheFirstAddressAsPrimary() throws {
        let server = try serve(.respond(TestHTTPServer.chunked(Fixtures.imds, size: 64)))
        let loaded = try load(try config("imds", server, extra: #", "dns": {"nameservers": ["10.0.0.10"]}"#))
        XCTAssertTrue(server.requests[0].contains("\r\nMetadata: true\r\n"), server.requests[0])
        XCTAssertTrue(server.requests[0].hasPrefix("GET /metadata/instance/network?api-version=2021-02-01 HTTP/1.1"))
        XCTAssertEqual(loaded.definition.addresses, ["10.240.0.5", "10.240.0.6"])
        XCTAssertEqual(loaded.definition.primaryAddresses, [IPv4Address("10.240.0.4")!])
        XCTAssertEqual(loaded.definition.dns?.nameservers, ["10.0.0.10"], "the configured DNS wins")
        XCTAssertEqual(loaded.info.kind, "imds")
    }

    func testTimeoutPastTTLServesTheCache() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver)))
        let config = try config("wireserver", server, extra: #", "cacheTTLSeconds": 60"#)
        let fresh = try load(config)

        server.setBehavior(.silent)
        let start = MonotonicClock.seconds()
        let stale = try load(config, at: 61)
        XCTAssertLessThan(MonotonicClock.seconds() - start, 2.0)
        XCTAssertEqual(server.requestCount, 2)
        XCTAssertEqual(stale.definition, fresh.definition)
        XCTAssertTrue(stale.info.servedFromCache)
        XCTAssertEqual(stale.info.fetchedAt, t0)
        XCTAssertTrue(stale.info.error?.contains("timed out after 300 ms") == true, "\(stale.info)")
        XCTAssertTrue(stale.info.error?.contains(server.url) == true, "\(stale.info)")

        // Right after a failure, loads answer from the cache without waiting out another timeout...
        let quick = MonotonicClock.seconds()
        let backedOff = try load(config, at: 61 + 29)
        XCTAssertLessThan(MonotonicClock.seconds() - quick, 0.2)
        XCTAssertEqual(server.requestCount, 2)
        XCTAssertTrue(backedOff.info.servedFromCache)
        XCTAssertEqual(backedOff.info.error, stale.info.error)

        // ...and one load per retry interval asks again.
        _ = try load(config, at: 61 + 30)
        XCTAssertEqual(server.requestCount, 3)

        // The source is back: a fresh answer, and the failure is forgotten.
        server.setBehavior(.respond(TestHTTPServer.ok(Fixtures.wireserver)))
        let recovered = try load(config, at: 61 + 60)
        XCTAssertEqual(server.requestCount, 4)
        XCTAssertFalse(recovered.info.servedFromCache)
        XCTAssertNil(recovered.info.error)
        XCTAssertEqual(recovered.info.fetchedAt, t0.addingTimeInterval(121))
        let entry = try JSONDecoder().decode(PoolCache.Entry.self, from: Data(contentsOf: URL(fileURLWithPath: directory.file(PoolCache.fileName))))
        XCTAssertNil(entry.failedAt)
        XCTAssertNil(entry.failure)
    }

    func testRefusedOrBadDocumentServesTheCache() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.imds)))
        let config = try config("imds", server, extra: #", "cacheTTLSeconds": 0"#)
        let fresh = try load(config)

        server.setBehavior(.respond(TestHTTPServer.ok("<html>maintenance</html>")))
        let badDocument = try load(config, at: 1)
        XCTAssertTrue(badDocument.info.servedFromCache)
        XCTAssertTrue(badDocument.info.error?.contains("imds document: not valid JSON") == true, "\(badDocument.info)")
        XCTAssertEqual(badDocument.definition, fresh.definition)

        server.setBehavior(.respond(Array("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n".utf8)))
        XCTAssertTrue(try load(config, at: 2).info.error?.contains("HTTP status 500") == true)

        let port = try HTTPClientTests.closedPort()
        var closed = config
        guard case .imds(var endpoint) = closed.source else { return XCTFail() }
        endpoint.url.port = port
        closed.source = .imds(endpoint)
        // Another URL is another question: the cache of the first does not answer it.
        XCTAssertThrowsError(try load(closed, at: 3)) { error in
            guard case PoolSourceError.unavailable(let source, _, .http(.connectionRefused)) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(source, "imds")
            XCTAssertTrue((error as? PoolSourceError)?.isTransient == true)
            XCTAssertTrue("\(error)".hasSuffix("(no cached pool to fall back on)"), "\(error)")
        }
    }

    func testNoCacheAndSourceDownIsATypedError() throws {
        let server = try serve(.silent)
        XCTAssertThrowsError(try load(try config("wireserver", server))) { error in
            guard case PoolSourceError.unavailable("wireserver", _, .http(.timeout(.receive, milliseconds: 300))) = error else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertFalse(Files.exists(directory.file(PoolCache.fileName)))
    }

    func testRefreshIgnoresTheTTLAndCacheOnlyNeverAsks() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver)))
        let config = try config("wireserver", server)
        XCTAssertThrowsError(try load(config, policy: .cacheOnly)) { error in
            guard case PoolSourceError.noCache("wireserver", _, "nothing cached yet") = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(server.requestCount, 0)
        _ = try load(config)
        _ = try PoolLoader(cacheDirectory: directory.path, now: t0.addingTimeInterval(5)).refresh(config)
        XCTAssertEqual(server.requestCount, 2)
        let cached = try load(config, at: 10_000, policy: .cacheOnly)
        XCTAssertEqual(server.requestCount, 2)
        XCTAssertEqual(cached.info.fetchedAt, t0.addingTimeInterval(5))
        XCTAssertFalse(cached.info.servedFromCache)
    }

    func testCacheFileIsAtomicPrivateAndKeyedByInterface() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver)))
        let primary = try config("wireserver", server)
        _ = try load(primary)
        let path = directory.file(PoolCache.fileName)
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(Files.list(directory.path), [PoolCache.fileName], "no temporary file left behind")
        let entry = try JSONDecoder().decode(PoolCache.Entry.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(entry.fetchedAt, t0.timeIntervalSince1970)
        XCTAssertEqual(entry.interface, "002248263DBD")
        XCTAssertNil(entry.macAddress)

        // Another MAC is another question: asked, not answered from the cache of the primary NIC.
        let other = try config("wireserver", server, extra: #", "macAddress": "00:22:48:26:AA:AA""#)
        XCTAssertEqual(try load(other, at: 1).definition.addresses, ["10.241.0.9"])
        XCTAssertEqual(server.requestCount, 2)

        // A temporary file of a dead writer is swept on the next write.
        try directory.write("\(PoolCache.fileName).tmp.999999999", "torn")
        _ = try load(other, policy: .refresh)
        XCTAssertEqual(Files.list(directory.path), [PoolCache.fileName])
    }

    func testCorruptCacheIsIgnored() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver)))
        let config = try config("wireserver", server)
        try directory.write(PoolCache.fileName, "\0\0\0\0")
        XCTAssertThrowsError(try load(config, policy: .cacheOnly)) { error in
            XCTAssertTrue("\(error)".contains("not a valid cache entry"), "\(error)")
        }
        XCTAssertEqual(try load(config).definition.addresses.count, 4)
        XCTAssertEqual(server.requestCount, 1)
        server.setBehavior(.silent)
        XCTAssertTrue(try load(config, at: 1_000).info.servedFromCache, "the rewritten cache answers")
    }

    func testUnwritableCacheDirectoryStillServesTheFetch() throws {
        let server = try serve(.respond(TestHTTPServer.ok(Fixtures.wireserver)))
        let loaded = try PoolLoader(cacheDirectory: directory.file("missing"), now: t0).load(try config("wireserver", server))
        XCTAssertEqual(loaded.definition.addresses.count, 4)
        XCTAssertFalse(loaded.info.servedFromCache)
        XCTAssertTrue(loaded.info.error?.contains("cache could not be written") == true, "\(loaded.info)")
    }

    func testFileSource() throws {
        let path = directory.file("pool.json")
        let config = try PoolSourceConfig.parse(json: Array(#"{"source": "file", "path": "\#(path)", "exclude": ["10.240.0.12"]}"#.utf8))
        XCTAssertThrowsError(try load(config)) { error in
            XCTAssertEqual(error as? PoolSourceError, .fileMissing(path: path))
        }
        try directory.write("pool.json", """
        {"subnet": "10.240.0.0/16", "addresses": ["10.240.0.10-10.240.0.14"], "exclude": ["10.240.0.11"],
         "primaryAddresses": ["10.240.0.13"], "dns": {"nameservers": ["168.63.129.16"]}}
        """)
        let loaded = try load(config)
        XCTAssertEqual(loaded.definition.exclude, ["10.240.0.11", "10.240.0.12"])
        XCTAssertEqual(try Pool(loaded.definition).addresses.map(\.description), ["10.240.0.10", "10.240.0.14"])
        XCTAssertEqual(loaded.info.kind, "file")
        let modified = try XCTUnwrap(loaded.info.fetchedAt)
        XCTAssertLessThan(abs(modified.timeIntervalSinceNow), 60, "fetchedAt is the file's modification time")

        try directory.write("pool.json", #"{"subnet": "10.240.0.0/33", "addresses": []}"#)
        XCTAssertThrowsError(try load(config)) { error in
            XCTAssertEqual("\(error)", #"invalid pool file: \#(path): subnet "10.240.0.0/33" is not a valid IPv4 prefix (a.b.c.d/len)"#)
            XCTAssertEqual((error as? PoolSourceError)?.isTransient, false)
        }
        try directory.write("pool.json", "{oops")
        XCTAssertThrowsError(try load(config)) { error in
            XCTAssertTrue("\(error)".contains("is not valid JSON"), "\(error)")
        }
    }
}
