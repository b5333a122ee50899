// libFuzzer target: the state document decoder. Its two readers (direct and general) agree on every input;
// StateCodec.decode must return a state or a failure for any bytes; a document it accepts must be consistent, must encode, and must be stable from then on: decoding what
// was encoded gives a state that encodes to the same bytes. (Not equal to the first decode: the decoder accepts
// dates with fractional seconds, "06:59:00.1Z", which the encoder writes to the second. The input that showed
// it, Tests/fuzz/corpus/state/crash-fractional-seconds, had a malformed "06:59:0.1Z" that Foundation's
// decoder accepted; the state decoder now refuses it. See docs/reliability.md.)
// A commit that copies unchanged records from an accepted document (however it is laid out) must write a
// document that reads back as exactly the committed state. A read for one attachment (`AttachmentState`) must
// agree with the whole read, and a change committed from it must write what the same change to the whole
// state writes.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
@testable import VNetState

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzState(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fastest = StateCodec.decode(bytes)
    // The direct reader must agree with the general one wherever it accepts a document.
    switch (fastest, StateCodec.decode(bytes, reader: .general)) {
    case (.success(let a), .success(let b)) where a != b: fatalError("the two readers disagree")
    case (.success, .failure(let failure)): fatalError("the direct reader accepted what the general one refuses: \(failure.reason)")
    case (.failure, .success): fatalError("the direct reader refused what the general one accepts")
    default: break
    }
    checkFocusedRead(bytes, size: size)
    guard case .success(let state) = fastest else { return 0 }
    if !state.integrityProblems().isEmpty { fatalError("decode accepted an inconsistent document") }
    guard let encoded = try? StateCodec.encode(state) else { fatalError("an accepted state does not encode") }
    guard case .success(let again) = StateCodec.decode(encoded) else {
        fatalError("a committed document is refused on reading: \(String(decoding: encoded, as: UTF8.self))")
    }
    // vnet's own (sealed) documents are the ones read in part: check that on what was just written.
    checkFocusedRead(encoded, size: size)
    guard let reencoded = try? StateCodec.encode(again), reencoded == encoded else {
        fatalError("state round trip is not stable: \(String(decoding: encoded, as: UTF8.self))")
    }
    guard case .success(let document) = StateCodec.decodeDocument(bytes) else { fatalError("decodeDocument disagrees with decode") }
    var changed = document.state
    if !changed.leases.isEmpty { changed.leases.remove(at: size % changed.leases.count) }
    if let last = changed.endpoints.indices.last { changed.endpoints[last].phase = changed.endpoints[last].phase == .ready ? .attaching : .ready }
    changed.generation += 1
    let committed = StateCodec.encode(changed, reusing: document)
    guard case .success(let reread) = StateCodec.decodeDocument(committed.bytes), reread.state == changed else {
        fatalError("a commit copying unchanged records does not read back as what was committed")
    }
    // Where the direct reader reads the result, its records are where the writer said (the next commit's copies).
    if let direct = StateDocumentFastReader.readWithSpans(committed.bytes), direct.spans != committed.spans {
        fatalError("the writer's record spans are not where the records are")
    }
    return 0
}

/// A read for one attachment (in part only for a document whose seal is intact) accepts and refuses exactly
/// what a whole read does, and gives exactly the `AttachmentState` of the whole read.
func checkFocusedRead(_ bytes: [UInt8], size: Int) {
    let wholeDocument = StateCodec.decodeDocument(bytes)
    let focus: AttachmentKey
    if case .success(let whole) = wholeDocument, !whole.state.endpoints.isEmpty, size % 2 == 0 {
        // An attachment with an endpoint, wherever it sits among the others (first, middle, last).
        focus = whole.state.endpoints[(size / 2) % whole.state.endpoints.count].key
    } else if case .success(let whole) = wholeDocument, !whole.state.leases.isEmpty, size % 3 != 0 {
        focus = whole.state.leases[size % whole.state.leases.count].key
    } else {
        focus = AttachmentKey(containerID: "c1", ifname: "eth0")
    }
    switch (wholeDocument, StateCodec.decodeDocument(bytes, for: focus)) {
    case (.success(let whole), .success(.whole(let again))):
        if again.state != whole.state { fatalError("a read for one attachment, read whole, disagrees with the whole read") }
    case (.success(let whole), .success(.inPart(let read))):
        if read.attachment != whole.state.attachment(focus) { fatalError("a read in part disagrees with the whole read") }
        checkFocusedCommit(whole: whole, read: read)
    case (.success, .failure(let failure)): fatalError("a read for one attachment refused what a whole read accepts: \(failure.reason)")
    case (.failure, .success): fatalError("a read for one attachment accepted what a whole read refuses")
    case (.failure(let whole), .failure(let read)):
        if read.reason != whole.reason { fatalError("a read for one attachment words a refusal otherwise: \(read.reason)") }
    }
}

/// A change to the attachment committed from a read in part writes exactly the bytes of the same change
/// applied to the state read whole, then committed (the other records copied, the unread endpoints put
/// back around the attachment's).
func checkFocusedCommit(whole: WrittenDocument, read: FocusedDocument) {
    let focus = read.attachment.key
    let now = Date(timeIntervalSince1970: 1_900_000_000)
    let changes: [(inout AttachmentState) -> Void] = [
        { state in state.endpoint = nil },  // DEL's endpoint
        { state in state.endpoint?.hostVeth += "x" },
        { state in state.release(at: now); state.endpoint = nil },  // DEL
        { state in  // ADD's lease and endpoint
            if state.lease == nil {
                state.lease = Lease(key: focus, address: IPv4Address(10, 9, 9, 9), createdAt: now, owner: "fuzz")
                state.released.removeAll { $0.address == IPv4Address(10, 9, 9, 9) }
            }
            state.endpoint = Endpoint(key: focus, phase: .attaching, address: IPv4Prefix(address: IPv4Address(10, 9, 9, 9), length: 16),
                                      gateway: IPv4Address(10, 9, 0, 1), hostVeth: "vnfuzz", podMAC: nil, netns: "/n", bridge: "b",
                                      pod: PodIdentity(), createdAt: now)
            state.flagged = state.leasedAddresses.filter { $0.value & 1 == 1 }.sorted()
        },
    ]
    for change in changes {
        var attachment = read.attachment
        change(&attachment)
        var state = whole.state
        state.apply(attachment)
        state.generation += 1
        let expected = StateCodec.encode(state, reusing: whole).bytes
        if StateDocumentWriter.bytes(attachment, over: read, generation: read.attachment.generation + 1) != expected {
            fatalError("a commit from a read in part wrote other bytes than from the whole read")
        }
    }
}
