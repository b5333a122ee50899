import VNetAgent
import VNetModel
import VNetRegistry
import XCTest

/// The VNet quota on a real 3-member etcd cluster: nodes reserving at once never pass the limit nor lose
/// count, at any revision, also when the leader is killed.
final class QuotaRegistryTests: XCTestCase {
    var cluster: EtcdCluster!
    var client: EtcdClient!

    override func setUpWithError() throws {
        guard EtcdCluster.etcdBinary != nil else { throw XCTSkip("etcd is not installed; `make test` installs it") }
        cluster = try EtcdCluster(size: 3)
        client = EtcdClient(endpoints: cluster.endpoints, timeoutSeconds: 2)
    }

    override func tearDown() async throws {
        await client?.shutdown()
        cluster?.stop()
    }

    /// Every revision from `from` to now, read back: the invariant of `QuotaState` holds at each.
    func assertInvariantAtEveryRevision(_ quota: QuotaRegistry, from: Int64, file: StaticString = #filePath, line: UInt = #line) async throws {
        let (_, newest, _) = try await quota.read()
        for revision in from...newest {
            let (state, _, _) = try await quota.read(revision: revision)
            XCTAssertNil(state.violation, "at revision \(revision): \(state)", file: file, line: line)
        }
    }

    func testNodesReservingAtOnceGetExactlyTheLimit() async throws {
        let quota = QuotaRegistry(client: client, vnet: "test")
        let limit = try await quota.ensureLimit(40)
        XCTAssertEqual(limit, 40)
        let limitAgain = try await quota.ensureLimit(99)
        XCTAssertEqual(limitAgain, 40, "the first node's limit stays")
        let (_, start, _) = try await quota.read()
        // Three nodes grow in steps of 1 up to 20 each, all at once: 60 wanted, 40 there.
        let granted = try await withThrowingTaskGroup(of: Int.self) { group in
            for node in ["a", "b", "c"] {
                group.addTask {
                    var mine = 0
                    for step in 1...20 { mine = try await quota.reserve(node: node, wanted: step) }
                    return mine
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(granted, 40)
        let (state, _, _) = try await quota.read()
        XCTAssertEqual(state.reserved, 40)
        XCTAssertEqual(state.byNode.values.reduce(0, +), 40)
        try await assertInvariantAtEveryRevision(quota, from: start)

        // Giving back is always granted, and what one node gives back another can take.
        let gaveBack = try await quota.reserve(node: "a", wanted: 0)
        XCTAssertEqual(gaveBack, 0)
        let b = state.byNode["b"] ?? 0
        let grown = try await quota.reserve(node: "b", wanted: 40)
        XCTAssertEqual(grown, 40 - (state.byNode["c"] ?? 0))
        let bNow = try await quota.read().quota.byNode["b"] ?? 0
        XCTAssertGreaterThan(bNow, b)
        // A plan made on an older revision of the reservation is refused; one made on the current one holds.
        let stale = try await quota.release(node: "b", reservationRevision: 1)
        XCTAssertNil(stale)
        let revision = try await quota.read().view.revisions["b"] ?? 0
        let released = try await quota.release(node: "b", reservationRevision: revision)
        XCTAssertEqual(released, 40 - (state.byNode["c"] ?? 0))
        let left = try await quota.read().quota.reserved
        XCTAssertEqual(left, state.byNode["c"] ?? 0)
        try await assertInvariantAtEveryRevision(quota, from: start)
    }

    func testTheLeaderKilledCostsAtMostARetry() async throws {
        let quota = QuotaRegistry(client: client, vnet: "test")
        try await quota.ensureLimit(100)
        _ = try await quota.reserve(node: "a", wanted: 10)
        let statuses = await client.statuses()
        let leader = try XCTUnwrap(statuses.first { $0.isLeader }, "\(statuses)")
        let index = try XCTUnwrap(cluster.endpoints.firstIndex(of: leader.endpoint))
        cluster.kill(index)
        // The client passes over the dead member; a write during the election may fail once, then succeeds.
        var granted = 0
        var attempts = 0
        while granted == 0 {
            attempts += 1
            do {
                granted = try await quota.reserve(node: "a", wanted: 20)
            } catch {
                XCTAssertTrue(error.isTransient, "\(error)")
                if attempts >= 20 { throw error }
                try await Task.sleep(nanoseconds: 250_000_000)
            }
        }
        XCTAssertEqual(granted, 20)
        let reserved = try await quota.read().quota.reserved
        XCTAssertEqual(reserved, 20)
        try cluster.start(index)
        try cluster.waitUntilServing()
        let afterRestart = try await quota.read().quota.byNode["a"]
        XCTAssertEqual(afterRestart, 20)
    }
}
