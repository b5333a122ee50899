#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetSystem

extension StateStore {
    /// Verifies the state without changing it: nil when it loads and is consistent, else the problem.
    public func verify() -> String? {
        do {
            _ = try load()
            return nil
        } catch {
            return error.description
        }
    }

    /// Recovers from a corrupt state file: keeps the bad file beside it for inspection, restores the last good
    /// copy, and puts into cool-down the addresses `quarantine` names (given the recovered document and the
    /// corrupt bytes): the good copy may be one commit older than what runtimes were told, so the address
    /// that commit handed out must not be handed out again at once. Runs under the lock.
    public func repair(lockTimeout: Double, now: Date = Date(),
                       quarantine: (NetworkState, [UInt8]) -> [IPv4Address]) throws(StateError) -> RepairReport {
        let lock = StateLock(path: lockPath)
        try lock.acquire(verb: "repair", timeout: lockTimeout)
        defer { lock.release() }
        let problem: String?
        do { _ = try load(); problem = nil } catch { problem = error.description }
        guard let problem else {
            let state = try load()
            return RepairReport(statePath: statePath, problem: nil, action: "none: the state is valid",
                                keptCorruptCopy: nil, leases: state.leases.count, quarantined: 0)
        }
        var recovered: NetworkState
        let backupBytes: [UInt8]?
        do throws(SystemError) { backupBytes = try Files.read(backupPath) } catch { throw .io(error) }
        guard let backupBytes else { throw .noBackup(path: statePath) }
        switch StateCodec.decode(backupBytes) {
        case .success(let state): recovered = state
        case .failure(let failure): throw .corrupt(path: backupPath, reason: failure.reason)
        }
        // Keep the bad file (a hard link) and the good copy in place until the new document is committed.
        // An earlier repair in the same second, or before the clock was set back, may hold the name: count on.
        let stem = statePath + ".corrupt-\(Int(now.timeIntervalSince1970))"
        var keptName = stem
        let corruptBytes = (try? Files.read(statePath)) ?? nil
        if corruptBytes != nil {
            do throws(SystemError) { keptName = try Files.linkToFreeName(statePath, stem: stem) } catch { throw .io(error) }
        }
        let leased = Set(recovered.leases.map(\.address))
        var quarantined = 0
        for address in Set(quarantine(recovered, corruptBytes ?? [])).sorted() where !leased.contains(address) {
            recovered.released.removeAll { $0.address == address }
            if !recovered.quarantined.contains(address) { recovered.quarantined.append(address) }
            quarantined += 1
        }
        recovered.generation += 1
        do throws(SystemError) {
            try Files.replaceAtomically(statePath, with: try encodeForRepair(recovered), mode: 0o600, keepPrevious: nil)
        } catch {
            throw .io(error)
        }
        return RepairReport(statePath: statePath, problem: problem, action: "restored the last good copy",
                            keptCorruptCopy: Files.exists(keptName) ? keptName : nil,
                            leases: recovered.leases.count, quarantined: quarantined)
    }
}

extension StateStore {
    fileprivate func encodeForRepair(_ state: NetworkState) throws(SystemError) -> [UInt8] {
        do { return try StateCodec.encode(state) } catch { throw SystemError("encode", path: statePath, errno: EINVAL) }
    }
}
