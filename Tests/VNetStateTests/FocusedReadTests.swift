import XCTest
import VNetModel
import VNetSystem
@testable import VNetState

/// `StateStore.load(for:)` and `update(verb:lockTimeout:for:_:)`: a sealed document read for one attachment
/// gives exactly the `AttachmentState` of the document read whole, and a commit of its changes writes the
/// bytes that `NetworkState.apply(_:)` on the whole document, then committed, writes.
final class FocusedReadTests: XCTestCase {
    private var directory: TemporaryDataDirectory!

    override func setUpWithError() throws { directory = try TemporaryDataDirectory() }
    override func tearDown() { directory.remove() }

    /// A store whose document is `base` as vnet writes it (written by another process: nothing cached).
    private func store(_ base: NetworkState) throws -> StateStore {
        let store = try StateStore(dataDir: directory.path, network: base.network)
        try Files.replaceAtomically(store.statePath, with: try StateCodec.encode(base), mode: 0o600, sync: false)
        return store
    }

    private func focused(_ bytes: [UInt8], _ key: AttachmentKey, file: StaticString = #filePath, line: UInt = #line) throws -> FocusedDocument {
        guard case .success(.inPart(let document)) = StateCodec.decodeDocument(bytes, for: key) else {
            XCTFail("not read in part", file: file, line: line)
            throw XCTSkip()
        }
        return document
    }

    func testTheFocusedReadIsTheAttachmentStateOfTheWholeRead() throws {
        let base = StateDocumentCodecTests.sample(pods: 30)
        let bytes = try StateCodec.encode(base)
        let withoutEndpoint = try XCTUnwrap(base.leases.first { l in !base.endpoints.contains { $0.key == l.key } }?.key)
        let keys = [base.endpoints[0].key, base.endpoints[11].key, base.endpoints[base.endpoints.count - 1].key, withoutEndpoint,
                    base.leases[base.leases.count - 1].key, AttachmentKey(containerID: "unknown", ifname: "eth0")]
        for key in keys {
            let document = try focused(bytes, key)
            XCTAssertEqual(document.attachment, base.attachment(key), "\(key)")
            XCTAssertEqual(document.attachment.others.count + (document.attachment.lease == nil ? 0 : 1), base.leases.count)
            // Through the store, from a fresh process's view.
            XCTAssertEqual(try self.store(base).load(for: key), base.attachment(key), "\(key)")
        }
        // The other leases are real keys and addresses, in the document's order.
        let key = base.leases[11].key
        XCTAssertEqual(try focused(bytes, key).attachment.others,
                       base.leases.filter { $0.key != key }.map { LeasedAddress(key: $0.key, address: $0.address) })
    }

    func testCommitsOfAFocusedReadWriteWhatTheWholeStateWrites() throws {
        let base = StateDocumentCodecTests.sample(pods: 30)
        let created = Date(timeIntervalSince1970: 1_800_000_500)
        let withoutEndpoint = try XCTUnwrap(base.leases.first { l in !base.endpoints.contains { $0.key == l.key } }?.key)
        func endpoint(_ key: AttachmentKey, _ last: UInt8) -> Endpoint {
            Endpoint(key: key, phase: .attaching, address: IPv4Prefix(address: IPv4Address(10, 240, 9, last), length: 16),
                     gateway: IPv4Address(10, 240, 0, 1), hostVeth: "vn\(last)", podMAC: nil, netns: "/n", bridge: "vnet0",
                     pod: PodIdentity(), createdAt: created)
        }
        let newKey = AttachmentKey(containerID: "new-pod", ifname: "eth0")
        let last = base.endpoints[base.endpoints.count - 1].key
        let changes: [(String, AttachmentKey, (inout AttachmentState) -> Void)] = [
            ("ADD", newKey, { state in
                state.lease = Lease(key: newKey, address: IPv4Address(10, 240, 9, 1), createdAt: created, owner: "vnet")
                state.released.removeAll { $0.address == IPv4Address(10, 240, 9, 1) }
                state.endpoint = endpoint(newKey, 1)
            }),
            ("DEL", base.leases[3].key, { state in
                state.release(at: created)
                state.endpoint = nil
            }),
            ("endpoint of the focus changed", base.endpoints[2].key, { state in state.endpoint?.phase = .attaching }),
            // Where the focus's endpoint sits decides which runs surround it: first, last, none.
            ("DEL of the first endpoint", base.endpoints[0].key, { state in
                state.release(at: created)
                state.endpoint = nil
            }),
            ("DEL of the last endpoint", last, { state in state.endpoint = nil }),
            ("the last endpoint changed", last, { state in state.endpoint?.hostVeth = "vnchanged" }),
            ("an endpoint for a lease that had none", withoutEndpoint, { state in state.endpoint = endpoint(withoutEndpoint, 2) }),
            ("a new lease in place of the old", base.endpoints[5].key, { state in
                state.release(at: created)
                state.lease = Lease(key: base.endpoints[5].key, address: IPv4Address(10, 240, 9, 3), createdAt: created, owner: "vnet")
            }),
            ("the lists", base.leases[0].key, { state in
                state.flagged = [IPv4Address(10, 240, 0, 9)]
                state.quarantined = []
            }),
        ]
        for (what, key, change) in changes {
            // The whole state, changed the same way and committed.
            var whole = base
            var attachment = whole.attachment(key)
            change(&attachment)
            whole.apply(attachment)
            whole.generation += 1
            let expected = try StateCodec.encode(whole)

            let document = try focused(try StateCodec.encode(base), key)
            var changed = document.attachment
            change(&changed)
            XCTAssertEqual(changed, attachment, what)
            XCTAssertEqual(String(decoding: StateDocumentWriter.bytes(changed, over: document, generation: base.generation + 1), as: UTF8.self),
                           String(decoding: expected, as: UTF8.self), what)

            // Through the store.
            let store = try self.store(base)
            try store.update(verb: "t", lockTimeout: 1, for: key) { change(&$0) }
            XCTAssertEqual(try Files.read(store.statePath), expected, what)
            XCTAssertEqual(try store.load(), whole, what)
        }
    }

    func testTheOnlyEndpointAndAnEmptyArrayAreReadAndWrittenInPartToo() throws {
        let one = StateDocumentCodecTests.sample(pods: 2)  // two leases, one endpoint
        XCTAssertEqual(one.endpoints.count, 1)
        let key = try XCTUnwrap(one.endpoints.first?.key)
        let newKey = AttachmentKey(containerID: "after", ifname: "eth0")
        let added = Endpoint(key: newKey, phase: .ready, address: IPv4Prefix(address: IPv4Address(10, 240, 9, 3), length: 16),
                             gateway: IPv4Address(10, 240, 0, 1), hostVeth: "vnafter", podMAC: nil, netns: "/n", bridge: "vnet0",
                             pod: PodIdentity(), createdAt: Date(timeIntervalSince1970: 1_800_000_600))
        for (what, change) in [("DEL of the only endpoint", { (state: inout AttachmentState) in state.endpoint = nil }),
                               ("its phase", { (state: inout AttachmentState) in state.endpoint?.phase = .attaching })] {
            var whole = one
            var attachment = whole.attachment(key)
            change(&attachment)
            whole.apply(attachment)
            whole.generation += 1
            let store = try self.store(one)
            try store.update(verb: "t", lockTimeout: 1, for: key) { change(&$0) }
            XCTAssertEqual(try Files.read(store.statePath), try StateCodec.encode(whole), what)
            // And from the array that leaves (empty after the DEL), an ADD's endpoint in part.
            try StateStore(dataDir: directory.path, network: one.network).update(verb: "t", lockTimeout: 1, for: newKey) { $0.endpoint = added }
            whole.endpoints.append(added)
            whole.generation += 1
            XCTAssertEqual(try Files.read(store.statePath), try StateCodec.encode(whole), "\(what), then an ADD")
        }
    }

    func testAnUnchangedAttachmentCommitsNothing() throws {
        let base = StateDocumentCodecTests.sample(pods: 6)
        let store = try self.store(base)
        let before = try XCTUnwrap(try Files.read(store.statePath))
        let lease = try store.update(verb: "t", lockTimeout: 1, for: base.leases[2].key) { $0.lease }
        XCTAssertEqual(lease, base.leases[2])
        XCTAssertEqual(try Files.read(store.statePath), before)
    }

    func testASecondEndpointForTheFocusSendsTheReadWhole() throws {
        var base = StateDocumentCodecTests.sample(pods: 6)
        base.endpoints.append(base.endpoints[1])  // as a hand edit could leave it, sealed by the next commit
        let key = base.endpoints[1].key
        let bytes = try StateCodec.encode(base)
        guard case .success(.whole(let document)) = StateCodec.decodeDocument(bytes, for: key) else { return XCTFail("not read whole") }
        XCTAssertEqual(document.state, base)
        // A change to its endpoint is made to the first, as `NetworkState.upsert` makes it.
        let store = try self.store(base)
        try store.update(verb: "t", lockTimeout: 1, for: key) { $0.endpoint?.hostVeth = "vnfirst" }
        let after = try store.load()
        XCTAssertEqual(after.endpoints.filter { $0.key == key }.map(\.hostVeth), ["vnfirst", base.endpoints[1].hostVeth])
    }

    func testAProblemFoundInPartIsWordedAsTheWholeReadWordsIt() throws {
        var bad = StateDocumentCodecTests.sample(pods: 6)
        bad.leases[4].address = bad.leases[1].address
        let bytes = try StateCodec.encode(bad)
        guard case .failure(let failure) = StateCodec.decodeDocument(bytes, for: bad.leases[0].key) else {
            return XCTFail("two leases on one address were accepted")
        }
        XCTAssertEqual(failure.reason, "address \(bad.leases[1].address) is leased to both \(bad.leases[1].key) and \(bad.leases[4].key)")
        guard case .failure(let whole) = StateCodec.decodeDocument(bytes) else { return XCTFail("accepted whole") }
        XCTAssertEqual(failure.reason, whole.reason)
        // The focus's own lease among them, read whole in part.
        guard case .failure(let own) = StateCodec.decodeDocument(bytes, for: bad.leases[4].key) else { return XCTFail("accepted") }
        XCTAssertEqual(own.reason, whole.reason)
        let document = try XCTUnwrap(StateDocumentFastReader.readFocused(bytes, for: bad.leases[4].key))
        XCTAssertEqual(document.integrityProblems, bad.integrityProblems())
    }

    func testADocumentWithoutAnIntactSealIsReadWholeAndDamageIsStillRefused() throws {
        let base = StateDocumentCodecTests.sample(pods: 6)
        let good = String(decoding: try StateCodec.encode(base), as: UTF8.self)
        let key = base.leases[0].key
        _ = try focused(Array(good.utf8), key)

        // Damage in a record that is not the focus: the seal no longer matches, the whole read refuses it.
        let bad = good.replacingOccurrences(of: "\"createdAt\": \"2027-01-15T08:02:06Z\"", with: "\"createdAt\": \"2027-13-15T08:02:06Z\"")
        XCTAssertNotEqual(bad, good, "the sample has that date")
        guard case .failure = StateCodec.decodeDocument(Array(bad.utf8), for: key) else { return XCTFail("the damage was accepted") }

        // A valid edit (another owner) without a new seal: read whole, and right.
        let edited = good.replacingOccurrences(of: "\"owner\": \"vnet-ipam\"", with: "\"owner\": \"edited\"")
        XCTAssertNotEqual(edited, good)
        guard case .success(.whole(let whole)) = StateCodec.decodeDocument(Array(edited.utf8), for: key) else { return XCTFail("not read whole") }
        XCTAssertTrue(whole.state.leases.contains { $0.owner == "edited" })

        // A document without a seal at all (an older vnet's) is read whole too.
        let unsealed = good.replacingOccurrences(of: #",\n  "seal": "[0-9a-f]{16}""#, with: "", options: .regularExpression)
        XCTAssertFalse(unsealed.contains("\"seal\""))
        guard case .success(.whole(let old)) = StateCodec.decodeDocument(Array(unsealed.utf8), for: key) else { return XCTFail("not read whole") }
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
