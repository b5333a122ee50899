/// Why a metadata document (wireserver XML, IMDS JSON) cannot give a pool: not parseable, not the shape we
/// know, or no interface matching the configuration.
public struct PoolDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// "wireserver" or "imds".
    public var source: String
    public var reason: String

    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source) document: \(reason)" }
}
