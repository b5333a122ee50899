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

/// The durable state of one network on one node: `<dataDir>/<network>/state.json`.
///
/// Commits are atomic (temporary file, fsync, rename, directory fsync), so after a crash or power loss at any
/// instant the file holds either the old or the new document. The previous document is kept as
/// `state.json.prev` (a hard link: no copy) for `vnetctl state repair`. Changes happen only under the lock,
/// and callers keep the critical section free of network I/O and netlink.
public struct StateStore: Sendable {
    public let network: String
    public let directory: String
    private let cache = DocumentCache()

    public var statePath: String { directory + "/state.json" }
    public var backupPath: String { statePath + ".prev" }
    public var lockPath: String { directory + "/lock" }
    /// The network configuration the plugins last ran with, so vnetctl and the console need no conflist.
    public var configPath: String { directory + "/config.json" }

    /// Opens (creating if needed) the state directory of `network` under `dataDir`.
    public init(dataDir: String, network: String, create: Bool = true) throws(StateError) {
        guard Self.isValidNetworkName(network) else { throw .invalidNetworkName(network) }
        self.network = network
        directory = dataDir + "/" + network
        // Check before creating anything: nothing is written under a directory others could redirect.
        try Self.checkSafe(dataDir)
        if create {
            do throws(SystemError) {
                try Files.makeDirectories(directory, mode: 0o700)
            } catch {
                throw .io(error)
            }
        }
        try Self.checkSafe(dataDir)
        try Self.checkSafe(directory)
    }

    /// Network names become directory names: the CNI container-ID alphabet, never "." or "..".
    public static func isValidNetworkName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128 else { return false }
        let alnum: (UInt8) -> Bool = { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
        guard alnum(first) else { return false }
        return name.utf8.allSatisfy { alnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Refuses a directory that is a symlink or that others can write: either would let another user
    /// steer where leases are written.
    static func checkSafe(_ path: String) throws(StateError) {
        let info: stat?
        do throws(SystemError) { info = try Files.status(path) } catch { throw .io(error) }
        guard let info else { return }
        if info.st_mode & S_IFMT == S_IFLNK { throw .unsafe(path: path, reason: "it is a symbolic link") }
        if info.st_mode & S_IFMT != S_IFDIR { throw .unsafe(path: path, reason: "it is not a directory") }
        if info.st_mode & (S_IWGRP | S_IWOTH) != 0 && info.st_mode & S_ISVTX == 0 {
            throw .unsafe(path: path, reason: "it is writable by group or others (mode \(String(info.st_mode & 0o7777, radix: 8)))")
        }
        // Its owner could replace the files in it (a sticky data directory such as /tmp lets anyone make one).
        if info.st_uid != 0 && info.st_uid != geteuid() {
            throw .unsafe(path: path, reason: "it is owned by uid \(info.st_uid), not by root or uid \(geteuid())")
        }
    }

    /// The committed document, read without the lock (rename makes every read see a whole document).
    /// A missing file is a new network; an unreadable one is an error, never an empty pool.
    public func load() throws(StateError) -> NetworkState {
        let identity = DocumentCache.identity(of: statePath)
        if let identity, let cached = cache.lookup(identity) { return cached }
        let bytes: [UInt8]?
        do throws(SystemError) { bytes = try Files.read(statePath) } catch { throw .io(error) }
        guard let bytes else {
            if Files.exists(backupPath) {
                throw .corrupt(path: statePath, reason: "the file is missing but its previous copy exists")
            }
            return NetworkState(network: network)
        }
        switch StateCodec.decode(bytes) {
        case .success(let state):
            // Only when the file did not change between the stat and the read.
            if let identity, DocumentCache.identity(of: statePath) == identity { cache.store(state, identity: identity) }
            return state
        case .failure(let failure): throw .corrupt(path: statePath, reason: failure.reason)
        }
    }

    /// Commits `state` (the caller holds the lock), bumping its generation. `durable: false` skips the
    /// directory fsync: still old-or-new after any crash, but a power cut may bring back the old document.
    public func commit(_ state: inout NetworkState, durable: Bool = true) throws(StateError) {
        state.generation += 1
        let bytes: [UInt8]
        do { bytes = try StateCodec.encode(state) } catch { throw .corrupt(path: statePath, reason: "cannot encode: \(error)") }
        do throws(SystemError) {
            try Files.replaceAtomically(statePath, with: bytes, mode: 0o600, keepPrevious: backupPath, durable: durable)
            cache.store(state, identity: DocumentCache.identity(of: statePath))
        } catch {
            state.generation -= 1
            throw .io(error)
        }
    }

    /// Runs `body` on the current document under the lock and commits it when `body` changed it.
    /// The lock is released on every path, and a failed commit leaves the old document in place.
    public func update<T>(verb: String, lockTimeout: Double, durable: Bool = true,
                          _ body: (inout NetworkState) throws -> T) throws -> T {
        let lock = StateLock(path: lockPath)
        try lock.acquire(verb: verb, timeout: lockTimeout)
        defer { lock.release() }
        try FaultPoint.hit("\(verb):locked")
        removeAbandonedTemporaries()
        var state = try load()
        let before = state
        let result = try body(&state)
        if state != before {
            try FaultPoint.hit("\(verb):before-commit")
            try commit(&state, durable: durable)
            try FaultPoint.hit("\(verb):after-commit")
        }
        return result
    }

    /// Records the network configuration when it differs from the recorded one. Written without the lock:
    /// every writer writes a whole file and rename is atomic.
    public func recordConfig(_ bytes: [UInt8]) {
        if let current = try? Files.read(configPath), current == bytes { return }
        try? Files.replaceAtomically(configPath, with: bytes, mode: 0o600, sync: false)
    }

    public func recordedConfig() -> [UInt8]? { (try? Files.read(configPath)) ?? nil }

    public var lockHolder: LockHolder? { StateLock.holder(at: lockPath) }

    /// Temporary files of commits whose writer died before the rename. Only called under the lock, when no
    /// other writer can be mid-commit.
    func removeAbandonedTemporaries() {
        for name in Files.list(directory) where name.hasPrefix("state.json.tmp.") {
            Files.remove(directory + "/" + name)
        }
    }
}
