import VNetModel
import VNetPools
import VNetState

/// Why an IPAM operation failed. Front ends map each case to a CNI code.
public enum IPAMError: Error, Sendable, CustomStringConvertible {
    case config(ConfigError)
    case state(StateError)
    case allocation(AllocationError)
    case pool(PoolError)
    case source(PoolSourceError)
    /// CHECK found no lease, or a different one.
    case checkFailed(String)
    /// The node holds every pod of its granted VNet reservation (or was granted none yet).
    case vnetLimit(String)
    case injected(String)

    public var description: String {
        switch self {
        case .config(let error): return error.description
        case .state(let error): return error.description
        case .allocation(let error): return error.description
        case .pool(let error): return "invalid pool: \(error)"
        case .source(let error): return "pool source: \(error)"
        case .checkFailed(let reason), .vnetLimit(let reason): return reason
        case .injected(let point): return point
        }
    }

    /// Wraps whatever a state update's body threw.
    static func wrap(_ error: any Error) -> IPAMError {
        switch error {
        case let error as IPAMError: return error
        case let error as StateError: return .state(error)
        case let error as AllocationError: return .allocation(error)
        case let error as PoolError: return .pool(error)
        default: return .injected("\(error)")
        }
    }
}
