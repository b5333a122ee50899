import XCTest
import VNetModel
@testable import VNetConsole

/// The endpoint details' stages are computed apart from drawing, so what each hop says is checked here
/// without a frame; the goldens check how it is drawn.
final class DetailStageTests: XCTestCase {
    private let snapshot = FakeSnapshots.snapshot()

    private func endpoint(_ name: String, in s: NodeSnapshot) -> EndpointView? {
        s.endpoints.first { $0.pod.display.hasSuffix("/" + name) }
    }

    func testMissingVethCutsThePathAtTheVeth() throws {
        let data = ConsoleData(current: snapshot, previous: nil)
        let e = try XCTUnwrap(endpoint("job-old", in: snapshot))
        XCTAssertEqual(DetailStage.podInterface(e, data).lines[1], .init("netns \(e.netns) (GONE)", .bad))
        let veth = DetailStage.hostVeth(e, data)
        XCTAssertEqual(veth.role, .bad)
        XCTAssertEqual(veth.lines, [.init("missing from the kernel: the pod has no path to the node", .bad)])
        let bridge = DetailStage.bridge(e, data)
        XCTAssertEqual(bridge.title, "bridge vnet0")
        XCTAssertEqual(bridge.role, .dim)
    }

    func testVethOnAnotherBridgeIsBad() throws {
        var s = snapshot
        let i = try XCTUnwrap(s.endpoints.firstIndex { $0.pod.display.hasSuffix("/web-1") })
        s.endpoints[i].link?.master = "br-other"
        let stage = DetailStage.bridge(s.endpoints[i], ConsoleData(current: s, previous: nil))
        XCTAssertEqual(stage.role, .bad)
        XCTAssertEqual(stage.lines, [.init("bridge br-other not found (expected vnet0)", .bad)])
        s.endpoints[i].link?.master = nil
        XCTAssertEqual(DetailStage.bridge(s.endpoints[i], ConsoleData(current: s, previous: nil)).lines,
                       [.init("the veth is not attached to any bridge", .bad)])
    }

    func testCountersMoveOnlyWithASecondSnapshot() throws {
        let e = try XCTUnwrap(endpoint("web-1", in: snapshot))
        let still = DetailStage.hostVeth(e, ConsoleData(current: snapshot, previous: nil)).lines[1].text
        let moving = DetailStage.hostVeth(e, ConsoleData(current: snapshot, previous: FakeSnapshots.previous)).lines[1].text
        XCTAssertFalse(still.contains("(+"))
        XCTAssertTrue(moving.contains("(+"))
    }

    func testNATAbsentSaysTheAddressLeavesAsItIs() throws {
        var s = snapshot
        s.nat.present = false
        let e = try XCTUnwrap(endpoint("web-1", in: s))
        let stage = DetailStage.nat(e, ConsoleData(current: s, previous: nil))
        XCTAssertEqual(stage.role, .bad)
        XCTAssertEqual(stage.lines.count, 1)
        let lines = DetailStage.nat(e, ConsoleData(current: snapshot, previous: nil)).lines.map(\.text)
        XCTAssertEqual(lines.count, 2 + 1 + snapshot.nat.rules.count, "its public IP and host ports, the pod's counter, then every rule")
        XCTAssertEqual(lines[0], "public IP 198.51.100.10: reached at it, and leaves with it to the internet")
        XCTAssertEqual(lines[1], "host ports tcp 8080->80, 10.240.0.44:5353/udp->53")
    }
}
