// libFuzzer target: the state document decoder. Its two readers (direct and general) agree on every input;
// StateCodec.decode must return a state or a failure for any bytes; a document it accepts must be consistent, must encode, and must be stable from then on: decoding what
// was encoded gives a state that encodes to the same bytes. (Not equal to the first decode: the decoder accepts
// dates with fractional seconds, "06:59:00.1Z", which the encoder writes to the second. The input that showed
// it, Tests/fuzz/corpus/state/crash-fractional-seconds, had a malformed "06:59:0.1Z" that Foundation's
// decoder accepted; the state decoder now refuses it. See docs/reliability.md.)
// A commit that copies unchanged records from an accepted document (however it is laid out) must write a
// document that reads back as exactly the committed state.
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
    checkPartialRead(bytes, size: size)
    guard case .success(let state) = fastest else { return 0 }
    if !state.integrityProblems().isEmpty { fatalError("decode accepted an inconsistent document") }
    guard let encoded = try? StateCodec.encode(state) else { fatalError("an accepted state does not encode") }
    guard case .success(let again) = StateCodec.decode(encoded) else {
        fatalError("a committed document is refused on reading: \(String(decoding: encoded, as: UTF8.self))")
    }
    // vnet's own (sealed) documents are the ones read in part: check that on what was just written.
    checkPartialRead(encoded, size: size)
    guard let reencoded = try? StateCodec.encode(again), reencoded == encoded else {
        fatalError("state round trip is not stable: \(String(decoding: encoded, as: UTF8.self))")
    }
    guard case .success(let document) = StateCodec.decodeDocument(bytes) else { fatalError("decodeDocument disagrees with decode") }
    var changed = document.state
    if !changed.leases.isEmpty { changed.leases.remove(at: size % changed.leases.count) }
    if let last = changed.endpoints.indices.last { changed.endpoints[last].phase = changed.endpoints[last].phase == .ready ? .attaching : .ready }
    changed.generation += 1
    guard let committed = StateCodec.encode(changed, reusing: document) else { fatalError("a whole read's commit was refused") }
    guard case .success(let reread) = StateCodec.decodeDocument(committed.bytes), reread.state == changed else {
        fatalError("a commit copying unchanged records does not read back as what was committed")
    }
    // Where the direct reader reads the result, its records are where the writer said (the next commit's copies).
    if let direct = StateDocumentFastReader.readWithSpans(committed.bytes), direct.spans != committed.spans {
        fatalError("the writer's record spans are not where the records are")
    }
    return 0
}

/// A read in part for one attachment (only of a document whose seal is intact) accepts and refuses exactly
/// what a whole read does, and gives that attachment's records whole and every other lease's address.
func checkPartialRead(_ bytes: [UInt8], size: Int) {
    let wholeDocument = StateCodec.decodeDocument(bytes)
    let focus: AttachmentKey
    if case .success(let whole) = wholeDocument, !whole.state.endpoints.isEmpty, size % 2 == 0 {
        // An attachment with an endpoint, wherever it sits among the others (first, middle, last).
        focus = whole.state.endpoints[(size / 2) % whole.state.endpoints.count].key
    } else if case .success(let whole) = wholeDocument, !whole.state.leases.isEmpty {
        focus = whole.state.leases[size % whole.state.leases.count].key
    } else {
        focus = AttachmentKey(containerID: "c1", ifname: "eth0")
    }
    switch (wholeDocument, StateCodec.decodeDocument(bytes, focus: focus)) {
    case (.success(let whole), .success(let partial)):
        let w = whole.state, p = partial.state
        // Read in part, the endpoints are the focus's first one only (the others stay unread bytes).
        let focusEndpoints = Array(w.endpoints.filter { $0.key == focus }.prefix(1))
        let endpointsAgree = partial.partialFor == nil ? p.endpoints == w.endpoints
            : p.endpoints.filter { !$0.isUnreadRun } == focusEndpoints && p.endpoints.filter(\.isUnreadRun).count <= 2
        var spansAgree = whole.spans == RecordSpans() || partial.spans == whole.spans
        if partial.partialFor != nil && whole.spans != RecordSpans() {
            let first = w.endpoints.firstIndex { $0.key == focus }
            let focusSpans = zip(p.endpoints, partial.spans.endpoints).filter { !$0.0.isUnreadRun }.map(\.1)
            spansAgree = partial.spans.leases == whole.spans.leases
                && focusSpans == (first.map { [whole.spans.endpoints[$0]] } ?? [])
        }
        // Read in part, the other leases are stand-ins that hold their addresses only.
        let keys = partial.partialFor == nil ? w.leases.map(\.key) : w.leases.map { $0.key == focus ? focus : AttachmentKey.unread }
        if p.leases.map(\.key) != keys || p.leases.map(\.address) != w.leases.map(\.address) || !endpointsAgree
            || p.lease(for: focus) != w.lease(for: focus) || p.endpoint(for: focus) != w.endpoint(for: focus)
            || p.released != w.released || p.flagged != w.flagged || p.quarantined != w.quarantined || p.generation != w.generation
            || p.network != w.network || (partial.partialFor == nil && p != w) || !spansAgree {
            fatalError("a partial read disagrees with the whole read")
        }
        if partial.partialFor != nil { checkPartialCommit(whole: whole, partial: partial, focus: focus, size: size) }
    case (.success, .failure(let failure)): fatalError("a partial read refused what a whole read accepts: \(failure.reason)")
    case (.failure, .success): fatalError("a partial read accepted what a whole read refuses")
    default: break
    }
}

/// A change to the focus's own records committed from a partial read writes exactly the bytes the same change
/// writes from the whole read (the other records copied, the unread endpoints put back around the focus's).
func checkPartialCommit(whole: WrittenDocument, partial: WrittenDocument, focus: AttachmentKey, size: Int) {
    let changes: [(inout NetworkState) -> Void] = [
        { state in state.removeEndpoint(focus) },  // DEL's endpoint
        { state in if let index = state.endpoints.firstIndex(where: { $0.key == focus }) { state.endpoints[index].hostVeth += "x" } },
        { state in _ = state.release(focus, at: Date(timeIntervalSince1970: 1_900_000_000)); state.removeEndpoint(focus) },
        { state in  // a new endpoint (ADD's, after the old one went)
            state.removeEndpoint(focus)
            state.upsert(Endpoint(key: focus, phase: .attaching, address: IPv4Prefix(address: IPv4Address(10, 9, 9, 9), length: 16),
                                  gateway: IPv4Address(10, 9, 0, 1), hostVeth: "vnfuzz", podMAC: nil, netns: "/n", bridge: "b",
                                  pod: PodIdentity(), createdAt: Date(timeIntervalSince1970: 1_900_000_000)))
        },
    ]
    for change in changes {
        var fromWhole = whole.state, fromPartial = partial.state
        change(&fromWhole)
        change(&fromPartial)
        guard let expected = StateCodec.encode(fromWhole, reusing: whole) else { fatalError("a whole read's commit was refused") }
        guard let written = StateCodec.encode(fromPartial, reusing: partial) else { continue }  // refused: redone on the whole
        if written.bytes != expected.bytes { fatalError("a commit from a partial read wrote other bytes than from the whole read") }
    }
}
