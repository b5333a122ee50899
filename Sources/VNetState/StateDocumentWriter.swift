#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetSystem

/// Writes the state document straight from `NetworkState` to bytes: the same bytes as
/// `JSONWriter.bytes(StateDocument.json(state), pretty: true)` (sorted keys, two-space indent), without the
/// intermediate `JSONValue` tree and its dictionaries. Every commit writes the whole document, so this is
/// on every ADD's and DEL's path. `StateDocumentCodecTests` holds the two ways to the same output.
///
/// Given the previous document (`reusing`), lease and endpoint records equal to one of its records are
/// copied from its bytes rather than written again (see `RecordSpans`); the output is the same either way
/// for a document vnet wrote.
struct StateDocumentWriter {
    private(set) var out: [UInt8] = []
    /// How many members the open objects and arrays have so far, innermost last.
    private var members: [Int] = []
    private let previous: WrittenDocument?
    private(set) var spans = RecordSpans()
    /// Where the seal's digits are, to be filled in once the document is complete.
    private var sealOffset: Int?

    private init(reusing previous: WrittenDocument?) { self.previous = previous }

    /// The whole document: its JSON, a final new line, and its seal (`DocumentSeal`) filled in.
    static func bytes(_ state: NetworkState) -> [UInt8] { written(state, reusing: nil).bytes }

    /// The document for `state`, copying unchanged records from `previous`, with where its records are.
    static func written(_ state: NetworkState, reusing previous: WrittenDocument?) -> WrittenDocument {
        var writer = StateDocumentWriter(reusing: previous)
        // A commit changes a record or two of the previous document, whose bytes it mostly copies.
        let capacity = previous.map { $0.bytes.count + 8192 } ?? 1024 + 1024 * (state.leases.count + state.endpoints.count)
        writer.out = Files.prefaultedArray(capacity: capacity)
        writer.document(state)
        writer.seal()
        return WrittenDocument(bytes: writer.out, state: state, spans: writer.spans)
    }

    /// The document `read` was read from, with the changes of `attachment` (read from it) and `generation`:
    /// the records of other attachments copied from its bytes, the attachment's lease and endpoint where
    /// they were (at the end when new, left out when gone), the lists written. The same bytes as
    /// `NetworkState.apply(_:)` on that document read whole, then written (`FocusedDocument`).
    static func bytes(_ attachment: AttachmentState, over read: FocusedDocument, generation: UInt64) -> [UInt8] {
        var writer = StateDocumentWriter(reusing: nil)
        writer.out = Files.prefaultedArray(capacity: read.bytes.count + 8192)
        read.bytes.withUnsafeBufferPointer { source in writer.document(attachment, over: read, source: source, generation: generation) }
        writer.seal()
        return writer.out
    }

    /// The final new line, and the seal's digits.
    private mutating func seal() {
        out.append(UInt8(ascii: "\n"))
        if let seal = sealOffset { DocumentSeal.apply(&out, at: seal) }
    }

    // Keys in each object are written in sorted order, as JSONWriter sorts them.
    private mutating func document(_ state: NetworkState) {
        var endpointMatcher = RecordMatcher(previous: previous?.state.endpoints ?? [], spans: previous?.spans.endpoints ?? [])
        var leaseMatcher = RecordMatcher(previous: previous?.state.leases ?? [], spans: previous?.spans.leases ?? [])
        document(endpoints: { writer in
            for endpoint in state.endpoints {
                writer.separate()
                writer.spans.endpoints.append(writer.record(endpointMatcher.span(of: endpoint)) { $0.endpoint(endpoint) })
            }
        }, flagged: state.flagged, generation: state.generation, leases: { writer in
            for lease in state.leases {
                writer.separate()
                writer.spans.leases.append(writer.record(leaseMatcher.span(of: lease)) { $0.lease(lease) })
            }
        }, network: state.network, quarantined: state.quarantined, released: state.released, schema: state.schema)
    }

    private mutating func document(_ attachment: AttachmentState, over read: FocusedDocument, source: UnsafeBufferPointer<UInt8>,
                                   generation: UInt64) {
        // Each record or run of records the attachment's changes leave as they were is copied.
        func copy(_ span: Range<Int>, into writer: inout StateDocumentWriter) {
            writer.separate()
            writer.out.append(contentsOf: UnsafeBufferPointer(rebasing: source[span]))
        }
        document(endpoints: { writer in
            if let run = read.endpointsBefore { copy(run, into: &writer) }
            if let span = read.focusEndpoint, let endpoint = attachment.endpoint {
                if endpoint == read.attachment.endpoint { copy(span, into: &writer) } else { writer.separate(); writer.endpoint(endpoint) }
            }
            if let run = read.endpointsAfter { copy(run, into: &writer) }
            if read.focusEndpoint == nil, let endpoint = attachment.endpoint { writer.separate(); writer.endpoint(endpoint) }
        }, flagged: attachment.flagged, generation: generation, leases: { writer in
            for (index, span) in read.leaseSpans.enumerated() {
                guard index == read.focusLease else { copy(span, into: &writer); continue }
                guard let lease = attachment.lease else { continue }
                if lease == read.attachment.lease { copy(span, into: &writer) } else { writer.separate(); writer.lease(lease) }
            }
            if read.focusLease == nil, let lease = attachment.lease { writer.separate(); writer.lease(lease) }
        }, network: attachment.network, quarantined: attachment.quarantined, released: attachment.released, schema: NetworkState.currentSchema)
    }

    /// The document's members; `endpoints` and `leases` write the records of their arrays.
    private mutating func document(endpoints: (inout StateDocumentWriter) -> Void, flagged: [IPv4Address], generation: UInt64,
                                   leases: (inout StateDocumentWriter) -> Void, network: String, quarantined: [IPv4Address],
                                   released: [ReleasedAddress], schema: Int) {
        open(UInt8(ascii: "{"))
        key("endpoints"); open(UInt8(ascii: "[")); endpoints(&self); close(UInt8(ascii: "]"))
        key("flagged"); array(flagged) { $0.address($1) }
        key("generation"); out.append(contentsOf: String(generation).utf8)
        key("leases"); open(UInt8(ascii: "[")); leases(&self); close(UInt8(ascii: "]"))
        key("network"); string(network)
        key("quarantined"); array(quarantined) { $0.address($1) }
        key("released"); array(released) { writer, released in
            writer.open(UInt8(ascii: "{"))
            writer.key("address"); writer.address(released.address)
            writer.key("releasedAt"); writer.date(released.releasedAt)
            writer.close(UInt8(ascii: "}"))
        }
        key("schema"); out.append(contentsOf: String(schema).utf8)
        key("seal"); sealOffset = out.count + 1; string(DocumentSeal.placeholder)
        close(UInt8(ascii: "}"))
    }

    private mutating func lease(_ lease: Lease) {
        open(UInt8(ascii: "{"))
        key("address"); address(lease.address)
        key("createdAt"); date(lease.createdAt)
        key("key"); attachmentKey(lease.key)
        if let netns = lease.netns { key("netns"); string(netns) }
        key("owner"); string(lease.owner)
        key("pod"); pod(lease.pod)
        close(UInt8(ascii: "}"))
    }

    private mutating func endpoint(_ endpoint: Endpoint) {
        open(UInt8(ascii: "{"))
        key("address"); prefix(endpoint.address)
        key("bridge"); string(endpoint.bridge)
        key("createdAt"); date(endpoint.createdAt)
        key("gateway"); address(endpoint.gateway)
        key("hostVeth"); string(endpoint.hostVeth)
        key("key"); attachmentKey(endpoint.key)
        key("netns"); string(endpoint.netns)
        key("phase"); string(endpoint.phase.rawValue)
        key("pod"); pod(endpoint.pod)
        if let mac = endpoint.podMAC { key("podMAC"); string(mac) }
        if !endpoint.portMappings.isEmpty { key("portMappings"); array(endpoint.portMappings) { $0.portMapping($1) } }
        if let publicIP = endpoint.publicIP { key("publicIP"); address(publicIP) }
        close(UInt8(ascii: "}"))
    }

    /// A host port as its endpoint records it (keys sorted, as everywhere in the document).
    private mutating func portMapping(_ mapping: PortMapping) {
        open(UInt8(ascii: "{"))
        key("containerPort"); out.append(contentsOf: String(mapping.containerPort).utf8)
        if let hostIP = mapping.hostIP { key("hostIP"); address(hostIP) }
        key("hostPort"); out.append(contentsOf: String(mapping.hostPort).utf8)
        key("protocol"); string(mapping.transport.rawValue)
        close(UInt8(ascii: "}"))
    }

    private mutating func attachmentKey(_ key: AttachmentKey) {
        open(UInt8(ascii: "{"))
        self.key("containerID"); string(key.containerID)
        self.key("ifname"); string(key.ifname)
        close(UInt8(ascii: "}"))
    }

    private mutating func pod(_ pod: PodIdentity) {
        open(UInt8(ascii: "{"))
        if let name = pod.name { key("name"); string(name) }
        if let namespace = pod.namespace { key("namespace"); string(namespace) }
        close(UInt8(ascii: "}"))
    }

    /// One record: copied from the previous document's `span` when there is one, else written by `write`.
    /// Returns where it went in the output.
    private mutating func record(_ span: Range<Int>?, _ write: (inout StateDocumentWriter) -> Void) -> Range<Int> {
        let start = out.count
        if let span, let previous {
            previous.bytes.withUnsafeBufferPointer { bytes in out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[span])) }
        } else {
            write(&self)
        }
        return start..<out.count
    }

    // MARK: Pieces

    private mutating func prefix(_ prefix: IPv4Prefix) {
        out.append(UInt8(ascii: "\""))
        prefix.address.append(to: &out)
        out.append(UInt8(ascii: "/"))
        out.append(contentsOf: String(prefix.length).utf8)
        out.append(UInt8(ascii: "\""))
    }

    private mutating func address(_ address: IPv4Address) {
        out.append(UInt8(ascii: "\""))
        address.append(to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private mutating func date(_ date: Date) {
        out.append(UInt8(ascii: "\""))
        ISO8601.append(date, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private mutating func string(_ text: String) { JSONWriter.string(text, into: &out) }

    private mutating func array<T>(_ items: [T], _ element: (inout StateDocumentWriter, T) -> Void) {
        open(UInt8(ascii: "["))
        for item in items {
            separate()
            element(&self, item)
        }
        close(UInt8(ascii: "]"))
    }

    private mutating func key(_ name: StaticString) {
        separate()
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
    }

    /// The comma (after the first member) and the new line with indentation before a member.
    private mutating func separate() {
        if members[members.count - 1] > 0 { out.append(UInt8(ascii: ",")) }
        members[members.count - 1] += 1
        newline(depth: members.count)
    }

    private mutating func open(_ bracket: UInt8) {
        out.append(bracket)
        members.append(0)
    }

    private mutating func close(_ bracket: UInt8) {
        if members.removeLast() > 0 { newline(depth: members.count) }
        out.append(bracket)
    }

    /// A new line and the indentation of `depth` levels (two spaces each), copied from one static run.
    private mutating func newline(depth: Int) {
        let run: StaticString = "\n                                "
        let count = 1 + depth * 2
        if count <= run.utf8CodeUnitCount {
            out.append(contentsOf: UnsafeBufferPointer(start: run.utf8Start, count: count))
        } else {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
    }
}
