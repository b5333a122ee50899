/// An error as the CNI spec prints it: JSON on stdout with a well-known or plugin-specific code.
public struct CNIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var msg: String
    public var details: String

    public init(_ code: Code, _ msg: String, details: String = "") {
        self.code = code.rawValue
        self.msg = msg
        self.details = details
    }

    public init(rawCode: Int, msg: String, details: String = "") {
        code = rawCode
        self.msg = msg
        self.details = details
    }

    public var description: String { details.isEmpty ? "\(msg) (code \(code))" : "\(msg): \(details) (code \(code))" }

    /// The spec's well-known codes, and vnet's own above 100.
    public enum Code: Int, Sendable {
        case incompatibleVersion = 1
        case unsupportedField = 2
        case unknownContainer = 3
        case invalidEnvironment = 4
        case ioFailure = 5
        case decodeFailure = 6
        case invalidConfig = 7
        case tryAgainLater = 11
        case notAvailable = 50
        case notAvailableDegraded = 51
        /// No address is free in the pool.
        case poolExhausted = 100
        /// maxPodsPerNode pods already hold addresses.
        case nodeLimitReached = 101
        /// The state file is corrupt; nothing is allocated until it is repaired.
        case stateCorrupt = 102
        /// The requested address is not in the pool, leased or cooling down.
        case requestedAddressUnavailable = 103
        /// A kernel operation (netlink, nftables) failed.
        case kernelFailure = 104
        /// A CHECK found the attachment different from what ADD made.
        case checkFailed = 105
        /// The node holds every pod of the reservation its agent was granted in the VNet registry.
        case vnetLimitReached = 106
        /// The public IP or host port an ADD asks for is held by another endpoint on the node.
        case translationTaken = 107
    }
}

import VNetModel

extension CNIError {
    /// A bad configuration value: code 7, the message naming the key.
    public init(_ error: ConfigError) {
        self.init(.invalidConfig, error.message, details: error.details)
    }
}
