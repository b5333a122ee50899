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
/// Commits are atomic (temporary file, rename), so after a crash of a writer at any instant the file holds
/// either the old or the new document; a power cut voids the document's facts with its pods (`BootMarker`). The previous document is kept as
/// `state.json.prev` (a hard link: no copy) for `vnetctl state repair`. Changes happen only under the lock,
/// and callers keep the critical section free of network I/O and netlink.
public struct StateStore: Sendable {
    public let network: String
    /// The data directory holding every network's directory (and the audit log).
    public let dataDir: String
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
        self.dataDir = dataDir
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
    /// A missing file is a new network; an unreadable one is an error, never an empty pool, unless it was
    /// left by an earlier boot (see `BootMarker`): then it describes pods that no longer exist, and the
    /// network starts empty.
    public func load() throws(StateError) -> NetworkState { try load(settingAside: false) }

    /// What a call for one attachment reads of the committed document (a CNI ADD, DEL or CHECK): that
    /// attachment's lease and endpoint, the lists of released, quarantined and flagged addresses, and the
    /// other leases' keys and addresses (`AttachmentState`). A document is accepted or refused as `load()`
    /// accepts or refuses it.
    ///
    /// Why: every CNI call is a new process and reads the document. Reading every record of a 250-pod
    /// document whole was most of what such a call executed, and what grew with the pods on the node. A
    /// document whose seal is intact is read only as far as this needs (`StateDocumentFastReader.readFocused`);
    /// the records it leaves unread stay bytes inside VNetState (`FocusedDocument`), for the commit to copy.
    public func load(for key: AttachmentKey) throws(StateError) -> AttachmentState {
        switch try load(settingAside: false, for: key) {
        case .inPart(let document): return document.attachment
        case .whole(let state): return state.attachment(key)
        }
    }

    /// `load()`; under the lock, a document of an earlier boot that cannot be read is also moved aside
    /// (`state.json.corrupt-<time>`) so that the next commit does not keep it as `state.json.prev`.
    private func load(settingAside: Bool) throws(StateError) -> NetworkState {
        try recovering(settingAside: settingAside, loadCommitted, empty: NetworkState(network: network))
    }

    /// The document read for one attachment: in part, or whole.
    private enum Focused {
        case inPart(FocusedDocument)
        case whole(NetworkState)
    }

    /// `load(for:)`, with what the commit of a change needs; settingAside as for `load(settingAside:)`.
    private func load(settingAside: Bool, for key: AttachmentKey) throws(StateError) -> Focused {
        try recovering(settingAside: settingAside, { () throws(StateError) in try loadCommitted(for: key) }, empty: .whole(NetworkState(network: network)))
    }

    /// `read()`, or `empty` when the document is unreadable and was left by an earlier boot (see `BootMarker`).
    private func recovering<T>(settingAside: Bool, _ read: () throws(StateError) -> T, empty: @autoclosure () -> T) throws(StateError) -> T {
        do {
            return try read()
        } catch .corrupt(let path, let reason) {
            guard BootMarker(directory: directory).standing() == .earlierBoot else { throw .corrupt(path: path, reason: reason) }
            if settingAside { setAside(reason: reason) }
            return empty()
        }
    }

    /// The committed bytes; nil for a new network.
    private func committedBytes() throws(StateError) -> [UInt8]? {
        let bytes: [UInt8]?
        do throws(SystemError) { bytes = try Files.read(statePath) } catch { throw .io(error) }
        if bytes == nil && Files.exists(backupPath) {
            throw .corrupt(path: statePath, reason: "the file is missing but its previous copy exists")
        }
        return bytes
    }

    private func loadCommitted() throws(StateError) -> NetworkState {
        guard let bytes = try committedBytes() else { return NetworkState(network: network) }
        if let cached = cache.lookup(bytes) { return cached }
        switch StateCodec.decodeDocument(bytes) {
        case .success(let document):
            cache.store(document)
            return document.state
        case .failure(let failure): throw .corrupt(path: statePath, reason: failure.reason)
        }
    }

    private func loadCommitted(for key: AttachmentKey) throws(StateError) -> Focused {
        guard let bytes = try committedBytes() else { return .whole(NetworkState(network: network)) }
        let read: ReadForAttachment
        if let cached = cache.lookup(bytes, for: key) {
            read = cached
        } else {
            switch StateCodec.decodeDocument(bytes, for: key) {
            case .success(.inPart(let document)): cache.store(document); read = .inPart(document)
            case .success(.whole(let document)): cache.store(document); read = .whole(document)
            case .failure(let failure): throw .corrupt(path: statePath, reason: failure.reason)
            }
        }
        switch read {
        case .inPart(let document): return .inPart(document)
        case .whole(let document): return .whole(document.state)
        }
    }

    /// Keeps an unreadable document of an earlier boot, and its previous copy, out of the way for a look.
    private func setAside(reason: String) {
        let stem = statePath + ".corrupt-\(Int(Date().timeIntervalSince1970))-earlier-boot"
        for (path, suffix) in [(statePath, ""), (backupPath, ".prev")] where Files.exists(path) {
            if (try? Files.linkToFreeName(path, stem: stem, suffix: suffix)) != nil { Files.remove(path) }
        }
        let message = "vnet: \(statePath) was left unreadable by an earlier boot (\(reason)); "
            + "its pods are gone with that boot, so the network starts empty (kept as \(stem))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
    }

    /// Commits `state` (the caller holds the lock), bumping its generation.
    ///
    /// Always atomic (temporary file, rename): any reader, and the next call after a crash of this process,
    /// sees the old or the new document whole. Flushing to disk is done once per boot, for the boot marker
    /// (see `BootMarker`), not per commit: what a commit records is about pods, which do not outlive the
    /// boot. Without a boot id every commit is flushed (file, then directory).
    func commit(_ state: inout NetworkState) throws(StateError) {
        // The records this commit did not change are copied from the document this process last read or
        // wrote (the one `update` loaded), not written again: see `RecordSpans`.
        var next = state
        next.generation += 1
        let document = StateCodec.encode(next, reusing: cache.document)
        try replace(with: document.bytes)
        cache.store(document)
        state = next
    }

    /// Commits the changes of `attachment` to the document `read` it was read from (the caller holds the
    /// lock), bumping its generation: the other attachments' records are copied from its bytes.
    private func commit(_ attachment: AttachmentState, over read: FocusedDocument) throws(StateError) {
        try replace(with: StateDocumentWriter.bytes(attachment, over: read, generation: read.attachment.generation + 1))
    }

    /// Replaces the document with `bytes` (see `commit`).
    private func replace(with bytes: [UInt8]) throws(StateError) {
        do throws(SystemError) {
            let marker = BootMarker(directory: directory)
            let flush = marker.standing() == .thisBoot ? false : !(try marker.markThisBoot())
            try Files.replaceAtomically(statePath, with: bytes, mode: 0o600, keepPrevious: backupPath, sync: flush, durable: flush)
        } catch {
            throw .io(error)
        }
    }

    /// Runs `body` on the current document under the lock and commits it when `body` changed it.
    /// The lock is released on every path, and a failed commit leaves the old document in place.
    public func update<T>(verb: String, lockTimeout: Double, _ body: (inout NetworkState) throws -> T) throws -> T {
        try locked(verb: verb, lockTimeout: lockTimeout) { () throws -> T in
            var state = try load(settingAside: true)
            let before = state
            let result = try body(&state)
            if state != before {
                try FaultPoint.hit("\(verb):before-commit")
                try commit(&state)
                try FaultPoint.hit("\(verb):after-commit")
            }
            return result
        }
    }

    /// `update` for the calls that change one attachment's records (a CNI ADD or DEL): `body` gets what
    /// `load(for:)` reads, and can change only that attachment's lease and endpoint and the lists.
    public func update<T>(verb: String, lockTimeout: Double, for key: AttachmentKey, _ body: (inout AttachmentState) throws -> T) throws -> T {
        try locked(verb: verb, lockTimeout: lockTimeout) { () throws -> T in
            let read = try load(settingAside: true, for: key)
            var attachment: AttachmentState
            switch read {
            case .inPart(let document): attachment = document.attachment
            case .whole(let state): attachment = state.attachment(key)
            }
            let before = attachment
            let result = try body(&attachment)
            if attachment != before {
                try FaultPoint.hit("\(verb):before-commit")
                switch read {
                case .inPart(let document): try commit(attachment, over: document)
                case .whole(var state):
                    state.apply(attachment)
                    try commit(&state)
                }
                try FaultPoint.hit("\(verb):after-commit")
            }
            return result
        }
    }

    /// Runs `body` under the lock, which is released on every path.
    private func locked<T>(verb: String, lockTimeout: Double, _ body: () throws -> T) throws -> T {
        let lock = StateLock(path: lockPath)
        try lock.acquire(verb: verb, timeout: lockTimeout)
        defer { lock.release() }
        try FaultPoint.hit("\(verb):locked")
        removeAbandonedTemporaries()
        return try body()
    }

    /// Records the network configuration when it differs from the recorded one. Written without the lock:
    /// every writer writes a whole file and rename is atomic.
    public func recordConfig(_ bytes: [UInt8]) {
        if let current = try? Files.read(configPath), current == bytes { return }
        try? Files.replaceAtomically(configPath, with: bytes, mode: 0o600, sync: false)
    }

    public func recordedConfig() -> [UInt8]? { (try? Files.read(configPath)) ?? nil }

    /// Whether the document was last written in an earlier boot: every pod it names died with that boot.
    public var leftByEarlierBoot: Bool { BootMarker(directory: directory).standing() == .earlierBoot }

    public var lockHolder: LockHolder? { StateLock.holder(at: lockPath) }

    /// Temporary files of commits whose writer died before the rename, and of configurations whose writer
    /// died before its rename (`recordConfig`, written without the lock: only a dead writer's). Also the
    /// dropped backups (`state.json.prev.old.<pid>`) that an earlier vnet left when it exited before its
    /// thread unlinked them; a commit no longer leaves any name behind. Only called under the lock, when no
    /// other writer can be mid-commit.
    func removeAbandonedTemporaries() {
        for name in Files.list(directory)
        where name.hasPrefix("state.json.tmp.") || name.hasPrefix("state.json.prev.old.") || Files.isAbandonedTemporary(name, of: "config.json") {
            Files.remove(directory + "/" + name)
        }
    }
}
