import XCTest
import Glibc
@testable import VNetState
import VNetModel
import VNetSystem

final class StateStoreTests: XCTestCase {
    private var directory: TemporaryDataDirectory!
    var dataDir: String { directory.path }

    override func setUpWithError() throws { directory = try TemporaryDataDirectory() }

    override func tearDown() { directory.remove() }

    func lease(_ id: String, _ address: String) -> Lease {
        Lease(key: AttachmentKey(containerID: id, ifname: "eth0"), address: IPv4Address(address)!, createdAt: Date(), owner: "t")
    }

    func testMissingStateIsANewNetworkAndCommitsRoundTrip() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        XCTAssertEqual(try store.load().leases, [])
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("a", "10.0.0.1")) }
        let loaded = try store.load()
        XCTAssertEqual(loaded.leases.map(\.key.containerID), ["a"])
        XCTAssertEqual(loaded.generation, 1)
        var info = stat()
        XCTAssertEqual(stat(store.statePath, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        XCTAssertEqual(stat(store.directory, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
    }

    func testUnchangedUpdateDoesNotCommit() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("a", "10.0.0.1")) }
        try store.update(verb: "test", lockTimeout: 1) { _ in }
        XCTAssertEqual(try store.load().generation, 1)
    }

    func testEveryKindOfCorruptionIsRefused() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("a", "10.0.0.1")) }
        let good = try XCTUnwrap(try Files.read(store.statePath))
        let kinds: [String: [UInt8]] = [
            "empty": [], "nul": [UInt8](repeating: 0, count: good.count), "truncated": Array(good.prefix(good.count / 2)),
            "garbage": Array("}{ not json".utf8), "schema": Array("{\"schema\": 7}".utf8),
        ]
        for (kind, bytes) in kinds {
            try Files.replaceAtomically(store.statePath, with: bytes)
            XCTAssertThrowsError(try store.load(), kind) { error in
                guard case .corrupt(let path, _) = error as? StateError else { return XCTFail("\(kind): \(error)") }
                XCTAssertEqual(path, store.statePath)
                XCTAssertTrue("\(error)".contains("state repair"))
            }
        }
    }

    func testRepairRestoresLastGoodCopyAndQuarantines() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("a", "10.0.0.1")) }
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("b", "10.0.0.2")) }
        try Files.replaceAtomically(store.statePath, with: Array("garbage 10.0.0.9".utf8))
        let report = try store.repair(lockTimeout: 1) { _, corrupt in
            XCTAssertEqual(String(decoding: corrupt, as: UTF8.self), "garbage 10.0.0.9")
            return [IPv4Address("10.0.0.2")!, IPv4Address("10.0.0.1")!]
        }
        XCTAssertEqual(report.leases, 1)
        XCTAssertEqual(report.quarantined, 1, "a still-leased address is never quarantined")
        let state = try store.load()
        XCTAssertEqual(state.leases.map(\.key.containerID), ["a"])
        XCTAssertEqual(state.quarantined.map(\.description), ["10.0.0.2"])
        XCTAssertNotNil(report.keptCorruptCopy)
    }

    func testLockTimesOutNamingTheHolder() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        let held = StateLock(path: store.lockPath)
        try held.acquire(verb: "ADD", timeout: 1)
        XCTAssertEqual(store.lockHolder?.pid, getpid())
        XCTAssertEqual(store.lockHolder?.verb, "ADD")
        // flock locks belong to the open file description, so a second open in this process conflicts too.
        XCTAssertThrowsError(try store.update(verb: "other", lockTimeout: 0.2) { _ in }) { error in
            guard case .lockTimeout(_, _, let holder) = error as? StateError else { return XCTFail("\(error)") }
            XCTAssertEqual(holder?.pid, getpid())
            XCTAssertTrue("\(error)".contains("pid \(getpid()) (ADD)"))
        }
        held.release()
        XCTAssertNil(store.lockHolder)
        XCTAssertNoThrow(try store.update(verb: "other", lockTimeout: 0.2) { _ in })
    }

    func testUnsafeDirectoriesAreRefused() throws {
        chmod(dataDir, 0o777)
        XCTAssertThrowsError(try StateStore(dataDir: dataDir, network: "net"))
        chmod(dataDir, 0o700)
        XCTAssertThrowsError(try StateStore(dataDir: dataDir, network: "../etc"))
        XCTAssertThrowsError(try StateStore(dataDir: dataDir, network: ".hidden"))
    }

    /// Between two loads of one process another one may commit twice; the newest document can then sit in
    /// the inode of an old one, with its size and (coarse) mtime. The second load must still see it: the
    /// cache compares bytes, not the file's identity. Simulated by rewriting the file in place, same size,
    /// and putting its times back.
    func testALoadNeverServesAStaleDocumentWithTheSameIdentity() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("a", "10.0.0.1")) }
        let other = try StateStore(dataDir: dataDir, network: "net")
        XCTAssertEqual(try store.load().leases.map(\.address.description), ["10.0.0.1"])
        var before = stat()
        XCTAssertEqual(stat(store.statePath, &before), 0)

        var changed = try other.load()
        changed.leases[0].address = IPv4Address("10.0.0.2")!
        let bytes = try StateCodec.encode(changed)
        let fd = open(store.statePath, O_WRONLY | O_TRUNC)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, bytes.count)
        var times = [before.st_atim, before.st_mtim]
        XCTAssertEqual(futimens(fd, &times), 0)
        close(fd)
        var after = stat()
        XCTAssertEqual(stat(store.statePath, &after), 0)
        XCTAssertEqual([after.st_ino, UInt(after.st_size)], [before.st_ino, UInt(before.st_size)], "same identity")
        XCTAssertEqual(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec)

        XCTAssertEqual(try store.load().leases.map(\.address.description), ["10.0.0.2"])
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("b", "10.0.0.3")) }
        XCTAssertEqual(try other.load().leases.map(\.address.description), ["10.0.0.2", "10.0.0.3"])
    }

    /// Each commit keeps the document before it as state.json.prev; a file other names share (the document
    /// itself after a failed commit, a copy kept by repair) is never written over.
    func testEveryCommitKeepsThePreviousDocumentAndNeverWritesOverASharedFile() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        var documents: [[UInt8]] = []
        for n in 1...4 {
            try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c\(n)", "10.0.0.\(n)")) }
            documents.append(try XCTUnwrap(try Files.read(store.statePath)))
            if n > 1 { XCTAssertEqual(try Files.read(store.backupPath), documents[n - 2], "commit \(n)") }
            var info = stat()
            XCTAssertEqual(stat(store.backupPath, &info), n > 1 ? 0 : -1)
            if n > 1 { XCTAssertEqual(info.st_mode & 0o777, 0o600) }
        }
        XCTAssertEqual(documents.count, Set(documents).count, "every commit wrote a new document")

        // A copy kept as a second name of the backup (as repair keeps them) survives the next commits.
        let kept = store.directory + "/kept-copy"
        XCTAssertEqual(link(store.backupPath, kept), 0)
        let keptBytes = try Files.read(kept)
        for n in 5...6 { try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c\(n)", "10.0.0.\(n)")) } }
        XCTAssertEqual(try Files.read(kept), keptBytes)

        // The backup being the document itself (a commit died between its link and its rename): the next
        // commit must not write over it in place.
        XCTAssertEqual(unlink(store.backupPath), 0)
        XCTAssertEqual(link(store.statePath, store.backupPath), 0)
        let current = try Files.read(store.statePath)
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c7", "10.0.0.7")) }
        XCTAssertEqual(try Files.read(store.backupPath), current)
        XCTAssertEqual(try store.load().leases.count, 7)
    }

    /// A reader without the lock may hold the document open while others commit: what it reads must stay
    /// the document it opened. (Writing the next commit over the old backup's file broke this; `make stress`
    /// caught readers seeing torn documents.)
    func testAReaderHoldingTheDocumentOpenStillReadsItWholeAfterLaterCommits() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        for n in 1...3 { try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c\(n)", "10.0.0.\(n)")) } }
        let opened = open(store.statePath, O_RDONLY)
        XCTAssertGreaterThanOrEqual(opened, 0)
        defer { close(opened) }
        let expected = try XCTUnwrap(try Files.read(store.statePath))
        for n in 4...8 { try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c\(n)", "10.0.0.\(n)")) } }
        var buffer = [UInt8](repeating: 0, count: expected.count + 4096)
        let count = pread(opened, &buffer, buffer.count, 0)
        XCTAssertEqual(Array(buffer.prefix(max(0, count))), expected)
    }

    /// A commit drops the backup before the previous one with its name: by the time the commit returns, the
    /// directory holds no name of it (its blocks are freed on a thread, or by the kernel when the process
    /// exits), so none can outlive the process. Names that an earlier vnet left for a thread to unlink
    /// (`state.json.prev.old.<pid>`) are removed by the next commit, whoever's they were.
    func testACommitLeavesNoNameOfTheBackupItDropsAndRemovesAnEarlierVNetsOnes() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        let own: Set<String> = ["state.json", "state.json.prev", "lock", "boot"]
        for n in 1...4 {
            try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c\(n)", "10.0.0.\(n)")) }
            XCTAssertEqual(Set(Files.list(store.directory)).subtracting(own), [], "after commit \(n), at once")
        }

        let dead = store.directory + "/state.json.prev.old.999999999"
        let living = store.directory + "/state.json.prev.old.\(getppid())"
        try Files.replaceAtomically(dead, with: Array("old".utf8), sync: false)
        try Files.replaceAtomically(living, with: Array("old".utf8), sync: false)
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("c5", "10.0.0.5")) }
        XCTAssertEqual(Set(Files.list(store.directory)).subtracting(own), [])
        XCTAssertEqual(try store.load().leases.count, 5)
        XCTAssertEqual(try store.load().generation, 5)
        XCTAssertNotNil(try Files.read(store.backupPath))
    }

    /// The configuration is written without the lock, each writer through its own temporary file: the next
    /// commit removes the temporary files of writers that died before their rename, never a living one's.
    func testACommitRemovesTheConfigurationTemporariesOfWritersThatDied() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        store.recordConfig(Array("{}".utf8))
        let dead = "config.json.tmp.999999999", living = "config.json.tmp.\(getppid())"
        for name in [dead, living] { try Files.replaceAtomically(store.directory + "/" + name, with: Array("{".utf8), sync: false) }
        try store.update(verb: "test", lockTimeout: 1) { $0.leases.append(lease("a", "10.0.0.1")) }
        let names = Files.list(store.directory)
        XCTAssertFalse(names.contains(dead))
        XCTAssertTrue(names.contains(living))
        XCTAssertEqual(store.recordedConfig(), Array("{}".utf8))
    }
}
