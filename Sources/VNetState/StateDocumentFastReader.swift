#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetSystem

/// Reads the state document as vnet writes it, straight into `NetworkState`, without building a
/// `JSONValue` tree.
///
/// Why: every CNI call is a new process, so every call reads the document (an ADD, DEL or CHECK only for
/// its attachment: `readFocused`). Through `JSONParser` a 250-pod document cost ~35 M instructions (a
/// dictionary per object, a validated `String` per key), most of an ADD. This reader compares keys as bytes
/// and makes strings only for values.
///
/// It is deliberately narrow: it accepts only what it can read exactly as `StateDocument` would (ASCII
/// strings without escapes, known keys once each, plain whole numbers) and returns nil for anything else,
/// and the caller then reads the document the general way, which also words any error. So a document this
/// reader accepts decodes to the same state either way; the state fuzz target checks exactly that.
struct StateDocumentFastReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>, focus: AttachmentKey?) {
        self.bytes = bytes
        self.focus = focus.map { Focus(containerID: Array($0.containerID.utf8), ifname: Array($0.ifname.utf8)) }
    }

    static func read(_ bytes: [UInt8]) -> NetworkState? { readWithSpans(bytes)?.state }

    /// The state and where each lease and endpoint record sits in `bytes` (see `RecordSpans`).
    static func readWithSpans(_ bytes: [UInt8]) -> (state: NetworkState, spans: RecordSpans)? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = StateDocumentFastReader(buffer, focus: nil)
            guard let members = reader.document() else { return nil }
            var state = NetworkState(network: members.network)
            state.schema = members.schema
            state.generation = members.generation
            state.leases = reader.leases
            state.released = members.released
            state.endpoints = reader.endpoints
            state.flagged = members.flagged
            state.quarantined = members.quarantined
            return (state, reader.spans)
        }
    }

    /// `bytes` read for the attachment `key` only (`StateStore.load(for:)`), for a document whose seal the
    /// caller found intact (`DocumentSeal`: the bytes are exactly what vnet's writer wrote). The lease
    /// records are found by the writer's layout, and of each other one only the key and the address are
    /// read; the endpoint records are searched for the attachment's key, and the others are not read at all.
    /// Nil for anything else (the caller then reads the document whole).
    static func readFocused(_ bytes: [UInt8], for key: AttachmentKey) -> FocusedDocument? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = StateDocumentFastReader(buffer, focus: key)
            guard let members = reader.document() else { return nil }
            let found = reader.focused
            let problems = NetworkState.leaseProblems(count: found.addresses.count, address: { found.addresses[$0] },
                                                      digest: { found.digests[$0] }, key: { index in
                guard let at = found.focusLease, let lease = found.lease, index >= at else { return found.others[index].key }
                return index == at ? lease.key : found.others[index - 1].key
            })
            let attachment = AttachmentState(network: members.network, generation: members.generation, key: key, lease: found.lease,
                                             endpoint: found.endpoint, others: found.others, released: members.released,
                                             quarantined: members.quarantined, flagged: members.flagged, translated: found.translated)
            return FocusedDocument(bytes: bytes, attachment: attachment, leaseSpans: found.leaseSpans, focusLease: found.focusLease,
                                   endpointsBefore: found.endpointsBefore, focusEndpoint: found.focusEndpoint,
                                   endpointsAfter: found.endpointsAfter, integrityProblems: problems)
        }
    }

    private var spans = RecordSpans()
    /// The records, read whole.
    private var leases: [Lease] = []
    private var endpoints: [Endpoint] = []
    /// The records, read for the focus.
    private var focused = FocusedRecords()

    /// Reading for one attachment: that attachment's key as bytes, for finding its records.
    private struct Focus {
        var containerID: [UInt8]
        var ifname: [UInt8]
    }
    private let focus: Focus?

    /// What a read for one attachment found of the records: that attachment's lease and endpoint, the other
    /// leases' keys and addresses, and where the records lie (`FocusedDocument`).
    private struct FocusedRecords {
        var lease: Lease?
        var others: [LeasedAddress] = []
        var leaseSpans: [Range<Int>] = []
        var focusLease: Int?
        var endpoint: Endpoint?
        var endpointsBefore: Range<Int>?
        var focusEndpoint: Range<Int>?
        var endpointsAfter: Range<Int>?
        /// The other endpoints that hold a public IP or host ports (`AttachmentState.translated`).
        var translated: [Endpoint] = []
        /// Every lease's address and key digest, in the document's order (for the integrity check).
        var addresses: [IPv4Address] = []
        var digests: [UInt64] = []
    }

    /// The document's members other than its records.
    private struct Members {
        var schema = 0
        var network = ""
        var generation: UInt64 = 0
        var released: [ReleasedAddress] = []
        var flagged: [IPv4Address] = []
        var quarantined: [IPv4Address] = []
    }

    // MARK: The document

    /// Reads the document: its members, and its records into `leases` and `endpoints`, or, reading for the
    /// focus, into `focused`.
    private mutating func document() -> Members? {
        var members = Members()
        var seen: UInt16 = 0
        var quarantined: [IPv4Address]?
        let complete = object { key, reader in
            switch key {
            case "schema": guard let value = reader.wholeNumber(), value == NetworkState.currentSchema else { return false }
                members.schema = value; return reader.mark(0, &seen)
            case "network": guard let value = reader.string() else { return false }
                members.network = value; return reader.mark(1, &seen)
            case "generation": guard let value = reader.wholeNumber() else { return false }
                members.generation = UInt64(value); return reader.mark(2, &seen)
            case "leases":
                if reader.focus != nil { return reader.focusedLeases() && reader.mark(3, &seen) }
                guard let (value, spans) = reader.spannedArray({ $0.lease() }) else { return false }
                reader.leases = value; reader.spans.leases = spans; return reader.mark(3, &seen)
            case "released": guard let value = reader.array({ $0.released() }) else { return false }
                members.released = value; return reader.mark(4, &seen)
            case "endpoints":
                if reader.focus != nil { return reader.focusedEndpoints() && reader.mark(5, &seen) }
                guard let (value, spans) = reader.spannedArray({ $0.endpoint() }) else { return false }
                reader.endpoints = value; reader.spans.endpoints = spans; return reader.mark(5, &seen)
            case "flagged": guard let value = reader.array({ $0.address() }) else { return false }
                members.flagged = value; return reader.mark(6, &seen)
            case "seal": return reader.stringBytes() != nil && reader.mark(8, &seen)  // checked by DocumentSeal
            case "quarantined": guard let value = reader.array({ $0.address() }) else { return false }
                quarantined = value; return reader.mark(7, &seen)
            default: return false
            }
        }
        guard complete, seen & 0x7F == 0x7F else { return nil }
        members.quarantined = quarantined ?? []
        skipSpace()
        return index == bytes.count ? members : nil
    }

    /// The leases array, read for the focus: each record is found by the writer's layout and its key
    /// compared as bytes with the focus's; the focus's record is read whole, and of every other one the key
    /// and the address (what a call for one attachment needs of the others: which addresses are taken, and
    /// by whom). False for any other layout.
    private mutating func focusedLeases() -> Bool {
        guard let focus else { return false }
        let expected = bytes.count / 200
        var others: [LeasedAddress] = Files.prefaultedArray(capacity: expected)
        var addresses: [IPv4Address] = Files.prefaultedArray(capacity: expected)
        var digests: [UInt64] = Files.prefaultedArray(capacity: expected)
        var lease: Lease?, focusLease: Int?, position = 0
        guard let (_, spans) = spannedArray({ reader -> Bool? in
            defer { position += 1 }
            let start = reader.index
            guard let (containerID, ifname, address) = reader.skimLease() else { return nil }
            digests.append(AttachmentKey.digest(containerID: UnsafeBufferPointer(rebasing: reader.bytes[containerID]),
                                                ifname: UnsafeBufferPointer(rebasing: reader.bytes[ifname])))
            if lease == nil && reader.equal(containerID, focus.containerID) && reader.equal(ifname, focus.ifname) {
                reader.index = start
                guard let whole = reader.lease() else { return nil }
                lease = whole
                focusLease = position
                addresses.append(whole.address)
                return true
            }
            guard let value = IPv4Address(utf8: UnsafeBufferPointer(rebasing: reader.bytes[address])) else { return nil }
            others.append(LeasedAddress(key: AttachmentKey(containerID: reader.text(containerID), ifname: reader.text(ifname)), address: value))
            addresses.append(value)
            return true
        }) else { return false }
        focused.lease = lease
        focused.focusLease = focusLease
        focused.others = others
        focused.leaseSpans = spans
        focused.addresses = addresses
        focused.digests = digests
        return true
    }

    /// Where the key and the address of the lease record at `index` are, laid out as the writer lays it out
    /// (the address first, `"containerID"` and `"ifname"` in the key object, the record closed by a brace
    /// four spaces in); moves past the record. Nil for anything else.
    private mutating func skimLease() -> (containerID: Range<Int>, ifname: Range<Int>, address: Range<Int>)? {
        // Each marker ends with the opening quote of the value after it, which `stringBytes` consumes.
        let opening: StaticString = "{\n      \"address\": \""
        let containerMarker: StaticString = "\"containerID\": \""
        let ifnameMarker: StaticString = ",\n        \"ifname\": \""
        let closing: StaticString = "\n    }"
        guard let afterAddress = expect(opening, at: index) else { return nil }
        index = afterAddress - 1
        guard let address = stringBytes() else { return nil }
        guard let end = find(closing, anchor: 5, from: index) else { return nil }
        guard let containerStart = find(containerMarker, anchor: 10, from: index), containerStart < end else { return nil }
        index = containerStart + containerMarker.utf8CodeUnitCount - 1
        guard let containerID = stringBytes() else { return nil }
        guard let afterIfname = expect(ifnameMarker, at: index) else { return nil }
        index = afterIfname - 1
        guard let ifname = stringBytes(), index < end else { return nil }
        index = end + closing.utf8CodeUnitCount
        return (containerID, ifname, address)
    }

    /// Whether the bytes in `range` are exactly `value`.
    private func equal(_ range: Range<Int>, _ value: [UInt8]) -> Bool {
        guard range.count == value.count else { return false }
        guard let base = bytes.baseAddress, !value.isEmpty else { return value.isEmpty }
        return value.withUnsafeBufferPointer { other in
            other.baseAddress.map { memcmp(base + range.lowerBound, $0, value.count) == 0 } ?? false
        }
    }

    /// The bytes in `range` as a string (checked by `stringBytes`: ASCII without escapes).
    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The endpoints array, read for the focus: the first record whose key is the focus's, found by the
    /// writer's layout of a key, is read whole; the records before and after it are not read, and stay two
    /// runs of bytes (`FocusedDocument`) that a commit copies around the focus's record. False for any other
    /// layout, and for a second record of the focus (never written by vnet, but a document edited by hand and
    /// then committed carries it), which the whole read sees as a change to it needs.
    private mutating func focusedEndpoints() -> Bool {
        guard let focus else { return false }
        // The writer's layout: records four spaces in, "{" and "}" on lines of their own, the array closed
        // two spaces in. Strings hold no new lines, so these markers occur nowhere else in the array.
        let opening = Self.recordOpening, separator: StaticString = ",\n    "
        let closing: StaticString = "\n    }", arrayEnd: StaticString = "\n  ]"
        skipSpace()
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        guard expect(opening, at: index) != nil, let end = find(arrayEnd, anchor: 3, from: index) else { return false }
        let first = index + opening.utf8CodeUnitCount - 1  // the first record's "{"
        index = end + arrayEnd.utf8CodeUnitCount
        var key: [UInt8] = []
        key.append(contentsOf: UnsafeBufferPointer(start: Self.keyMarker.utf8Start, count: Self.keyMarker.utf8CodeUnitCount))
        key.append(contentsOf: focus.containerID)
        key.append(contentsOf: UnsafeBufferPointer(start: Self.ifnameMarker.utf8Start, count: Self.ifnameMarker.utf8CodeUnitCount))
        key.append(contentsOf: focus.ifname)
        key.append(contentsOf: UnsafeBufferPointer(start: Self.keyEnd.utf8Start, count: Self.keyEnd.utf8CodeUnitCount))
        guard let hit = find(key, in: first..<end) else {
            focused.endpointsBefore = first..<end
            guard let translated = translatedEndpoints(in: first..<end) else { return false }
            focused.translated = translated
            return true
        }
        if find(key, in: (hit + key.count)..<end) != nil { return false }
        // The focus's record: back to its "{", forward to its "}".
        guard let start = lastOpening(before: hit, from: first), let close = find(closing, anchor: 5, from: hit), close < end else { return false }
        let after = index
        index = start
        guard let endpoint = endpoint(), index == close + closing.utf8CodeUnitCount else { return false }
        index = after
        if start > first {
            guard expect(separator, at: start - separator.utf8CodeUnitCount) != nil else { return false }
            focused.endpointsBefore = first..<(start - separator.utf8CodeUnitCount)
        }
        let next = close + closing.utf8CodeUnitCount
        if next < end {
            guard expect(separator, at: next) != nil else { return false }
            focused.endpointsAfter = (next + separator.utf8CodeUnitCount)..<end
        }
        focused.endpoint = endpoint
        focused.focusEndpoint = start..<next
        var translated: [Endpoint] = []
        for run in [focused.endpointsBefore, focused.endpointsAfter].compactMap({ $0 }) {
            guard let found = translatedEndpoints(in: run) else { return false }
            translated += found
        }
        focused.translated = translated
        index = after
        return true
    }

    /// The endpoint records in `run` (whole records of the array) that hold a public IP or host ports, read
    /// whole; the others are not read. Found by the writer's layout of those keys: a string holds no quote,
    /// so the marker occurs only as a key. Nil when a record found so cannot be read (the caller then reads
    /// the document whole).
    private mutating func translatedEndpoints(in run: Range<Int>) -> [Endpoint]? {
        // Anchored on a capital letter: rare in the document, so memchr seldom stops.
        let markers: [(StaticString, Int)] = [("\"publicIP\": \"", 7), ("\"portMappings\": [", 5)]
        let saved = index
        defer { index = saved }
        var found: [Endpoint] = []
        var from = run.lowerBound
        while from < run.upperBound {
            let hits = markers.compactMap { marker, anchor in
                find(UnsafeBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount), anchor: anchor, in: from..<run.upperBound)
            }
            guard let hit = hits.min() else { break }
            guard let start = lastOpening(before: hit, from: run.lowerBound) else { return nil }
            index = start
            guard let endpoint = endpoint(), index <= run.upperBound else { return nil }
            found.append(endpoint)
            from = index
        }
        return found
    }

    /// How the writer opens a record of an array: on a line of its own, four spaces in.
    private static let recordOpening: StaticString = "\n    {"
    /// How the writer lays out an endpoint's key, around its two values.
    private static let keyMarker: StaticString = "\"key\": {\n        \"containerID\": \""
    private static let ifnameMarker: StaticString = "\",\n        \"ifname\": \""
    private static let keyEnd: StaticString = "\"\n      }"

    /// The "{" of the record that contains `position`: the last record opening before it, or `floor` (the
    /// first record's "{"), not before `floor`.
    private func lastOpening(before position: Int, from floor: Int) -> Int? {
        let lead = Self.recordOpening.utf8CodeUnitCount - 1
        var at = position - 1
        while at >= floor {
            if bytes[at] == UInt8(ascii: "{"), at == floor || (at >= lead && expect(Self.recordOpening, at: at - lead) != nil) {
                return at
            }
            at -= 1
        }
        return nil
    }

    /// Where `pattern` first occurs in `range`, anchored on its last byte (see `find(_:anchor:in:)`).
    private func find(_ pattern: [UInt8], in range: Range<Int>) -> Int? {
        pattern.withUnsafeBufferPointer { needle in find(needle, anchor: needle.count - 1, in: range) }
    }

    /// The index just past `text` when the bytes at `position` are exactly `text`.
    private func expect(_ text: StaticString, at position: Int) -> Int? {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count, let base = bytes.baseAddress,
              memcmp(base + position, text.utf8Start, count) == 0 else { return nil }
        return position + count
    }

    /// Where `text` next occurs from `position`: memchr for its byte at `anchor`, chosen rare in the document
    /// (a quote or a new line would stop every few bytes), then a compare. (glibc's memmem is out of reach
    /// without _GNU_SOURCE.)
    private func find(_ text: StaticString, anchor: Int, from position: Int) -> Int? {
        find(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), anchor: anchor,
             in: min(position, bytes.count)..<bytes.count)
    }

    /// Where `pattern` first lies wholly inside `range`: memchr for its byte at `anchor`, then a compare.
    private func find(_ pattern: UnsafeBufferPointer<UInt8>, anchor: Int, in range: Range<Int>) -> Int? {
        guard let base = bytes.baseAddress, let needle = pattern.baseAddress, anchor >= 0, anchor < pattern.count,
              range.upperBound <= bytes.count else { return nil }
        var at = range.lowerBound + anchor
        while at - anchor + pattern.count <= range.upperBound {
            guard let hit = memchr(base + at, Int32(pattern[anchor]), range.upperBound - at) else { return nil }
            let candidate = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - anchor
            if candidate + pattern.count <= range.upperBound, memcmp(base + candidate, needle, pattern.count) == 0 { return candidate }
            at = candidate + anchor + 1
        }
        return nil
    }

    private mutating func lease() -> Lease? {
        var seen: UInt16 = 0
        var key: AttachmentKey?, address: IPv4Address?, pod: PodIdentity?, netns: String?, createdAt: Date?, owner: String?
        let complete = object { name, reader in
            switch name {
            case "key": key = reader.attachmentKey(); return key != nil && reader.mark(0, &seen)
            case "address": address = reader.address(); return address != nil && reader.mark(1, &seen)
            case "pod": pod = reader.pod(); return pod != nil && reader.mark(2, &seen)
            case "netns": guard let value = reader.optionalString() else { return false }
                netns = value; return reader.mark(3, &seen)
            case "createdAt": createdAt = reader.date(); return createdAt != nil && reader.mark(4, &seen)
            case "owner": owner = reader.string(); return owner != nil && reader.mark(5, &seen)
            default: return false
            }
        }
        guard complete, let key, let address, let pod, let createdAt, let owner else { return nil }
        return Lease(key: key, address: address, pod: pod, netns: netns, createdAt: createdAt, owner: owner)
    }

    private mutating func endpoint() -> Endpoint? {
        var seen: UInt16 = 0
        var key: AttachmentKey?, phase: Endpoint.Phase?, address: IPv4Prefix?, gateway: IPv4Address?
        var hostVeth: String?, podMAC: String?, netns: String?, bridge: String?, pod: PodIdentity?, createdAt: Date?
        var publicIP: IPv4Address?, portMappings: [PortMapping] = []
        let complete = object { name, reader in
            switch name {
            case "key": key = reader.attachmentKey(); return key != nil && reader.mark(0, &seen)
            case "phase": phase = reader.string().flatMap(Endpoint.Phase.init(rawValue:)); return phase != nil && reader.mark(1, &seen)
            case "address": address = reader.prefix(); return address != nil && reader.mark(2, &seen)
            case "gateway": gateway = reader.address(); return gateway != nil && reader.mark(3, &seen)
            case "hostVeth": hostVeth = reader.string(); return hostVeth != nil && reader.mark(4, &seen)
            case "podMAC": guard let value = reader.optionalString() else { return false }
                podMAC = value; return reader.mark(5, &seen)
            case "netns": netns = reader.string(); return netns != nil && reader.mark(6, &seen)
            case "bridge": bridge = reader.string(); return bridge != nil && reader.mark(7, &seen)
            case "pod": pod = reader.pod(); return pod != nil && reader.mark(8, &seen)
            case "createdAt": createdAt = reader.date(); return createdAt != nil && reader.mark(9, &seen)
            case "publicIP": publicIP = reader.address(); return publicIP != nil && reader.mark(10, &seen)
            case "portMappings": guard let value = reader.array({ $0.portMapping() }) else { return false }
                portMappings = value; return reader.mark(11, &seen)
            default: return false
            }
        }
        guard complete, let key, let phase, let address, let gateway, let hostVeth, let netns, let bridge, let pod,
              let createdAt else { return nil }
        return Endpoint(key: key, phase: phase, address: address, gateway: gateway, hostVeth: hostVeth, podMAC: podMAC,
                        netns: netns, bridge: bridge, pod: pod, createdAt: createdAt, publicIP: publicIP, portMappings: portMappings)
    }

    private mutating func portMapping() -> PortMapping? {
        var seen: UInt16 = 0
        var hostPort: Int?, containerPort: Int?, transport: PortMapping.Transport?, hostIP: IPv4Address?
        let complete = object { name, reader in
            switch name {
            case "hostPort": hostPort = reader.wholeNumber(); return hostPort != nil && reader.mark(0, &seen)
            case "containerPort": containerPort = reader.wholeNumber(); return containerPort != nil && reader.mark(1, &seen)
            case "protocol": transport = reader.string().flatMap(PortMapping.Transport.init(rawValue:)); return transport != nil && reader.mark(2, &seen)
            case "hostIP": hostIP = reader.address(); return hostIP != nil && reader.mark(3, &seen)
            default: return false
            }
        }
        guard complete, let hostPort, let containerPort, let transport, (1...65_535).contains(hostPort),
              (1...65_535).contains(containerPort) else { return nil }
        return PortMapping(hostPort: UInt16(hostPort), containerPort: UInt16(containerPort), transport: transport, hostIP: hostIP)
    }

    private mutating func released() -> ReleasedAddress? {
        var seen: UInt16 = 0
        var address: IPv4Address?, releasedAt: Date?
        let complete = object { name, reader in
            switch name {
            case "address": address = reader.address(); return address != nil && reader.mark(0, &seen)
            case "releasedAt": releasedAt = reader.date(); return releasedAt != nil && reader.mark(1, &seen)
            default: return false
            }
        }
        guard complete, let address, let releasedAt else { return nil }
        return ReleasedAddress(address: address, releasedAt: releasedAt)
    }

    private mutating func attachmentKey() -> AttachmentKey? {
        var seen: UInt16 = 0
        var containerID: String?, ifname: String?
        let complete = object { name, reader in
            switch name {
            case "containerID": containerID = reader.string(); return containerID != nil && reader.mark(0, &seen)
            case "ifname": ifname = reader.string(); return ifname != nil && reader.mark(1, &seen)
            default: return false
            }
        }
        guard complete, let containerID, let ifname else { return nil }
        return AttachmentKey(containerID: containerID, ifname: ifname)
    }

    private mutating func pod() -> PodIdentity? {
        var seen: UInt16 = 0
        var identity = PodIdentity()
        let complete = object { name, reader in
            switch name {
            case "namespace": guard let value = reader.optionalString() else { return false }
                identity.namespace = value; return reader.mark(0, &seen)
            case "name": guard let value = reader.optionalString() else { return false }
                identity.name = value; return reader.mark(1, &seen)
            default: return false
            }
        }
        return complete ? identity : nil
    }

    // MARK: Values

    /// Records that field `bit` was read; false (give up) when the object names it twice.
    private func mark(_ bit: UInt16, _ seen: inout UInt16) -> Bool {
        guard seen & (1 << bit) == 0 else { return false }
        seen |= 1 << bit
        return true
    }

    /// `{ "key": value, ... }`, calling `field` for each key (which reads the value); false to give up.
    private mutating func object(_ field: (KeyBytes, inout StateDocumentFastReader) -> Bool) -> Bool {
        skipSpace()
        guard consume(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipSpace()
            guard let key = stringBytes() else { return false }
            skipSpace()
            guard consume(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard field(KeyBytes(bytes: UnsafeBufferPointer(rebasing: bytes[key])), &self) else { return false }
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    private mutating func array<T>(reserving expected: Int = 0, _ element: (inout StateDocumentFastReader) -> T?) -> [T]? {
        skipSpace()
        guard consume(UInt8(ascii: "[")) else { return nil }
        var items: [T] = Files.prefaultedArray(capacity: expected)
        skipSpace()
        if consume(UInt8(ascii: "]")) { return items }
        while true {
            skipSpace()
            guard let item = element(&self) else { return nil }
            items.append(item)
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? items : nil
        }
    }

    /// `array`, also returning the byte range of each element's text. Room for as many records as the
    /// document could hold is reserved up front (a record is well over 200 bytes) and backed at once
    /// (`Files.prefault`), so that the arrays are neither copied as they grow nor faulted in page by page.
    private mutating func spannedArray<T>(_ element: (inout StateDocumentFastReader) -> T?) -> ([T], [Range<Int>])? {
        let expected = bytes.count / 200
        var spans: [Range<Int>] = Files.prefaultedArray(capacity: expected)
        let items = array(reserving: expected) { reader -> T? in
            let start = reader.index
            guard let item = element(&reader) else { return nil }
            spans.append(start..<reader.index)
            return item
        }
        return items.map { ($0, spans) }
    }

    /// The byte range of a string's contents: ASCII without escapes or control characters only.
    private mutating func stringBytes() -> Range<Int>? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return start..<(index - 1)
            }
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\\") { return nil }
            index += 1
        }
        return nil
    }

    private mutating func string() -> String? {
        stringBytes().map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
    }

    /// A string or `null`: `.some(nil)` for null, nil to give up.
    private mutating func optionalString() -> String?? {
        if index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
           bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") {
            index += 4
            return .some(nil)
        }
        return string().map { .some($0) }
    }

    private mutating func address() -> IPv4Address? {
        stringBytes().flatMap { IPv4Address(utf8: UnsafeBufferPointer(rebasing: bytes[$0])) }
    }

    /// "a.b.c.d/len" with a length of one or two digits up to 32 (anything odder goes to the general reader).
    private mutating func prefix() -> IPv4Prefix? {
        stringBytes().flatMap { Self.prefix(UnsafeBufferPointer(rebasing: bytes[$0])) }
    }

    private static func prefix(_ text: UnsafeBufferPointer<UInt8>) -> IPv4Prefix? {
        guard let slash = text.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        guard let address = IPv4Address(utf8: UnsafeBufferPointer(rebasing: text[..<slash])) else { return nil }
        let digits = text[(slash + 1)...]
        guard (1...2).contains(digits.count), digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let length = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return length <= 32 ? IPv4Prefix(address: address, length: length) : nil
    }

    private mutating func date() -> Date? {
        stringBytes().flatMap { ISO8601.parse(utf8: UnsafeBufferPointer(rebasing: bytes[$0])) }
    }

    /// A plain non-negative whole number of at most 15 digits (what `JSONValue.intValue` takes exactly).
    private mutating func wholeNumber() -> Int? {
        let start = index
        var value = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            // More than 15 digits is not ours to read, and would overflow below.
            guard index - start < 15 else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - start
        guard digits >= 1, digits <= 15, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        // A fraction or exponent would make this a different number: leave it to the general reader.
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return nil }
        return value
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }
}

/// A key's bytes, matched against string literals in a `switch` without making a `String`.
struct KeyBytes {
    let bytes: UnsafeBufferPointer<UInt8>

    static func ~= (pattern: StaticString, key: KeyBytes) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard key.bytes.count == count, let base = key.bytes.baseAddress else { return false }
        return memcmp(pattern.utf8Start, base, count) == 0
    }
}
