import CNI
import VNetIPAM
import VNetModel
import VNetPools
import VNetState

extension CNIError {
    /// The CNI code for each IPAM failure: transient ones (lock, unreachable source) are 11 so runtimes retry.
    public init(_ error: IPAMError) {
        switch error {
        case .config(let error): self.init(error)
        case .pool(let error): self.init(.invalidConfig, "invalid pool", details: error.description)
        case .source(let error):
            // Unreachable metadata is transient (retry); a missing or malformed pool file is configuration.
            if error.isTransient {
                self.init(.tryAgainLater, "pool source unavailable", details: error.description)
            } else {
                self.init(.invalidConfig, "pool source unusable", details: error.description)
            }
        case .allocation(let error):
            switch error {
            case .nodeLimitReached: self.init(.nodeLimitReached, error.description)
            case .poolExhausted: self.init(.poolExhausted, error.description)
            default: self.init(.requestedAddressUnavailable, error.description)
            }
        case .state(let error):
            switch error {
            case .lockTimeout: self.init(.tryAgainLater, error.description)
            case .corrupt, .noBackup: self.init(.stateCorrupt, error.description)
            case .invalidNetworkName: self.init(.invalidConfig, error.description)
            case .unsafe, .io: self.init(.ioFailure, error.description)
            }
        case .checkFailed(let reason): self.init(.checkFailed, reason)
        case .vnetLimit(let reason): self.init(.vnetLimitReached, reason)
        case .injected(let point): self.init(.ioFailure, point)
        }
    }
}
