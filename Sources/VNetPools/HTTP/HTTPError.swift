#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why an HTTP GET failed. Each case says what an operator needs to act: which phase timed out, which
/// endpoint refused, which status came back.
public enum HTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stage a deadline expired in.
    public enum Phase: String, Hashable, Sendable {
        case connect, send, receive
    }

    case invalidURL(String, reason: String)
    /// A request header with a character that would split the request (CR, LF) or an empty name.
    case invalidHeader(String)
    case timeout(Phase, milliseconds: Int)
    case connectionRefused(endpoint: String)
    /// Any other socket failure, with the system call and its errno.
    case network(operation: String, endpoint: String, errno: Int32)
    /// The server answered with a status other than 2xx.
    case badStatus(code: Int, reason: String)
    case malformedResponse(String)
    case responseTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .invalidURL(let text, let reason): return "URL \"\(text)\" is not supported: \(reason)"
        case .invalidHeader(let name): return "request header \"\(name)\" is invalid"
        case .timeout(let phase, let ms): return "timed out after \(ms) ms (while waiting to \(phase.rawValue))"
        case .connectionRefused(let endpoint): return "connection to \(endpoint) refused"
        case .network(let operation, let endpoint, let code):
            return "\(operation) \(endpoint): \(String(cString: strerror(code))) (errno \(code))"
        case .badStatus(let code, let reason): return "HTTP status \(code)\(reason.isEmpty ? "" : " \(reason)")"
        case .malformedResponse(let reason): return "malformed HTTP response: \(reason)"
        case .responseTooLarge(let limit): return "HTTP response larger than \(limit) bytes"
        }
    }
}
