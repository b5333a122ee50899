import XCTest
import VNetModel
@testable import VNetState

/// A commit copies the records it did not change from the previous document. Whatever the change, the
/// bytes must be exactly those of a document written whole, and the spans must point at the records.
final class RecordReuseTests: XCTestCase {
    private func previous(_ state: NetworkState) throws -> WrittenDocument {
        guard case .success(let document) = StateCodec.decodeDocument(try StateCodec.encode(state)) else {
            throw XCTSkip("the sample was refused")
        }
        return document
    }

    private func assertSameAsWrittenWhole(_ changed: NetworkState, from base: NetworkState, _ what: String,
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let reused = StateCodec.encode(changed, reusing: try previous(base))
        XCTAssertEqual(String(decoding: reused.bytes, as: UTF8.self), String(decoding: try StateCodec.encode(changed), as: UTF8.self),
                       what, file: file, line: line)
        // The spans the writer reports are the ones a reader finds: the next commit can trust them.
        guard case .success(let reread) = StateCodec.decodeDocument(reused.bytes) else { return XCTFail(what, file: file, line: line) }
        XCTAssertEqual(reread.spans, reused.spans, what, file: file, line: line)
        XCTAssertEqual(reread.state, changed, what, file: file, line: line)
    }

    func testEveryKindOfChangeWritesTheSameBytesAsAWholeWrite() throws {
        let base = StateDocumentCodecTests.sample(pods: 40)
        var appended = base
        appended.leases.append(Lease(key: AttachmentKey(containerID: "new", ifname: "eth0"), address: IPv4Address(10, 240, 7, 7),
                                     createdAt: Date(timeIntervalSince1970: 1_800_000_999), owner: "vnet"))
        try assertSameAsWrittenWhole(appended, from: base, "one lease appended")

        var removed = base
        removed.leases.remove(at: 17)
        removed.endpoints.remove(at: 3)
        try assertSameAsWrittenWhole(removed, from: base, "one lease and one endpoint removed")

        var manyRemoved = base
        manyRemoved.leases.removeSubrange(5..<25)
        manyRemoved.endpoints.removeAll { $0.phase == .attaching }
        try assertSameAsWrittenWhole(manyRemoved, from: base, "runs of records removed (GC)")

        var changedInPlace = base
        changedInPlace.endpoints[4].phase = changedInPlace.endpoints[4].phase == .ready ? .attaching : .ready
        changedInPlace.leases[0].netns = "/var/run/netns/elsewhere"
        try assertSameAsWrittenWhole(changedInPlace, from: base, "records changed in place")

        var reordered = base
        reordered.leases.reverse()
        try assertSameAsWrittenWhole(reordered, from: base, "records in another order")

        try assertSameAsWrittenWhole(NetworkState(network: "azure"), from: base, "everything removed")
        try assertSameAsWrittenWhole(base, from: NetworkState(network: "azure"), "everything new")
        try assertSameAsWrittenWhole(base, from: base, "nothing changed")
    }

    func testUnchangedRecordsAreCopiedNotWrittenAgain() throws {
        // Plant bytes that differ from what the writer would write, but read the same (wider spacing);
        // if the commit copies, the planted spacing survives in the untouched records.
        let base = StateDocumentCodecTests.sample(pods: 5)
        let canonical = String(decoding: try StateCodec.encode(base), as: UTF8.self)
        let planted = canonical.replacingOccurrences(of: "\"owner\": ", with: "\"owner\":    ")
        guard case .success(let document) = StateCodec.decodeDocument(Array(planted.utf8)) else { return XCTFail("refused") }
        XCTAssertEqual(document.state, base)
        var changed = base
        changed.leases[2].owner = "vnet-ipam"
        let written = String(decoding: StateCodec.encode(changed, reusing: document).bytes, as: UTF8.self)
        XCTAssertEqual(written.components(separatedBy: "\"owner\":    ").count - 1, 4, "the four unchanged leases were copied")
        XCTAssertTrue(written.contains("\"owner\": \"vnet-ipam\""), "the changed one was written")
    }

    func testSpansThatDoNotDescribeTheRecordsDisableReuse() throws {
        let base = StateDocumentCodecTests.sample(pods: 6)
        var document = try previous(base)
        document.spans.leases.removeLast()
        XCTAssertEqual(StateCodec.encode(base, reusing: document).bytes, try StateCodec.encode(base))
    }
}
