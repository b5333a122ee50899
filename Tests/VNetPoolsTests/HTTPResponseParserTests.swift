import XCTest
@testable import VNetPools

final class HTTPResponseParserTests: XCTestCase {
    func parse(_ text: String, limit: Int = 1 << 20) throws -> HTTPResponse {
        try HTTPResponseParser.parse(Array(text.utf8), maximumBodySize: limit)
    }

    func testContentLength() throws {
        let response = try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  spaced  \r\n\r\nhelloEXTRA")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.reason, "OK")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "hello")
        XCTAssertEqual(response.header("x-a"), "spaced")
        XCTAssertEqual(response.header("content-length"), "5")
    }

    func testChunkedWithExtensionsAndTrailers() throws {
        let response = try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nContent-Length: 999\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "hello 0123456789")
    }

    func testBodyUntilCloseAndBareLineFeeds() throws {
        let response = try parse("HTTP/1.0 200 OK\nServer: x\n\nall of it")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "all of it")
    }

    func testInterimResponsesAreSkippedAndNoBodyStatuses() throws {
        let response = try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(response.status, 204)
        XCTAssertTrue(response.body.isEmpty)
    }

    func testIncrementalFeedingByteByByte() throws {
        let text = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8)
        var parser = HTTPResponseParser()
        for (offset, byte) in text.enumerated() {
            XCTAssertNil(parser.response, "complete too early at \(offset)")
            try parser.feed([byte])
        }
        XCTAssertEqual(parser.response.map { String(decoding: $0.body, as: UTF8.self) }, "abcde")
    }

    func testMalformedResponses() {
        let cases: [(String, String)] = [
            ("", "closed without a response"),
            ("HTTP/1.1 200 OK\r\nContent-Le", "closed inside the response headers"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "before the body was complete"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "before the body was complete"),
            ("SSH-2.0-OpenSSH\r\n\r\n", "is not HTTP/1.x"),
            ("HTTP/2 200\r\n\r\n", "is not HTTP/1.x"),
            ("HTTP/1.1 2000 OK\r\n\r\n", "is not three digits"),
            ("HTTP/1.1 abc OK\r\n\r\n", "is not three digits"),
            ("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "has no valid name"),
            ("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "has no valid name"),
            ("HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", "folded header"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "invalid Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "invalid Content-Length"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "unsupported transfer coding"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size line"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n", "chunk size line"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "longer than its declared size"),
            ("HTTP/1.1 101 Switching\r\n\r\n", "protocol switch"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try parse(text), text.debugDescription) { error in
                guard case HTTPError.malformedResponse(let reason) = error else { return XCTFail("\(text.debugDescription): \(error)") }
                XCTAssertTrue(reason.contains(expected), "\(text.debugDescription): got \(reason), expected \(expected)")
            }
        }
    }

    func testSizeCaps() {
        for text in ["HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n",
                     "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 11)] {
            XCTAssertThrowsError(try parse(text, limit: 10), text.debugDescription) { error in
                XCTAssertEqual(error as? HTTPError, .responseTooLarge(limit: 10))
            }
        }
        let hugeHeader = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: \(String(repeating: "p", count: 1000))\r\n", count: 70)
        XCTAssertThrowsError(try parse(hugeHeader)) { error in
            guard case HTTPError.malformedResponse(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("headers larger than"), reason)
        }
        XCTAssertThrowsError(try parse("HTTP/1.1 200 OK\r\nX: " + String(repeating: "y", count: 20_000))) { error in
            guard case HTTPError.malformedResponse(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("longer than"), reason)
        }
    }

    func testGarbageNeverCrashes() {
        var random = SplitMix(seed: 7)
        let seeds = [TestHTTPServer.chunked(Fixtures.imds, size: 17), TestHTTPServer.ok(Fixtures.wireserver)]
        let alphabet = Array("\r\n :;0123456789abcdefHTTP/1.chunkedContent-Length".utf8) + [0x00, 0xFF]
        for round in 0..<3_000 {
            var bytes = seeds[round % 2]
            for _ in 0..<(1 + random.below(6)) {
                let position = random.below(bytes.count + 1)
                switch random.below(3) {
                case 0: if position < bytes.count { bytes[position] = alphabet[random.below(alphabet.count)] }
                case 1: bytes.insert(alphabet[random.below(alphabet.count)], at: position)
                default: bytes = Array(bytes.prefix(position))
                }
            }
            var parser = HTTPResponseParser(maximumBodySize: 4096)
            var offset = 0
            do {
                while offset < bytes.count {
                    let size = 1 + random.below(64)
                    try parser.feed(Array(bytes[offset..<min(bytes.count, offset + size)]))
                    offset += size
                }
                let response = try parser.finish()
                XCTAssertLessThanOrEqual(response.body.count, 4096)
            } catch {
                XCTAssertFalse(error.description.isEmpty)
            }
        }
    }
}
