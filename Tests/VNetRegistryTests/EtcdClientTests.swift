import VNetModel
import VNetRegistry
import XCTest

/// The etcd client against a real etcd (Debian's etcd-server), on loopback.
final class EtcdClientTests: XCTestCase {
    var cluster: EtcdCluster!
    var client: EtcdClient!

    override func setUpWithError() throws {
        guard EtcdCluster.etcdBinary != nil else { throw XCTSkip("etcd is not installed; `make test` installs it") }
        cluster = try EtcdCluster(size: 1)
        client = EtcdClient(endpoints: cluster.endpoints)
    }

    override func tearDown() async throws {
        await client?.shutdown()
        cluster?.stop()
    }

    func testPutRangeDeleteAndPrefixes() async throws {
        let first = try await client.put("/t/a", Array("1".utf8))
        try await client.put("/t/b", Array("2".utf8))
        try await client.put("/u/c", Array("3".utf8))
        let all = try await client.range("/t/", prefix: true)
        XCTAssertEqual(all.kvs.map(\.key), ["/t/a", "/t/b"])
        XCTAssertEqual(all.value(of: "/t/b")?.value, Array("2".utf8))
        XCTAssertEqual(all.value(of: "/t/a")?.modRevision, first)
        XCTAssertEqual(all.value(of: "/t/a")?.version, 1)
        // A read at an earlier revision sees the store as it was then.
        let earlier = try await client.range("/t/", prefix: true, revision: first).kvs.map(\.key)
        XCTAssertEqual(earlier, ["/t/a"])
        try await client.delete("/t/", prefix: true)
        let emptied = try await client.range("/t/", prefix: true).kvs
        XCTAssertEqual(emptied, [])
        let untouched = try await client.range("/u/c").kvs.count
        XCTAssertEqual(untouched, 1)
    }

    func testATransactionRunsOneBranchAtomically() async throws {
        let written = try await client.put("/k", Array("v1".utf8))
        var result = try await client.txn([.modRevision("/k", equals: written)],
                                          success: [.put("/k", Array("v2".utf8)), .put("/side", Array("x".utf8))],
                                          failure: [.range("/k")])
        XCTAssertTrue(result.succeeded)
        // The same compare again fails: the key moved on; the failure branch reads it.
        result = try await client.txn([.modRevision("/k", equals: written)], success: [.put("/k", Array("v3".utf8))],
                                      failure: [.range("/k")])
        XCTAssertFalse(result.succeeded)
        XCTAssertEqual(result.ranges.first?.kvs.first?.value, Array("v2".utf8))
        // version 0: create only if absent.
        let createdAgain = try await client.txn([.version("/k", equals: 0)], success: [.put("/k", [])]).succeeded
        XCTAssertFalse(createdAgain)
        let created = try await client.txn([.version("/new", equals: 0)], success: [.put("/new", [])]).succeeded
        XCTAssertTrue(created)
    }

    func testKeysOnALeaseVanishWhenItIsRevoked() async throws {
        let lease = try await client.grantLease(seconds: 30)
        try await client.put("/alive/n1", Array("{}".utf8), lease: lease)
        let attached = try await client.range("/alive/n1").kvs.first?.lease
        XCTAssertEqual(attached, lease)
        let left = try await client.keepAlive(lease)
        XCTAssertGreaterThan(left, 0)
        try await client.revoke(lease)
        let afterRevoke = try await client.range("/alive/n1").kvs
        XCTAssertEqual(afterRevoke, [])
        let leftAfterRevoke = try await client.keepAlive(lease)
        XCTAssertEqual(leftAfterRevoke, 0, "an ended lease cannot be kept alive")
    }

    func testAStoppedRegistryIsReportedUnreachable() async throws {
        cluster.stop()
        do {
            _ = try await client.range("/k")
            XCTFail("no member is running")
        } catch {
            guard case .unreachable = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.isTransient)
        }
    }
}
