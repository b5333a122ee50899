/// CNI_ARGS: `K=V;K=V`, as runtimes send it (`IgnoreUnknown=1;K8S_POD_NAMESPACE=..;K8S_POD_NAME=..`).
public struct CNIArgs: Sendable, Hashable {
    public private(set) var pairs: [(key: String, value: String)] = []

    public init() {}

    /// Parses `text`; a part without "=" or with an empty key is an error naming it.
    public init(parsing text: String) throws(CNIError) {
        for part in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = part.firstIndex(of: "=") else {
                throw CNIError(.invalidEnvironment, "invalid CNI_ARGS", details: "\"\(part)\" is not KEY=VALUE")
            }
            let key = String(part[..<equals])
            guard !key.isEmpty else {
                throw CNIError(.invalidEnvironment, "invalid CNI_ARGS", details: "\"\(part)\" has an empty key")
            }
            pairs.append((key, String(part[part.index(after: equals)...])))
        }
    }

    public subscript(key: String) -> String? { pairs.last { $0.key == key }?.value }

    public static func == (lhs: CNIArgs, rhs: CNIArgs) -> Bool {
        lhs.pairs.map { "\($0.key)=\($0.value)" } == rhs.pairs.map { "\($0.key)=\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        for pair in pairs { hasher.combine(pair.key); hasher.combine(pair.value) }
    }
}
