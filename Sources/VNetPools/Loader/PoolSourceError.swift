import VNetSystem

/// Why a metadata request gave no usable pool: the HTTP exchange failed or the document was unusable.
public enum MetadataFailure: Error, Hashable, Sendable, CustomStringConvertible {
    case http(HTTPError)
    case document(PoolDocumentError)

    public var description: String {
        switch self {
        case .http(let error): return error.description
        case .document(let error): return error.description
        }
    }
}

/// Why no pool definition could be produced. The CNI layer answers these with "try again later" (code 11):
/// a metadata endpoint that is down or a pool file not yet written are conditions that pass.
public enum PoolSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A metadata source failed and there is no cached answer to fall back on.
    case unavailable(source: String, url: String, failure: MetadataFailure)
    /// The cache was asked for alone (`PoolLoader.Policy.cacheOnly`) and holds nothing usable.
    case noCache(source: String, path: String, reason: String)
    case fileMissing(path: String)
    case fileUnreadable(path: String, SystemError)
    /// The pool file is not JSON, or a field is wrong; the reason names the field and value.
    case invalidFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unavailable(let source, let url, let failure):
            return "\(source) \(url): \(failure) (no cached pool to fall back on)"
        case .noCache(let source, let path, let reason):
            return "no cached \(source) pool at \(path): \(reason)"
        case .fileMissing(let path): return "pool file \(path) does not exist"
        case .fileUnreadable(let path, let error): return "pool file \(path) cannot be read: \(error)"
        case .invalidFile(_, let reason): return "invalid pool file: \(reason)"
        }
    }

    /// True when retrying later can succeed without anyone changing the configuration.
    public var isTransient: Bool {
        switch self {
        case .unavailable, .noCache, .fileMissing, .fileUnreadable: return true
        case .invalidFile: return false
        }
    }
}
