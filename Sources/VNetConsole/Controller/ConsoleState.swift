#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Where a list screen is: its filter, sort, selection and scroll. The selection is kept as the row's
/// identity, not its index, so it stays on the same pod when a refresh reorders rows.
public struct ListState: Hashable, Sendable {
    public var filter = ""
    public var sort: SortOrder?
    public var selectedID: String?
    public var top = 0

    public init(sort: SortOrder? = nil) { self.sort = sort }
}

/// A line on the status bar: the result of the last action or what went wrong.
public struct StatusMessage: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case info, success, error }

    public var text: String
    public var kind: Kind
    public var at: Date
}

/// The confirmation dialog of a change. The plan, with what its targets looked like, is captured when the
/// dialog opens; refreshes do not touch it. Focus starts on Cancel so a stray Enter never confirms.
public struct ConfirmState: Hashable, Sendable {
    public enum Focus: Hashable, Sendable { case cancel, apply }

    public var plan: ChangePlan
    public var focus: Focus = .cancel
    public var openedAt: Date
    /// First plan line shown when the plan is longer than the dialog.
    public var scroll = 0
}

/// The attach form's fields and which one has the cursor.
public struct AttachFormState: Hashable, Sendable {
    public enum Field: Int, CaseIterable, Hashable, Sendable {
        case netns, containerID, ifname, podNamespace, podName

        public var label: String {
            switch self {
            case .netns: return "netns (path or name)"
            case .containerID: return "container ID"
            case .ifname: return "interface"
            case .podNamespace: return "pod namespace"
            case .podName: return "pod name"
            }
        }
    }

    public var values: [Field: String] = [.ifname: "eth0"]
    public var focus: Field = .netns
    public var error: String?
    /// Where Tab completion of the netns field stands (AttachFormState+Completion.swift); typing ends it.
    public var completion: NetnsCompletion?

    public subscript(field: Field) -> String {
        get { values[field] ?? "" }
        set { values[field] = newValue }
    }

    /// The request, or why the form is not complete.
    public func request() -> Result<AttachRequest, FormError> {
        let netns = self[.netns].trimmed, id = self[.containerID].trimmed, ifname = self[.ifname].trimmed
        guard !netns.isEmpty else { return .failure(FormError(message: "netns is required (a path or a name under /var/run/netns)")) }
        guard !id.isEmpty else { return .failure(FormError(message: "container ID is required")) }
        guard !ifname.isEmpty, ifname.utf8.count <= 15, !ifname.contains("/"), !ifname.contains(" ") else {
            return .failure(FormError(message: "interface must be 1-15 characters without '/' or spaces"))
        }
        let ns = self[.podNamespace].trimmed, name = self[.podName].trimmed
        return .success(AttachRequest(key: AttachmentKey(containerID: id, ifname: ifname), netns: AttachRequest.namespacePath(netns),
                                      pod: PodIdentity(namespace: ns.isEmpty ? nil : ns, name: name.isEmpty ? nil : name)))
    }
}

/// Why the attach form cannot be submitted.
public struct FormError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// What sits on top of the current screen. Esc pops one.
public enum Overlay: Hashable, Sendable {
    case help
    case detail(AttachmentKey)
    /// An event's whole record with the recovery step for its error, by the number the feed gave it.
    case event(Int)
    case confirm(ConfirmState)
    case attach(AttachFormState)
    /// The Security screen's verify form, with its last answer.
    case verify(VerifyFormState)
}

/// Everything the console remembers besides the data: pure, so the key state machine is testable.
public struct ConsoleState: Hashable, Sendable {
    public var screen: ScreenID = .overview
    public var lists: [ScreenID: ListState] = [
        .endpoints: ListState(sort: SortOrder(column: 0)),
        .links: ListState(),
        .nat: ListState(),
        .leaks: ListState(),
        .vnet: ListState(sort: SortOrder(column: 0)),
        // Newest first: the log's order, reversed, until the operator sorts.
        .events: ListState(),
        // Evaluation order (inbound, then outbound, by priority) until the operator sorts.
        .security: ListState(),
    ]
    /// Marked leak suspects, by row identity.
    public var marks: Set<String> = []
    public var overlays: [Overlay] = []
    public var editingFilter = false
    public var paused = false
    /// Seconds between refreshes.
    public var interval: Double
    public var status: StatusMessage?
    /// The verify form's last answer: after the form closes, the pod's pane still selects the deciding rule.
    public var lastVerdict: RuleAnswer?
    public var quit = false

    public init(interval: Double) { self.interval = interval }

    public var list: ListState {
        get { lists[screen] ?? ListState() }
        set { lists[screen] = newValue }
    }

    public var topOverlay: Overlay? { overlays.last }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
