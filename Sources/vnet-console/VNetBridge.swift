import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
import VNetAgent
import VNetConsole
import VNetModel

/// The console's view of the VNet: read in the background every `interval` seconds, so that a registry that
/// does not answer (a partition waits for timeouts) never freezes the screen. The console gets the last
/// reading; while the last read failed it throws, and the console keeps the last good view marked STALE.
final class RegistryVNetSource: VNetSource, Sendable {
    let thisNode: String
    let session: VNetSession
    private let latest = Latest()

    final class Latest: Sendable {
        let value = Mutex<Result<VNetStatus, Failure>?>(nil)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Call on the thread that entered the node's namespace (the registry is reached from there).
    init(settings: RegistrySettings, cooldown: Double?, interval: Double) {
        session = VNetSession(settings: settings, cooldown: cooldown)
        thisNode = session.nodeName
        let session = self.session, latest = self.latest
        Task.detached {
            while !Task.isCancelled {
                do {
                    let status = try await session.status()
                    latest.value.withLock { $0 = .success(status) }
                } catch {
                    latest.value.withLock { $0 = .failure(Failure(description: "\(error)")) }
                }
                try? await Task.sleep(nanoseconds: UInt64(max(0.5, interval) * 1e9))
            }
        }
    }

    func vnetStatus() throws -> VNetStatus {
        guard let result = latest.value.withLock({ $0 }) else {
            throw Failure(description: "the registry (\(session.settings.endpoints.joined(separator: ","))) has not answered yet")
        }
        return try result.get()
    }
}

/// forget-node from the console, on the road vnetctl takes (`VNetSession`), audited as the console's.
final class RegistryVNetActions: VNetActions {
    let session: VNetSession
    let auditDataDir: String
    let network: String

    init(session: VNetSession, auditDataDir: String, network: String) {
        self.session = session
        self.auditDataDir = auditDataDir
        self.network = network
    }

    func planForgetNode(_ node: String) throws -> ChangePlan {
        let session = self.session
        return try Blocking.wait { try await session.planForget(node: node) }
    }

    func perform(_ plan: ChangePlan) throws -> String {
        guard plan.action == .forgetNode, let node = plan.summary.split(separator: " ").dropFirst(2).first.map(String.init) else {
            throw RegistryVNetSource.Failure(description: "not a forget-node plan; nothing was done")
        }
        let session = self.session, dir = auditDataDir, network = self.network
        return try Blocking.wait {
            try await session.forget(plan, node: node, auditDataDir: dir, network: network, tool: "vnet-console", command: "forget-node \(node)")
        }
    }
}

/// Waits on the calling thread for async work (the console's loop is synchronous).
enum Blocking {
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            box.value.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = box.value.withLock({ $0 }) else { throw RegistryVNetSource.Failure(description: "no answer") }
        return try result.get()
    }
}

final class ResultBox<T: Sendable>: Sendable {
    let value = Mutex<Result<T, any Error>?>(nil)
}
