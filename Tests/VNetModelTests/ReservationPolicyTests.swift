import Testing
import VNetModel

@Suite struct ReservationPolicyTests {
    let policy = ReservationPolicy(step: 16, giveBackAfter: 30)

    @Test func headroomIsTheNextStepAboveWhatIsUsed() {
        #expect(policy.target(used: 0, underPressure: false) == 16)
        #expect(policy.target(used: 15, underPressure: false) == 16)
        #expect(policy.target(used: 16, underPressure: false) == 32)
        #expect(policy.target(used: 3, need: 20, underPressure: false) == 32)
    }

    @Test func growsAtOnceWhenTheHeadroomIsGone() {
        #expect(policy.decide(reserved: 16, used: 16, underPressure: false, aboveSince: nil, now: 0) == .grow(to: 32))
        #expect(policy.decide(reserved: 16, used: 4, underPressure: false, aboveSince: nil, now: 0) == .keep)
    }

    @Test func givesBackOnlyAfterTheDelay() {
        #expect(policy.decide(reserved: 48, used: 4, underPressure: false, aboveSince: nil, now: 100) == .wait)
        #expect(policy.decide(reserved: 48, used: 4, underPressure: false, aboveSince: 80, now: 100) == .wait)
        #expect(policy.decide(reserved: 48, used: 4, underPressure: false, aboveSince: 70, now: 100) == .giveBack(to: 16))
    }

    @Test func underPressureEveryNodeKeepsExactlyWhatItUses() {
        #expect(policy.decide(reserved: 48, used: 4, underPressure: true, aboveSince: nil, now: 0) == .giveBack(to: 4))
        #expect(policy.decide(reserved: 4, used: 4, underPressure: true, aboveSince: nil, now: 0) == .keep)
        #expect(policy.decide(reserved: 4, used: 4, need: 5, underPressure: true, aboveSince: nil, now: 0) == .grow(to: 5))
    }

    @Test func neverGivesBackBelowWhatIsInUse() {
        // A reservation that was granted short (the VNet was full) and pods beyond the target: keep.
        #expect(policy.decide(reserved: 10, used: 10, underPressure: true, aboveSince: 0, now: 100) == .keep)
        #expect(policy.decide(reserved: 20, used: 20, underPressure: false, aboveSince: 0, now: 100) == .grow(to: 32))
    }
}

@Suite struct VNetConflictTests {
    func record(_ name: String, _ ranges: [String], leased: [String] = []) -> NodeRecord {
        NodeRecord(name: name, primaryAddress: nil, poolRanges: ranges, capacity: 0, used: leased.count, leaks: 0,
                   leased: leased.compactMap { IPv4Address($0) }, agentVersion: "t", updatedAt: .init(timeIntervalSince1970: 0))
    }

    @Test func overlappingPoolsAndSharedAddressesAreFound() {
        let found = VNetConflict.find(in: [
            record("a", ["10.0.0.10-10.0.0.50"], leased: ["10.0.0.12"]),
            record("b", ["10.0.0.40-10.0.0.90"], leased: ["10.0.0.12"]),
            record("c", ["10.0.1.0/24"]),
        ])
        #expect(found == [
            VNetConflict(kind: .overlappingPools, nodes: ["a", "b"], subject: "10.0.0.40-10.0.0.50"),
            VNetConflict(kind: .addressOnTwoNodes, nodes: ["a", "b"], subject: "10.0.0.12"),
        ])
    }

    @Test func disjointNodesHaveNoConflict() {
        #expect(VNetConflict.find(in: [record("a", ["10.0.0.0/25"], leased: ["10.0.0.1"]), record("b", ["10.0.0.128/25"])]).isEmpty)
    }
}
