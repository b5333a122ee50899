/// A `namespace/name` pattern with `*` (any run of characters) and `?` (one character), as shells match
/// file names: `web/*`, `*/api-?`.
public struct PodGlob: Hashable, Sendable, CustomStringConvertible {
    public let pattern: String
    private let scalars: [Unicode.Scalar]

    /// nil for an empty pattern or one without exactly one `/`.
    public init?(_ pattern: String) {
        guard !pattern.isEmpty, pattern.filter({ $0 == "/" }).count == 1 else { return nil }
        self.pattern = pattern
        scalars = Array(pattern.unicodeScalars)
    }

    public var description: String { pattern }

    public func matches(_ identity: String) -> Bool {
        let text = Array(identity.unicodeScalars)
        // Iterative matching with one backtrack point: linear in practice, never exponential.
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < scalars.count, scalars[p] == "?" || scalars[p] == text[t] {
                p += 1; t += 1
            } else if p < scalars.count, scalars[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < scalars.count, scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }
}
