#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// What the console knows of the VNet: the last view the registry gave and the last failure to get one.
///
/// A registry that stops answering must not blank the screen: the operator needs the last known picture
/// (which node was LOST, who held what) most exactly when the registry is in trouble. So a failure keeps
/// the last good view and marks it STALE with its age, and before any answer the console says plainly
/// that the registry has not answered and why.
public struct VNetView: Sendable, Hashable {
    /// A failed read: what went wrong, when it last did, and when the current run of failures began.
    public struct Failure: Sendable, Hashable {
        public var message: String
        public var at: Date
        public var since: Date
    }

    /// This node's name in the registry.
    public let thisNode: String
    /// The last view the registry gave; nil until it first answers.
    public private(set) var status: VNetStatus?
    /// The last read's failure; nil once a read succeeds again.
    public private(set) var failure: Failure?

    public init(thisNode: String, status: VNetStatus? = nil) {
        self.thisNode = thisNode
        self.status = status
    }

    /// A good read: it replaces the view and clears the failure.
    public mutating func record(_ status: VNetStatus) {
        self.status = status
        failure = nil
    }

    /// A failed read: the last good view stays.
    public mutating func record(error message: String, at time: Date) {
        failure = Failure(message: message, at: time, since: failure?.since ?? time)
    }

    /// The view shown is older than the last attempt to read it.
    public var isStale: Bool { status != nil && failure != nil }

    /// This node as the registry lists it; nil when it is not registered (or nothing was read yet).
    public var thisNodeStatus: VNetNodeStatus? { status?.node(thisNode) }

    /// How fresh the view is, in one line and its role; nil when the last read succeeded and the registry
    /// reported no error of its own.
    public func notice(at now: Date) -> (text: String, role: StyleRole)? {
        switch (status, failure) {
        case (nil, nil):
            return ("the registry has not answered yet: waiting for the first read", .dim)
        case (nil, let failure?):
            return ("the registry has not answered yet: \(failure.message) (failing since \(Format.clock(failure.since)))", .bad)
        case (let status?, let failure?):
            let age = Format.age(max(0, now.timeIntervalSince(status.readAt)))
            return ("STALE \(age): registry unreachable since \(Format.clock(failure.since)): \(failure.message);"
                    + " showing the view read at \(Format.clock(status.readAt))", .bad)
        case (let status?, nil):
            guard let error = status.registry.lastError else { return nil }
            return ("registry reported: \(error)", .warn)
        }
    }
}
