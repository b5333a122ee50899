import XCTest
import VNetModel
import VNetSystem
@testable import VNetState

/// `StateStore.load(for:)` and `update(verb:lockTimeout:for:_:)`: a sealed document read in part for one
/// attachment gives that attachment's records whole and the other leases' addresses, and a commit from it
/// writes the same bytes a whole read would have written, or falls back to a whole read.
final class PartialReadTests: XCTestCase {
    private var directory: TemporaryDataDirectory!

    override func setUpWithError() throws { directory = try TemporaryDataDirectory() }
    override func tearDown() { directory.remove() }

    /// Two stores on one directory: each has its own cache, as two plugin processes do.
    private func stores(_ base: NetworkState) throws -> (StateStore, StateStore) {
        let first = try StateStore(dataDir: directory.path, network: base.network)
        try first.update(verb: "seed", lockTimeout: 1) { $0 = base }
        return (first, try StateStore(dataDir: directory.path, network: base.network))
    }

    func testThePartialReadHasTheFocusWholeAndTheOthersAddresses() throws {
        let base = StateDocumentCodecTests.sample(pods: 30)
        let (_, store) = try stores(base)
        let whole = try store.load()
        let focus = whole.leases[11].key
        let partial = try StateStore(dataDir: directory.path, network: base.network).load(for: focus)
        // The other leases are stand-ins that hold their addresses only.
        XCTAssertEqual(partial.leases.map(\.key), whole.leases.map { $0.key == focus ? focus : .unread })
        XCTAssertEqual(partial.leases.map(\.address), whole.leases.map(\.address))
        XCTAssertEqual(partial.lease(holding: whole.leases[3].address)?.key, .unread)
        // The other attachments' endpoints are left unread: stand-ins for the runs before and after the focus's.
        XCTAssertEqual(partial.endpoints.filter { !$0.isUnreadRun }, whole.endpoints.filter { $0.key == focus })
        XCTAssertEqual(partial.endpoints.map(\.isUnreadRun), [true, false, true])
        XCTAssertEqual(partial.lease(for: focus), whole.lease(for: focus))
        XCTAssertEqual(partial.endpoint(for: focus), whole.endpoint(for: focus))
        XCTAssertEqual(partial.released, whole.released)
        XCTAssertEqual(partial.quarantined, whole.quarantined)
        XCTAssertEqual(partial.flagged, whole.flagged)
        XCTAssertEqual(partial.generation, whole.generation)
        XCTAssertNotEqual(partial, whole, "the other records were not read whole")
        // The same process asking for the whole document is not served the partial one.
        let again = try StateStore(dataDir: directory.path, network: base.network)
        XCTAssertEqual(try again.load(for: focus), partial)
        XCTAssertEqual(try again.load(), whole)
    }

    func testCommitsFromAPartialReadWriteWhatAWholeReadWrites() throws {
        let base = StateDocumentCodecTests.sample(pods: 30)
        let created = Date(timeIntervalSince1970: 1_800_000_500)
        let newKey = AttachmentKey(containerID: "new-pod", ifname: "eth0")
        let changes: [(String, AttachmentKey, (inout NetworkState) -> Void)] = [
            ("ADD", newKey, { state in
                state.leases.append(Lease(key: newKey, address: IPv4Address(10, 240, 9, 1), createdAt: created, owner: "vnet"))
                state.upsert(Endpoint(key: newKey, phase: .ready, address: IPv4Prefix(address: IPv4Address(10, 240, 9, 1), length: 16),
                                      gateway: IPv4Address(10, 240, 0, 1), hostVeth: "vnnew", podMAC: nil, netns: "/n",
                                      bridge: "vnet0", pod: PodIdentity(), createdAt: created))
            }),
            ("DEL", base.leases[3].key, { state in
                _ = state.release(base.leases[3].key, at: created)
                state.removeEndpoint(base.leases[3].key)
            }),
            ("endpoint of the focus changed", base.endpoints[2].key, { state in
                if let index = state.endpoints.firstIndex(where: { $0.key == base.endpoints[2].key }) { state.endpoints[index].phase = .attaching }
            }),
            // Where the focus's endpoint sits decides which unread runs surround it: first, last, none.
            ("DEL of the first endpoint", base.endpoints[0].key, { state in
                _ = state.release(base.endpoints[0].key, at: created)
                state.removeEndpoint(base.endpoints[0].key)
            }),
            ("DEL of the last endpoint", base.endpoints[base.endpoints.count - 1].key, { state in
                state.removeEndpoint(base.endpoints[base.endpoints.count - 1].key)
            }),
            ("the last endpoint changed", base.endpoints[base.endpoints.count - 1].key, { state in
                if let index = state.endpoints.firstIndex(where: { $0.key == base.endpoints[base.endpoints.count - 1].key }) {
                    state.endpoints[index].hostVeth = "vnchanged"
                }
            }),
            ("an endpoint for a lease that had none", base.leases.first { l in !base.endpoints.contains { $0.key == l.key } }!.key, { state in
                let key = base.leases.first { l in !base.endpoints.contains { $0.key == l.key } }!.key
                state.upsert(Endpoint(key: key, phase: .attaching, address: IPv4Prefix(address: IPv4Address(10, 240, 9, 2), length: 16),
                                      gateway: IPv4Address(10, 240, 0, 1), hostVeth: "vnlate", podMAC: "02:00:00:00:00:09",
                                      netns: "/n", bridge: "vnet0", pod: PodIdentity(), createdAt: created))
            }),
        ]
        for (what, key, change) in changes {
            let (wholeStore, _) = try stores(base)
            try wholeStore.update(verb: "t", lockTimeout: 1) { change(&$0) }
            let expected = try XCTUnwrap(try Files.read(wholeStore.statePath))

            let (_, partialStore) = try stores(base)
            var sawPartial = false
            try partialStore.update(verb: "t", lockTimeout: 1, for: key) { state in
                sawPartial = state.leases.contains { $0.owner.isEmpty }
                change(&state)
            }
            XCTAssertTrue(sawPartial, "\(what): the body got a partial document")
            XCTAssertEqual(String(decoding: try XCTUnwrap(try Files.read(partialStore.statePath)), as: UTF8.self),
                           String(decoding: expected, as: UTF8.self), what)
        }
    }

    func testTheOnlyEndpointAndAnEmptyArrayAreReadAndWrittenInPartToo() throws {
        let one = StateDocumentCodecTests.sample(pods: 2)  // two leases, one endpoint
        XCTAssertEqual(one.endpoints.count, 1)
        let key = try XCTUnwrap(one.endpoints.first?.key)
        for (what, change) in [("DEL of the only endpoint", { (state: inout NetworkState) in state.removeEndpoint(key) }),
                               ("its phase", { (state: inout NetworkState) in state.endpoints[0].phase = .attaching })] {
            let (wholeStore, _) = try stores(one)
            try wholeStore.update(verb: "t", lockTimeout: 1) { change(&$0) }
            let expected = try XCTUnwrap(try Files.read(wholeStore.statePath))
            let (_, partialStore) = try stores(one)
            try partialStore.update(verb: "t", lockTimeout: 1, for: key) { change(&$0) }
            XCTAssertEqual(try Files.read(partialStore.statePath), expected, what)
            // And from the empty array that leaves, an ADD's endpoint in part.
            let newKey = AttachmentKey(containerID: "after", ifname: "eth0")
            let add = { (state: inout NetworkState) in
                state.upsert(Endpoint(key: newKey, phase: .ready, address: IPv4Prefix(address: IPv4Address(10, 240, 9, 3), length: 16),
                                      gateway: IPv4Address(10, 240, 0, 1), hostVeth: "vnafter", podMAC: nil, netns: "/n",
                                      bridge: "vnet0", pod: PodIdentity(), createdAt: Date(timeIntervalSince1970: 1_800_000_600)))
            }
            try wholeStore.update(verb: "t", lockTimeout: 1) { add(&$0) }
            try partialStore.update(verb: "t", lockTimeout: 1, for: newKey) { add(&$0) }
            XCTAssertEqual(try Files.read(partialStore.statePath), try Files.read(wholeStore.statePath), "\(what), then an ADD")
        }
    }

    func testASecondEndpointForTheFocusSendsTheReadWhole() throws {
        var base = StateDocumentCodecTests.sample(pods: 6)
        base.endpoints.append(base.endpoints[1])  // as a hand edit could leave it, sealed by the next commit
        let bytes = try StateCodec.encode(base)
        guard case .success(let document) = StateCodec.decodeDocument(bytes, focus: base.endpoints[1].key) else { return XCTFail("refused") }
        XCTAssertNil(document.partialFor, "read whole")
        XCTAssertEqual(document.state, base)
    }

    func testAnotherAttachmentsEndpointChangedFromAPartialReadIsMadeOnTheWholeDocument() throws {
        let base = StateDocumentCodecTests.sample(pods: 12)
        let (_, store) = try stores(base)
        let focus = base.endpoints[0].key, other = base.endpoints[4].key
        var runs = 0
        try store.update(verb: "t", lockTimeout: 1, for: focus) { state in
            runs += 1
            // From a partial read the other endpoint is not there to change; on the whole document it is.
            if let index = state.endpoints.firstIndex(where: { $0.key == other }) { state.endpoints[index].phase = .attaching }
            else { state.upsert(Endpoint(key: other, phase: .attaching, address: base.endpoints[4].address, gateway: base.endpoints[4].gateway,
                                         hostVeth: base.endpoints[4].hostVeth, podMAC: base.endpoints[4].podMAC, netns: base.endpoints[4].netns,
                                         bridge: base.endpoints[4].bridge, pod: base.endpoints[4].pod, createdAt: base.endpoints[4].createdAt)) }
        }
        XCTAssertEqual(runs, 2, "the body ran again on the whole document")
        let after = try StateStore(dataDir: directory.path, network: base.network).load()
        XCTAssertEqual(after.endpoints.count, base.endpoints.count, "no endpoint was lost or doubled")
        XCTAssertEqual(after.endpoint(for: other)?.phase, .attaching)
    }

    func testAChangeBeyondTheFocusIsMadeOnTheWholeDocumentInstead() throws {
        let base = StateDocumentCodecTests.sample(pods: 12)
        let (_, store) = try stores(base)
        let focus = base.leases[0].key
        // Read in part, another attachment's lease is a stand-in found by its address (its key is unread).
        let other = base.leases[5].address
        var runs = 0
        try store.update(verb: "t", lockTimeout: 1, for: focus) { state in
            runs += 1
            if let index = state.leases.firstIndex(where: { $0.address == other }) { state.leases[index].owner = "changed" }
        }
        XCTAssertEqual(runs, 2, "the body ran again on the whole document")
        let after = try StateStore(dataDir: directory.path, network: base.network).load()
        var expected = base
        expected.leases[5].owner = "changed"
        XCTAssertEqual(after.leases, expected.leases, "no other record lost its values")
        XCTAssertEqual(after.endpoints, base.endpoints)
    }

    func testAProblemFoundInPartIsWordedWithTheRealKeys() throws {
        var bad = StateDocumentCodecTests.sample(pods: 6)
        bad.leases[4].address = bad.leases[1].address
        let bytes = try StateCodec.encode(bad)
        guard case .failure(let failure) = StateCodec.decodeDocument(bytes, focus: bad.leases[0].key) else {
            return XCTFail("two leases on one address were accepted")
        }
        XCTAssertEqual(failure.reason, "address \(bad.leases[1].address) is leased to both \(bad.leases[1].key) and \(bad.leases[4].key)")
    }

    func testADocumentWithoutAnIntactSealIsReadWholeAndDamageIsStillRefused() throws {
        let base = StateDocumentCodecTests.sample(pods: 6)
        let good = String(decoding: try StateCodec.encode(base), as: UTF8.self)
        let focus = base.leases[0].key
        guard case .success(let sealed) = StateCodec.decodeDocument(Array(good.utf8), focus: focus) else { return XCTFail("refused") }
        XCTAssertEqual(sealed.partialFor, focus, "an intact seal: read in part")

        // Damage in a record that is not the focus: the seal no longer matches, the whole read refuses it.
        let bad = good.replacingOccurrences(of: "\"createdAt\": \"2027-01-15T08:02:06Z\"", with: "\"createdAt\": \"2027-13-15T08:02:06Z\"")
        XCTAssertNotEqual(bad, good, "the sample has that date")
        guard case .failure = StateCodec.decodeDocument(Array(bad.utf8), focus: focus) else { return XCTFail("the damage was accepted") }

        // A valid edit (another owner) without a new seal: read whole, and right.
        let edited = good.replacingOccurrences(of: "\"owner\": \"vnet-ipam\"", with: "\"owner\": \"edited\"")
        XCTAssertNotEqual(edited, good)
        guard case .success(let whole) = StateCodec.decodeDocument(Array(edited.utf8), focus: focus) else { return XCTFail("refused") }
        XCTAssertNil(whole.partialFor)
        XCTAssertTrue(whole.state.leases.contains { $0.owner == "edited" })

        // A document without a seal at all (an older vnet's) is read whole too.
        let unsealed = good.replacingOccurrences(of: #",\n  "seal": "[0-9a-f]{16}""#, with: "", options: .regularExpression)
        XCTAssertFalse(unsealed.contains("\"seal\""))
        guard case .success(let old) = StateCodec.decodeDocument(Array(unsealed.utf8), focus: focus) else { return XCTFail("refused") }
        XCTAssertNil(old.partialFor)
        XCTAssertEqual(old.state, base)
    }

    func testTheSealSeesEveryChangedByteAndEveryCut() throws {
        let bytes = try StateCodec.encode(StateDocumentCodecTests.sample(pods: 3))
        XCTAssertTrue(bytes.withUnsafeBufferPointer { DocumentSeal.isIntact($0) })
        for position in stride(from: 0, to: bytes.count, by: 7) {
            var changed = bytes
            changed[position] ^= 0x01
            XCTAssertFalse(changed.withUnsafeBufferPointer { DocumentSeal.isIntact($0) }, "byte \(position) changed")
        }
        for cut in [1, 2, 17, bytes.count / 2] {
            let shorter = Array(bytes.dropLast(cut))
            XCTAssertFalse(shorter.withUnsafeBufferPointer { DocumentSeal.isIntact($0) }, "\(cut) bytes cut")
        }
    }
}
