import XCTest
import Glibc
import VNetIPAM
import VNetModel
import VNetState
@testable import VNetOperations

/// An attach plan names the address it will take, and carrying it out takes that address, or, when another
/// attachment took it since the plan, the next free one and says which.
final class PlanAttachTests: XCTestCase {
    var dataDir = ""
    var kernel = FakeKernel()
    var node: Node!

    override func setUpWithError() throws {
        kernel = FakeKernel()
        kernel.aliveNamespaces = ["/ns/a", "/ns/b", "/ns/c", "/ns/d"]
        let made = try StaticPoolNode(addresses: "10.240.1.10-10.240.1.12", kernel: kernel)
        dataDir = made.dataDir
        node = made.node
    }

    override func tearDown() {
        _ = try? FileManagerless.removeTree(dataDir)
    }

    private func request(_ id: String, _ netns: String, requested: String? = nil) -> AttachRequest {
        AttachRequest(key: AttachmentKey(containerID: id, ifname: "eth0"), netns: netns, requested: requested.flatMap { IPv4Address($0) })
    }

    func testThePlanNamesTheNextFreeAddressInItsLines() throws {
        _ = try node.attach(request("first", "/ns/a"))
        let plan = try node.planAttach(request("second", "/ns/b"))
        XCTAssertEqual(plan.changes.first?.description, "lease: take 10.240.1.11, the pool's next free address, for second/eth0")
        XCTAssertTrue(plan.changes.contains { $0.description == "route: add 10.240.1.11/32 dev vnet0" }, "\(plan.changes)")
        XCTAssertTrue(plan.changes.contains { $0.description.hasPrefix("nat: add 10.240.1.11 to the pod sets") }, "\(plan.changes)")
        XCTAssertFalse(plan.changes.contains { $0.detail.contains("<address>") })
        XCTAssertEqual(plan.targets.first?.address, IPv4Address("10.240.1.11"))
        XCTAssertTrue(plan.facts.contains { $0.hasPrefix("10.240.1.11 still free") }, "\(plan.facts)")
        XCTAssertTrue(plan.warnings.isEmpty)
    }

    func testARequestedAddressIsTheOneShown() throws {
        let plan = try node.planAttach(request("asked", "/ns/a", requested: "10.240.1.12"))
        XCTAssertEqual(plan.changes.first?.detail, "take 10.240.1.12 (asked) for asked/eth0")
    }

    func testAPoolThatWouldRefuseIsAWarningBeforeConfirming() throws {
        let plan = try node.planAttach(request("outside", "/ns/a", requested: "10.240.9.9"))
        XCTAssertEqual(plan.warnings, ["the pool would refuse this attach now: requested address 10.240.9.9 is not in the pool"])
        XCTAssertEqual(plan.changes.first?.detail, "take 10.240.9.9 (asked) for outside/eth0")
        XCTAssertNil(plan.targets.first?.address)
    }

    func testApplyTakesThePlannedAddress() throws {
        let plan = try node.planAttach(request("second", "/ns/b"))
        let outcome = try node.carryOut(plan, by: Caller(tool: "test"))
        XCTAssertEqual(outcome.attachment?.allocation.address.address, IPv4Address("10.240.1.10"))
        XCTAssertEqual(outcome.line, "attached second/eth0: 10.240.1.10/16 via \(node.hostVeth(for: AttachmentKey(containerID: "second", ifname: "eth0")))")
    }

    func testApplySaysWhichAddressItTookWhenThePlannedOneWasTaken() throws {
        let plan = try node.planAttach(request("late", "/ns/b"))
        XCTAssertEqual(plan.targets.first?.address, IPv4Address("10.240.1.10"))
        // Another attach takes the planned address while the dialog is open.
        _ = try node.attach(request("early", "/ns/a"))
        let outcome = try node.carryOut(plan, by: Caller(tool: "test"))
        XCTAssertEqual(outcome.attachment?.allocation.address.address, IPv4Address("10.240.1.11"))
        XCTAssertTrue(outcome.line.hasSuffix("; 10.240.1.10 from the plan is no longer free (requested address 10.240.1.10 is already "
                                             + "leased to early/eth0); took 10.240.1.11 instead"), outcome.line)
        let events = node.events(limit: 10).events
        XCTAssertEqual(events.last?.message, outcome.line, "the event log says so too")
    }

    func testAPoolUsedUpSinceThePlanFailsAsThePoolSays() throws {
        let plan = try node.planAttach(request("late", "/ns/d"))
        for (id, netns) in [("x", "/ns/a"), ("y", "/ns/b"), ("z", "/ns/c")] { _ = try node.attach(request(id, netns)) }
        XCTAssertThrowsError(try node.carryOut(plan, by: Caller(tool: "test"))) { error in
            XCTAssertTrue("\(error)".contains("no addresses available"), "\(error)")
        }
        XCTAssertNil(try node.store.load().lease(for: AttachmentKey(containerID: "late", ifname: "eth0")), "nothing is left behind")
    }
}
