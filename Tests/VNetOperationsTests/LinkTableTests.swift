import XCTest
import VNetModel
@testable import VNetOperations

/// Between link events the console reads counters only; anything that may have changed a link brings the
/// full dump back.
final class LinkTableTests: XCTestCase {
    func veth(_ index: Int32, _ name: String, rx: UInt64) -> Link {
        Link(index: index, name: name, kind: "veth", master: "vnet0", operState: .up, adminUp: true, mtu: 1500,
                 mac: "", counters: LinkCounters(rxBytes: rx))
    }

    func testCountersMoveWithoutAFullDumpUntilSomethingChanges() throws {
        let kernel = FakeKernel()
        kernel.linkTable = ["a": veth(2, "a", rx: 10), "b": veth(3, "b", rx: 20)]
        let table = LinkTable(maximumAge: 30)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertEqual(try table.links(from: kernel, now: start).count, 2)
        XCTAssertEqual(kernel.linkDumps, 1)

        kernel.linkTable["a"]?.counters.rxBytes = 99
        let moved = try table.links(from: kernel, now: start + 1)
        XCTAssertEqual(moved.first { $0.name == "a" }?.counters.rxBytes, 99)
        XCTAssertEqual(kernel.linkDumps, 1, "counters only")

        kernel.linkTable["c"] = veth(4, "c", rx: 0)
        XCTAssertEqual(try table.links(from: kernel, now: start + 2).count, 3, "a new link is seen")
        XCTAssertEqual(kernel.linkDumps, 2)

        kernel.linkTable["a"]?.operState = .down
        XCTAssertEqual(try table.links(from: kernel, now: start + 3).first { $0.name == "a" }?.operState, .up,
                       "without an event the cached state stands")
        table.linkChanged(index: 2)
        XCTAssertEqual(try table.links(from: kernel, now: start + 3).first { $0.name == "a" }?.operState, .down)
        XCTAssertEqual(kernel.linkDumps, 2, "a link event has that link read again, not all of them")

        table.invalidate()
        _ = try table.links(from: kernel, now: start + 4)
        XCTAssertEqual(kernel.linkDumps, 3, "an overflow brings the full dump")
        for index in Int32(100)..<Int32(100 + LinkTable.maximumSingleReads + 1) { table.linkChanged(index: index) }
        _ = try table.links(from: kernel, now: start + 5)
        XCTAssertEqual(kernel.linkDumps, 4, "and so does a storm of events")
        _ = try table.links(from: kernel, now: start + 6)
        XCTAssertEqual(kernel.linkDumps, 4)
        _ = try table.links(from: kernel, now: start + 40)
        XCTAssertEqual(kernel.linkDumps, 5, "and so does age")
    }
}
