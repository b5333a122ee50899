/// A `pool` configuration value that cannot be used. The message names the key and the bad value
/// (`pool.subnet "10.240.0.0/33" is not a valid IPv4 prefix`), so the CNI layer can pass it on as is.
public struct PoolConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The full key, e.g. "pool.subnet" or "pool.addresses[2]".
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { message }
}
