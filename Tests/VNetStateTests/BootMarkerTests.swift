import XCTest
import Glibc
@testable import VNetState
import VNetModel
import VNetSystem

/// Commits flush once per boot (the marker), and a document torn by a power cut is told apart from one
/// damaged within this boot by the marker alone.
final class BootMarkerTests: XCTestCase {
    private var directory: TemporaryDataDirectory!
    var dataDir: String { directory.path }

    override func setUpWithError() throws { directory = try TemporaryDataDirectory() }

    override func tearDown() { directory.remove() }

    func commitOneLease(_ store: StateStore) throws {
        try store.update(verb: "test", lockTimeout: 1) {
            $0.leases.append(Lease(key: AttachmentKey(containerID: "a", ifname: "eth0"), address: IPv4Address(10, 0, 0, 1),
                                   createdAt: Date(), owner: "t"))
        }
    }

    func testTheFirstCommitOfABootRecordsIt() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try commitOneLease(store)
        let marker = try XCTUnwrap(try Files.read(store.directory + "/boot"))
        XCTAssertEqual(String(decoding: marker, as: UTF8.self), try XCTUnwrap(BootMarker.currentBootID) + "\n")
        XCTAssertEqual(BootMarker(directory: store.directory).standing(), .thisBoot)
    }

    func testDamageWithinThisBootIsStillRefused() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try commitOneLease(store)
        try Files.replaceAtomically(store.statePath, with: Array("{\"schema\": 1, \"leas".utf8))
        XCTAssertThrowsError(try store.load()) { error in
            guard case StateError.corrupt = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try store.update(verb: "test", lockTimeout: 1) { _ in })
    }

    func testADocumentTornInAnEarlierBootStartsTheNetworkEmptyAndIsKept() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try commitOneLease(store)
        try commitOneLease(store)  // a second commit, so that state.json.prev exists
        try Files.replaceAtomically(store.directory + "/boot", with: Array("00000000-0000-0000-0000-000000000000\n".utf8))
        let torn = Array(repeating: UInt8(0), count: 512)
        try Files.replaceAtomically(store.statePath, with: torn)
        XCTAssertEqual(try store.load().leases, [], "a reader sees the empty network")
        XCTAssertEqual(try Files.read(store.statePath), torn, "a reader changes nothing")
        try commitOneLease(store)
        let state = try store.load()
        XCTAssertEqual(state.leases.count, 1)
        XCTAssertEqual(state.generation, 1)
        let kept = Files.list(store.directory).filter { $0.contains(".corrupt-") && $0.hasSuffix("-earlier-boot") }
        XCTAssertEqual(kept.count, 1, "\(Files.list(store.directory))")
        XCTAssertEqual(try Files.read(store.directory + "/" + kept[0]), torn)
        XCTAssertEqual(BootMarker(directory: store.directory).standing(), .thisBoot)
    }

    func testWithoutAMarkerDamageIsRefused() throws {
        let store = try StateStore(dataDir: dataDir, network: "net")
        try commitOneLease(store)
        unlink(store.directory + "/boot")
        try Files.replaceAtomically(store.statePath, with: Array("garbage".utf8))
        XCTAssertThrowsError(try store.load())
    }
}
