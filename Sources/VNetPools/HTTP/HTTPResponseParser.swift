/// An incremental HTTP/1.x response parser: feed it bytes as they arrive, ask whether the response is
/// complete, and call `finish()` when the peer closes.
///
/// Kept apart from the socket code so that every framing rule (Content-Length, chunked, read-until-close,
/// interim 1xx responses, size caps) is a pure function of bytes, testable and fuzzable without a network.
/// It never traps on hostile input: every index is bounds-checked and every size is capped.
public struct HTTPResponseParser: Sendable {
    public static let defaultMaximumBodySize = 4 << 20
    public static let maximumHeadSize = 64 << 10
    static let maximumLineLength = 8 << 10

    private enum Stage: Sendable {
        case statusLine, headers
        case fixed(remaining: Int)
        case chunkSize, chunkData(remaining: Int), chunkDataEnd, trailers
        case untilClose, done
    }

    public let maximumBodySize: Int
    private var stage = Stage.statusLine
    private var pending: [UInt8] = []
    private var cursor = 0
    private var headBytes = 0
    private var status = 0
    private var reason = ""
    private var headers: [HTTPHeader] = []
    private var body: [UInt8] = []

    public init(maximumBodySize: Int = HTTPResponseParser.defaultMaximumBodySize) {
        self.maximumBodySize = max(0, maximumBodySize)
    }

    /// The response, once the framing says it is complete (before the peer closes).
    public var response: HTTPResponse? {
        if case .done = stage { return HTTPResponse(status: status, reason: reason, headers: headers, body: body) }
        return nil
    }

    /// Parses a whole response stream, as if the peer closed after the last byte.
    public static func parse(_ bytes: [UInt8], maximumBodySize: Int = defaultMaximumBodySize) throws(HTTPError) -> HTTPResponse {
        var parser = HTTPResponseParser(maximumBodySize: maximumBodySize)
        try parser.feed(bytes)
        return try parser.finish()
    }

    /// Consumes `bytes`. Throws as soon as the stream cannot be a valid response.
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPError) {
        if case .done = stage { return }
        pending.append(contentsOf: bytes)
        while try step() {}
        if cursor >= pending.count {
            pending.removeAll(keepingCapacity: true)
            cursor = 0
        } else if cursor > 65_536 {
            pending.removeFirst(cursor)
            cursor = 0
        }
    }

    /// The peer closed the connection: returns the response, or throws when the framing was incomplete.
    public mutating func finish() throws(HTTPError) -> HTTPResponse {
        if case .untilClose = stage { stage = .done }
        guard let response else {
            switch stage {
            case .statusLine where pending.count == cursor && headBytes == 0:
                throw .malformedResponse("the connection closed without a response")
            case .statusLine, .headers:
                throw .malformedResponse("the connection closed inside the response headers")
            default:
                throw .malformedResponse("the connection closed before the body was complete")
            }
        }
        return response
    }

    private var available: Int { pending.count - cursor }

    /// One parsing step; false when more input is needed (or the response is done).
    private mutating func step() throws(HTTPError) -> Bool {
        switch stage {
        case .statusLine:
            guard let line = try nextLine(head: true) else { return false }
            if line.isEmpty && status == 0 && headers.isEmpty { return true }  // tolerate a leading blank line
            try parseStatusLine(line)
            stage = .headers
            return true
        case .headers:
            guard let line = try nextLine(head: true) else { return false }
            if line.isEmpty { try endOfHead() } else { try parseHeader(line) }
            return true
        case .fixed(let remaining):
            let take = min(remaining, available)
            guard take > 0 else { return false }
            body.append(contentsOf: pending[cursor..<cursor + take])
            cursor += take
            stage = remaining - take == 0 ? .done : .fixed(remaining: remaining - take)
            return true
        case .untilClose:
            guard available > 0 else { return false }
            guard body.count + available <= maximumBodySize else { throw .responseTooLarge(limit: maximumBodySize) }
            body.append(contentsOf: pending[cursor...])
            cursor = pending.count
            return false
        case .chunkSize:
            guard let line = try nextLine(head: false) else { return false }
            let size = try Self.chunkSize(line)
            guard body.count + size <= maximumBodySize else { throw .responseTooLarge(limit: maximumBodySize) }
            stage = size == 0 ? .trailers : .chunkData(remaining: size)
            return true
        case .chunkData(let remaining):
            let take = min(remaining, available)
            guard take > 0 else { return false }
            body.append(contentsOf: pending[cursor..<cursor + take])
            cursor += take
            stage = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            return true
        case .chunkDataEnd:
            guard let line = try nextLine(head: false) else { return false }
            guard line.isEmpty else { throw .malformedResponse("chunk data longer than its declared size") }
            stage = .chunkSize
            return true
        case .trailers:
            guard let line = try nextLine(head: false) else { return false }
            if line.isEmpty { stage = .done; return false }
            return true
        case .done:
            return false
        }
    }

    /// The next line without its LF (and CR), or nil when no complete line has arrived yet.
    private mutating func nextLine(head: Bool) throws(HTTPError) -> ArraySlice<UInt8>? {
        guard let newline = pending[cursor...].firstIndex(of: UInt8(ascii: "\n")) else {
            if available > Self.maximumLineLength { throw .malformedResponse("a line longer than \(Self.maximumLineLength) bytes") }
            if head && headBytes + available > Self.maximumHeadSize { throw .malformedResponse("headers larger than \(Self.maximumHeadSize) bytes") }
            return nil
        }
        var line = pending[cursor..<newline]
        let consumed = newline + 1 - cursor
        if head {
            headBytes += consumed
            if headBytes > Self.maximumHeadSize { throw .malformedResponse("headers larger than \(Self.maximumHeadSize) bytes") }
        }
        if line.count > Self.maximumLineLength { throw .malformedResponse("a line longer than \(Self.maximumLineLength) bytes") }
        cursor = newline + 1
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return line
    }

    private mutating func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTPError) {
        let text = Self.latin1(line)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0" else {
            throw .malformedResponse("status line \"\(Self.excerpt(text))\" is not HTTP/1.x")
        }
        guard parts[1].count == 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let code = Int(parts[1]),
              (100...999).contains(code) else {
            throw .malformedResponse("status code \"\(Self.excerpt(String(parts[1])))\" is not three digits")
        }
        status = code
        reason = parts.count == 3 ? String(parts[2]) : ""
    }

    private mutating func parseHeader(_ line: ArraySlice<UInt8>) throws(HTTPError) {
        guard headers.count < 256 else { throw .malformedResponse("more than 256 headers") }
        guard let first = line.first, first != UInt8(ascii: " "), first != UInt8(ascii: "\t") else {
            throw .malformedResponse("folded header lines are not allowed")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
              line[line.startIndex..<colon].allSatisfy(Self.isTokenByte) else {
            throw .malformedResponse("header line \"\(Self.excerpt(Self.latin1(line)))\" has no valid name")
        }
        let name = Self.latin1(line[line.startIndex..<colon])
        let value = Self.latin1(line[(colon + 1)...]).trimmingASCIISpacesAndTabs()
        headers.append(HTTPHeader(name, value))
    }

    /// The blank line after the headers: decides how the body is framed.
    private mutating func endOfHead() throws(HTTPError) {
        if (100..<200).contains(status) {
            // An interim response (100 Continue, 103 Early Hints): the real one follows.
            guard status != 101 else { throw .malformedResponse("unexpected protocol switch (101)") }
            status = 0; reason = ""; headers = []; headBytes = 0
            stage = .statusLine
            return
        }
        if status == 204 || status == 304 { stage = .done; return }
        let encodings = headers.filter { $0.name.lowercased() == "transfer-encoding" }
            .flatMap { $0.value.split(separator: ",") }
            .map { String($0).trimmingASCIISpacesAndTabs().lowercased() }
            .filter { !$0.isEmpty }
        if !encodings.isEmpty {
            guard encodings == ["chunked"] else {
                throw .malformedResponse("unsupported transfer coding \"\(Self.excerpt(encodings.joined(separator: ", ")))\"")
            }
            stage = .chunkSize
            return
        }
        let lengths = headers.filter { $0.name.lowercased() == "content-length" }
            .flatMap { $0.value.split(separator: ",", omittingEmptySubsequences: false) }
            .map { String($0).trimmingASCIISpacesAndTabs() }
        guard let first = lengths.first else { stage = .untilClose; return }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.count <= 18,
              first.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(first) else {
            throw .malformedResponse("invalid Content-Length \"\(Self.excerpt(lengths.joined(separator: ", ")))\"")
        }
        guard length <= maximumBodySize else { throw .responseTooLarge(limit: maximumBodySize) }
        stage = length == 0 ? .done : .fixed(remaining: length)
    }

    /// The size of a chunk from its line ("1a3f" or "1a3f;name=value").
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPError) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }.reversed().drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.reversed()
        guard !digits.isEmpty, digits.count <= 15 else {
            throw .malformedResponse("chunk size line \"\(excerpt(latin1(line)))\" is invalid")
        }
        var size = 0
        for byte in digits {
            guard let digit = hexValue(byte) else {
                throw .malformedResponse("chunk size line \"\(excerpt(latin1(line)))\" is invalid")
            }
            size = size * 16 + digit
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// RFC 9110 token characters, the only ones allowed in a header name.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// Header bytes as text: ISO-8859-1 maps every byte to a character, so no input is rejected for encoding.
    private static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    private static func excerpt(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(80)) + "..."
    }
}

extension String {
    func trimmingASCIISpacesAndTabs() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
