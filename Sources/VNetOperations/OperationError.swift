import VNetIPAM
import VNetModel
import VNetState

/// Why an operation failed, and at which step. Front ends map it to CNI codes or exit codes.
public struct OperationError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        case config
        case ipam(IPAMError)
        case kernel
        case nat
        case state(StateError)
        case notFound
        case refused
        /// A public IP or host port another endpoint holds (CNI code 107).
        case taken
        case checkFailed
        case unavailable
        /// A delegated plugin's error, passed through with its code.
        case delegated(code: Int)
    }

    public var kind: Kind
    /// The ADD/DEL step that failed ("veth", "pod-address", ...), or "" outside a stepped operation.
    public var step: String
    public var message: String
    /// Problems undoing earlier steps, if any: reported so an operator can clean up by hand.
    public var rollbackProblems: [String] = []

    public init(_ kind: Kind, step: String = "", _ message: String) {
        self.kind = kind
        self.step = step
        self.message = message
    }

    public var description: String {
        var text = step.isEmpty ? message : "step \(step) failed: \(message)"
        if !rollbackProblems.isEmpty { text += "; rollback incomplete: " + rollbackProblems.joined(separator: "; ") }
        return text
    }

    /// A refusal to act (a target that changed, a pod in use), as opposed to a failure while acting.
    public var isRefusal: Bool {
        if case .refused = kind { return true }
        return false
    }

    /// Wraps any error thrown inside step `step`.
    static func wrap(_ error: any Error, step: String) -> OperationError {
        switch error {
        case var error as OperationError:
            if error.step.isEmpty { error.step = step }
            return error
        case let error as IPAMError: return OperationError(.ipam(error), step: step, error.description)
        case let error as StateError: return OperationError(.state(error), step: step, error.description)
        case let error as any CodedError: return OperationError(.delegated(code: error.protocolCode), step: step, "\(error)")
        default:
            let kind: Kind = step.hasPrefix("nat") ? .nat : .kernel
            return OperationError(kind, step: step, "\(error)")
        }
    }
}

/// An error that already carries its protocol code (a delegated CNI plugin's), passed through unchanged.
public protocol CodedError: Error {
    var protocolCode: Int { get }
}

/// Undo actions of completed steps, run in reverse when a later step fails.
struct UndoStack {
    private var actions: [(name: String, action: () throws -> Void)] = []

    mutating func push(_ name: String, _ action: @escaping () throws -> Void) { actions.append((name, action)) }

    /// Runs every undo, newest first, collecting (not throwing) failures.
    mutating func unwind() -> [String] {
        var problems: [String] = []
        for (name, action) in actions.reversed() {
            do { try action() } catch { problems.append("undo \(name): \(error)") }
        }
        actions.removeAll()
        return problems
    }
}
