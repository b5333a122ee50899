import CMnl
import VNetModel

/// One message from the kernel, copied out of the receive buffer so it outlives the next `recv`.
struct Message: Sendable {
    let type: UInt16
    let flags: UInt16
    /// The whole message, netlink header included.
    let bytes: [UInt8]

    init(copying nlh: UnsafePointer<nlmsghdr>) {
        type = nlh.pointee.nlmsg_type
        flags = nlh.pointee.nlmsg_flags
        bytes = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(nlh), count: Int(nlh.pointee.nlmsg_len)))
    }

    /// Builds a message from raw bytes (tests, and events read with `recv`).
    init?(bytes: [UInt8]) {
        guard bytes.count >= MemoryLayout<nlmsghdr>.size else { return nil }
        let header = bytes.withUnsafeBytes { $0.loadUnaligned(as: nlmsghdr.self) }
        guard Int(header.nlmsg_len) <= bytes.count, Int(header.nlmsg_len) >= MemoryLayout<nlmsghdr>.size else { return nil }
        type = header.nlmsg_type
        flags = header.nlmsg_flags
        self.bytes = Array(bytes[0..<Int(header.nlmsg_len)])
    }

    private var payloadOffset: Int { Int(vnet_mnl_nlmsg_hdrlen()) }

    /// The family header (`ifinfomsg`, `ifaddrmsg`, `rtmsg`, ...), or nil when the message is too short.
    func header<T: BitwiseCopyable>(_: T.Type) -> T? {
        guard bytes.count >= payloadOffset + MemoryLayout<T>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: payloadOffset, as: T.self) }
    }

    /// The attributes that follow the family header `T`.
    func attributes<T>(after _: T.Type) -> Attributes {
        let start = payloadOffset + Int(vnet_mnl_align(MemoryLayout<T>.size))
        return Attributes(bytes: bytes, range: min(start, bytes.count)..<bytes.count)
    }
}

/// The attributes of a message or of a nested attribute, indexed by type.
///
/// Walked once with libmnl's `mnl_attr_ok`/`mnl_attr_next` (which check every length against the buffer),
/// kept as ranges into the message's bytes: nothing is copied until a value is read. A type that occurs
/// twice keeps its last occurrence, which is what rtnetlink's own parsers do. The index is a flat list
/// searched from the end, not a dictionary: a link message has ~50 attributes of which a reader asks for a
/// handful, and hashing every one cost more than the whole lookup (a 250-link dump is read every second
/// by the console).
struct Attributes: Sendable {
    private let bytes: [UInt8]
    private var found: [(type: UInt16, range: Range<Int>)] = []

    init(bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        var found: [(type: UInt16, range: Range<Int>)] = []
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, !range.isEmpty else { return }
            var attribute = (base + range.lowerBound).assumingMemoryBound(to: nlattr.self)
            var remaining = Int32(range.count)
            while mnl_attr_ok(attribute, remaining) {
                guard let payload = mnl_attr_get_payload(attribute) else { break }
                let start = UnsafeRawPointer(payload) - base
                found.append((mnl_attr_get_type(attribute), start..<(start + Int(mnl_attr_get_payload_len(attribute)))))
                guard let next = mnl_attr_next(attribute) else { break }
                remaining -= Int32(UnsafeRawPointer(next) - UnsafeRawPointer(attribute))
                attribute = UnsafePointer(next)
            }
        }
        self.found = found
    }

    private func range(_ type: some BinaryInteger) -> Range<Int>? {
        let wanted = UInt16(truncatingIfNeeded: type)
        return found.last { $0.type == wanted }?.range
    }

    var types: [UInt16] { Set(found.map(\.type)).sorted() }

    func has(_ type: some BinaryInteger) -> Bool { range(type) != nil }

    func bytes(_ type: some BinaryInteger) -> [UInt8]? {
        guard let range = range(type) else { return nil }
        return Array(bytes[range])
    }

    private func value<T: FixedWidthInteger>(_ type: some BinaryInteger, as _: T.Type) -> T? {
        guard let range = range(type), range.count >= MemoryLayout<T>.size else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self) }
    }

    func u8(_ type: some BinaryInteger) -> UInt8? { value(type, as: UInt8.self) }
    func u16(_ type: some BinaryInteger) -> UInt16? { value(type, as: UInt16.self) }
    func u32(_ type: some BinaryInteger) -> UInt32? { value(type, as: UInt32.self) }
    func i32(_ type: some BinaryInteger) -> Int32? { value(type, as: Int32.self) }
    func u64(_ type: some BinaryInteger) -> UInt64? { value(type, as: UInt64.self) }

    /// A string attribute, without its NUL terminator (the kernel sends one; tolerate its absence).
    func string(_ type: some BinaryInteger) -> String? {
        guard var payload = bytes(type) else { return nil }
        if let nul = payload.firstIndex(of: 0) { payload.removeSubrange(nul...) }
        return String(decoding: payload, as: UTF8.self)
    }

    /// An IPv4 address sent in network byte order.
    func address(_ type: some BinaryInteger) -> IPv4Address? {
        guard let payload = bytes(type), payload.count == 4 else { return nil }
        return IPv4Address(payload[0], payload[1], payload[2], payload[3])
    }

    func nested(_ type: some BinaryInteger) -> Attributes? {
        guard let range = range(type) else { return nil }
        return Attributes(bytes: bytes, range: range)
    }

    /// A kernel struct such as `rtnl_link_stats64`: copies min(payload, size) bytes into a zeroed value,
    /// because the kernel's struct may be longer (newer fields) or shorter (older kernel) than our header's.
    func structure<T: BitwiseCopyable>(_ type: some BinaryInteger, zero: T) -> T? {
        guard let range = range(type) else { return nil }
        var result = zero
        withUnsafeMutableBytes(of: &result) { target in
            bytes.withUnsafeBytes { source in
                let count = min(range.count, target.count)
                guard count > 0, let from = source.baseAddress, let to = target.baseAddress else { return }
                to.copyMemory(from: from + range.lowerBound, byteCount: count)
            }
        }
        return result
    }
}
