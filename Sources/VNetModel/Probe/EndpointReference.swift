/// How an operator names an attached pod on the command line: `namespace/name` as the runtime reported it,
/// a bare pod name when only one pod has it, or a container ID (a unique prefix of at least 6 characters is
/// enough, as with docker). Resolved against the endpoints the state records.
public struct EndpointReference: Hashable, Sendable, CustomStringConvertible {
    public static let minimumPrefix = 6

    public var text: String

    public init(_ text: String) { self.text = text }

    public var description: String { text }

    /// Why a reference names no single endpoint.
    public enum LookupError: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        case notFound(String)
        case ambiguous(String, candidates: [String])

        public var description: String {
            switch self {
            case .empty: return "name a pod (namespace/name) or a container ID"
            case .notFound(let text): return "no attached pod or container matches \"\(text)\" (see vnetctl endpoints)"
            case .ambiguous(let text, let candidates):
                return "\"\(text)\" matches \(candidates.count) endpoints: \(candidates.joined(separator: ", ")); be more specific"
            }
        }
    }

    /// The one endpoint this reference names. Exact matches win over prefixes: a pod named like the start
    /// of a container ID is still found by its name.
    public func resolve(in endpoints: [Endpoint]) throws(LookupError) -> Endpoint {
        guard !text.isEmpty else { throw .empty }
        let exact = endpoints.filter { e in
            e.key.containerID == text || e.pod.display == text || e.key.description == text
                || (e.pod.name == text && e.pod.name != nil)
        }
        if let only = try single(exact) { return only }
        guard text.utf8.count >= Self.minimumPrefix else { throw .notFound(text) }
        let prefixed = endpoints.filter { $0.key.containerID.hasPrefix(text) }
        if let only = try single(prefixed) { return only }
        throw .notFound(text)
    }

    private func single(_ matches: [Endpoint]) throws(LookupError) -> Endpoint? {
        if matches.count > 1 {
            throw .ambiguous(text, candidates: matches.map { "\($0.pod.display) (\(String($0.key.containerID.prefix(12))))" }.sorted())
        }
        return matches.first
    }
}
