import CNI
import IPAMCNI
import VNetIPAM
import VNetOperations

extension CNIError {
    /// The CNI code of each operation failure; the message names the failed step.
    init(_ error: OperationError) {
        switch error.kind {
        case .ipam(let ipam):
            let inner = CNIError(ipam)
            self.init(rawCode: inner.code, msg: error.step.isEmpty ? inner.msg : "step \(error.step) failed: \(inner.msg)",
                      details: ([inner.details] + error.rollbackProblems).filter { !$0.isEmpty }.joined(separator: "; "))
        case .delegated(let code): self.init(rawCode: code, msg: error.description)
        case .config: self.init(.invalidConfig, error.description)
        case .kernel, .nat: self.init(.kernelFailure, error.description)
        case .state(let state): self.init(rawCode: CNIError(IPAMError.state(state)).code, msg: error.description)
        case .notFound: self.init(.unknownContainer, error.description)
        case .refused: self.init(.invalidConfig, error.description)
        case .taken: self.init(.translationTaken, error.description)
        case .checkFailed: self.init(.checkFailed, error.description)
        case .unavailable: self.init(.notAvailable, error.description)
        }
    }
}

extension CNIError: CodedError {
    public var protocolCode: Int { code }
}
