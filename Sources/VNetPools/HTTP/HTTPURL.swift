import VNetModel

/// An `http://host[:port]/path?query` URL whose host is an IPv4 literal.
///
/// The pool's endpoints (the wireserver 168.63.129.16 and IMDS 169.254.169.254) are link-local or fixed
/// addresses reached over plain HTTP; supporting names would mean a resolver with its own timeouts inside
/// every CNI ADD, so names and https are refused with a message saying so.
public struct HTTPURL: Hashable, Sendable, CustomStringConvertible {
    public var host: IPv4Address
    public var port: UInt16
    /// The request target: path and query, always starting with "/".
    public var target: String

    public init(host: IPv4Address, port: UInt16 = 80, target: String = "/") {
        self.host = host
        self.port = port
        self.target = target.hasPrefix("/") ? target : "/" + target
    }

    /// Parses the URL; the error says which part is wrong.
    public init(parsing text: String) throws(HTTPError) {
        func fail(_ reason: String) -> HTTPError { .invalidURL(text, reason: reason) }
        let scheme = "http://"
        guard text.count <= 4096 else { throw fail("longer than 4096 characters") }
        guard text.utf8.count > scheme.utf8.count,
              String(text.prefix(scheme.count)).lowercased() == scheme else {
            throw fail("only http:// URLs are supported (the metadata endpoints are plain HTTP)")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        for scalar in rest.unicodeScalars where scalar.value <= 0x20 || scalar.value >= 0x7F {
            throw fail("contains a space, control or non-ASCII character")
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { throw fail("user information is not supported") }
        var hostText = authority
        var port: UInt16 = 80
        if let colon = authority.firstIndex(of: ":") {
            hostText = authority[..<colon]
            let portText = authority[authority.index(after: colon)...]
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65_535).contains(value) else {
                throw fail("port \"\(portText)\" is not a number between 1 and 65535")
            }
            port = UInt16(value)
        }
        guard !hostText.isEmpty else { throw fail("no host") }
        guard let host = IPv4Address(hostText) else {
            throw fail("host \"\(hostText)\" is not an IPv4 address (host names are not resolved)")
        }
        self.init(host: host, port: port, target: target)
    }

    /// "host:port", for messages and the Host header (":80" omitted there).
    public var endpoint: String { "\(host):\(port)" }

    public var hostHeader: String { port == 80 ? host.description : endpoint }

    public var description: String { "http://\(hostHeader)\(target)" }
}
