import XCTest
@testable import VNetModel

final class PoolAndAllocatorTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func pool(_ addresses: [String], exclude: [String]? = nil, gateway: String? = "10.240.0.1") throws -> Pool {
        try Pool(PoolDefinition(subnet: IPv4Prefix("10.240.0.0/16")!, gateway: gateway.flatMap { IPv4Address($0) },
                                addresses: addresses, exclude: exclude))
    }

    func testPoolDropsGatewayNetworkBroadcastExclusionsAndPrimaries() throws {
        let p = try Pool(PoolDefinition(subnet: IPv4Prefix("10.240.0.0/24")!, addresses: ["10.240.0.0/24"],
                                        exclude: ["10.240.0.10-10.240.0.19"], primaryAddresses: [IPv4Address("10.240.0.4")!]))
        XCTAssertEqual(p.gateway.description, "10.240.0.1")
        XCTAssertEqual(p.capacity, 256 - 2 - 1 - 10 - 1)
        XCTAssertFalse(p.contains(IPv4Address("10.240.0.255")!))
        XCTAssertFalse(p.contains(IPv4Address("10.240.0.4")!))
        XCTAssertTrue(p.contains(IPv4Address("10.240.0.20")!))
    }

    func testPoolRejectsBadDefinitions() {
        XCTAssertThrowsError(try pool(["10.241.0.1"])) { XCTAssertEqual($0 as? PoolError, .outsideSubnet("10.241.0.1", subnet: IPv4Prefix("10.240.0.0/16")!)) }
        XCTAssertThrowsError(try pool(["nonsense"]))
        XCTAssertThrowsError(try pool(["10.240.0.1"])) { XCTAssertEqual($0 as? PoolError, .empty) }
        XCTAssertThrowsError(try pool(["10.240.0.5"], gateway: "10.9.9.9"))
        XCTAssertThrowsError(try Pool(PoolDefinition(subnet: IPv4Prefix("10.0.0.0/8")!, addresses: ["10.0.0.0/8"]))) {
            guard case .tooLarge = $0 as? PoolError else { return XCTFail("\($0)") }
        }
    }

    func testAllocatorPrefersNeverUsedThenOldestReleasedPastCooldown() throws {
        let allocator = Allocator(pool: try pool(["10.240.0.10-10.240.0.13"]), limits: Limits(), cooldown: 30)
        var state = NetworkState(network: "n")
        func take(_ id: String, at time: Date) throws -> IPv4Address {
            let key = AttachmentKey(containerID: id, ifname: "eth0")
            let address = try allocator.choose(for: key, in: state, now: time)
            state.leases.append(Lease(key: key, address: address, createdAt: time, owner: "t"))
            return address
        }
        XCTAssertEqual(try take("a", at: now).description, "10.240.0.10")
        XCTAssertEqual(try take("b", at: now).description, "10.240.0.11")
        state.release(AttachmentKey(containerID: "b", ifname: "eth0"), at: now)
        state.release(AttachmentKey(containerID: "a", ifname: "eth0"), at: now.addingTimeInterval(5))
        XCTAssertEqual(try take("c", at: now).description, "10.240.0.12")
        XCTAssertEqual(try take("d", at: now).description, "10.240.0.13")
        XCTAssertThrowsError(try take("e", at: now.addingTimeInterval(10))) {
            XCTAssertEqual($0 as? AllocationError, .poolExhausted(capacity: 4, used: 2, coolingDown: 2))
        }
        // b was released first, so it is free the longest.
        XCTAssertEqual(try take("e", at: now.addingTimeInterval(40)).description, "10.240.0.11")
    }

    func testSameKeyGetsSameAddressAndLimitIsEnforced() throws {
        let allocator = Allocator(pool: try pool(["10.240.0.10-10.240.0.20"]), limits: Limits(maxPodsPerNode: 2), cooldown: 0)
        var state = NetworkState(network: "n")
        for id in ["a", "b"] {
            let key = AttachmentKey(containerID: id, ifname: "eth0")
            state.leases.append(Lease(key: key, address: try allocator.choose(for: key, in: state, now: now), createdAt: now, owner: "t"))
        }
        let a = AttachmentKey(containerID: "a", ifname: "eth0")
        XCTAssertEqual(try allocator.choose(for: a, in: state, now: now), state.lease(for: a)?.address)
        XCTAssertThrowsError(try allocator.choose(for: AttachmentKey(containerID: "c", ifname: "eth0"), in: state, now: now)) {
            XCTAssertEqual($0 as? AllocationError, .nodeLimitReached(limit: 2))
        }
    }

    func testRequestedAddressRules() throws {
        let allocator = Allocator(pool: try pool(["10.240.0.10-10.240.0.20"]), limits: Limits(), cooldown: 30)
        var state = NetworkState(network: "n")
        let wanted = IPv4Address("10.240.0.15")!
        let key = AttachmentKey(containerID: "a", ifname: "eth0")
        XCTAssertEqual(try allocator.choose(for: key, in: state, requested: wanted, now: now), wanted)
        state.leases.append(Lease(key: key, address: wanted, createdAt: now, owner: "t"))
        let other = AttachmentKey(containerID: "b", ifname: "eth0")
        XCTAssertThrowsError(try allocator.choose(for: other, in: state, requested: wanted, now: now))
        XCTAssertThrowsError(try allocator.choose(for: other, in: state, requested: IPv4Address("10.240.0.1")!, now: now))
        state.release(key, at: now)
        XCTAssertThrowsError(try allocator.choose(for: other, in: state, requested: wanted, now: now.addingTimeInterval(10))) {
            XCTAssertEqual($0 as? AllocationError, .requestedCoolingDown(wanted, secondsLeft: 20))
        }
    }

    func testQuarantinedAddressesAreNeverHandedOut() throws {
        let allocator = Allocator(pool: try pool(["10.240.0.10-10.240.0.11"]), limits: Limits(), cooldown: 0)
        var state = NetworkState(network: "n")
        state.quarantined = [IPv4Address("10.240.0.10")!]
        let key = AttachmentKey(containerID: "a", ifname: "eth0")
        XCTAssertEqual(try allocator.choose(for: key, in: state, now: now).description, "10.240.0.11")
        XCTAssertThrowsError(try allocator.choose(for: key, in: state, requested: IPv4Address("10.240.0.10"), now: now)) {
            XCTAssertEqual($0 as? AllocationError, .requestedQuarantined(IPv4Address("10.240.0.10")!))
        }
        state.leases.append(Lease(key: key, address: IPv4Address("10.240.0.11")!, createdAt: now, owner: "t"))
        XCTAssertThrowsError(try allocator.choose(for: AttachmentKey(containerID: "b", ifname: "eth0"), in: state, now: now))
        XCTAssertEqual(allocator.usage(of: state, now: now).free, 0)
        XCTAssertEqual(allocator.usage(of: state, now: now).flagged, 1)
    }

    func testUsageCountsAgainstLimits() throws {
        let allocator = Allocator(pool: try pool(["10.240.0.10-10.240.0.19"]), limits: Limits(), cooldown: 30)
        var state = NetworkState(network: "n")
        state.leases.append(Lease(key: AttachmentKey(containerID: "a", ifname: "eth0"), address: IPv4Address("10.240.0.10")!, createdAt: now, owner: "t"))
        state.released.append(ReleasedAddress(address: IPv4Address("10.240.0.11")!, releasedAt: now))
        state.flagged.append(IPv4Address("10.240.0.10")!)
        let usage = allocator.usage(of: state, now: now)
        XCTAssertEqual(usage.capacity, 10)
        XCTAssertEqual(usage.used, 1)
        XCTAssertEqual(usage.coolingDown, 1)
        XCTAssertEqual(usage.free, 8)
        XCTAssertEqual(usage.limits.maxPodsPerNode, 250)
        XCTAssertEqual(usage.limits.maxPodsPerVNet, 16_000)
    }

    func testIntegrityProblemsFindDuplicates() {
        var state = NetworkState(network: "n")
        let address = IPv4Address("10.240.0.10")!
        state.leases = [Lease(key: AttachmentKey(containerID: "a", ifname: "eth0"), address: address, createdAt: now, owner: "t"),
                        Lease(key: AttachmentKey(containerID: "b", ifname: "eth0"), address: address, createdAt: now, owner: "t")]
        XCTAssertEqual(state.integrityProblems().count, 1)
    }

    func testHostVethNamesAreShortStableAndDistinct() {
        let a = HostVethName.make(network: "n", key: AttachmentKey(containerID: "abc", ifname: "eth0"))
        XCTAssertEqual(a, HostVethName.make(network: "n", key: AttachmentKey(containerID: "abc", ifname: "eth0")))
        XCTAssertNotEqual(a, HostVethName.make(network: "n", key: AttachmentKey(containerID: "abc", ifname: "eth1")))
        XCTAssertNotEqual(a, HostVethName.make(network: "m", key: AttachmentKey(containerID: "abc", ifname: "eth0")))
        XCTAssertLessThanOrEqual(a.utf8.count, 15)
        XCTAssertTrue(a.hasPrefix("vn"))
    }
}
