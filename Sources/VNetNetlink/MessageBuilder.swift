#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetModel

/// Netlink requests laid out back to back in one buffer, built with libmnl and sent with one `sendto`.
///
/// Batching is how a veth is created and read back in one round trip: the kernel handles the messages of
/// one datagram in order and answers each. It does NOT stop at the first failure, so only requests whose
/// later neighbours are harmless on their own (reads, or steps on an object we just made) share a batch.
/// The socket stamps sequence numbers when it sends, so a batch is a plain value until then.
struct RequestBatch: ~Copyable {
    struct Entry {
        var offset: Int
        var label: RequestLabel
        var isDump: Bool
        /// An errno this request may fail with without failing the batch (0: none).
        var tolerated: Int32 = 0
    }

    private let buffer: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var length = 0
    private(set) var entries: [Entry] = []

    init(capacity: Int = Int(vnet_mnl_socket_buffer_size())) {
        self.capacity = capacity
        buffer = .allocate(byteCount: capacity, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
    }

    deinit { buffer.deallocate() }

    var isEmpty: Bool { entries.isEmpty }

    /// Appends one request: netlink header, the family header (`ifinfomsg`, `ifaddrmsg`, `rtmsg`, ...),
    /// then whatever attributes `build` writes. Every request but a dump asks for an ack, so a success is
    /// confirmed as explicitly as a failure. A request that does not fit is dropped whole. A failure with
    /// errno `tolerating` counts as success (for a request that may not apply on every kernel).
    mutating func add<Header: BitwiseCopyable>(
        _ type: Int, flags: Int32 = 0, header: Header, label: RequestLabel, tolerating: Int32 = 0,
        _ build: (MessageWriter) throws(NetlinkError) -> Void = { _ in }
    ) throws(NetlinkError) {
        let available = capacity - length
        let needed = vnet_mnl_nlmsg_hdrlen() + vnet_mnl_align(MemoryLayout<Header>.size)
        guard available >= needed, let nlh = mnl_nlmsg_put_header(buffer + length) else {
            throw label.failure(EMSGSIZE, "request does not fit in \(capacity) bytes")
        }
        let isDump = flags & vnet_nlm_f_dump() == vnet_nlm_f_dump()
        let ack: Int32 = isDump ? 0 : vnet_nlm_f_ack()
        nlh.pointee.nlmsg_type = UInt16(truncatingIfNeeded: type)
        nlh.pointee.nlmsg_flags = UInt16(truncatingIfNeeded: vnet_nlm_f_request() | ack | flags)
        guard let extra = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<Header>.size) else {
            throw label.failure(EMSGSIZE, "no room for the family header")
        }
        extra.storeBytes(of: header, as: Header.self)
        try build(MessageWriter(header: nlh, limit: available, label: label))
        entries.append(Entry(offset: length, label: label, isDump: isDump, tolerated: tolerating))
        length += Int(vnet_mnl_align(Int(nlh.pointee.nlmsg_len)))
    }

    /// The netlink header of request `index`, for the socket to stamp.
    func header(_ index: Int) -> UnsafeMutablePointer<nlmsghdr> {
        (buffer + entries[index].offset).assumingMemoryBound(to: nlmsghdr.self)
    }

    /// The bytes to send.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: length) }
}

/// Writes the attributes of one request in place. Valid only inside `RequestBatch.add`'s closure.
struct MessageWriter {
    let header: UnsafeMutablePointer<nlmsghdr>
    /// Bytes available from `header` to the end of the batch buffer.
    let limit: Int
    let label: RequestLabel

    private func overflow(_ type: some BinaryInteger) -> NetlinkError {
        label.failure(EMSGSIZE, "attribute \(type) does not fit in the request")
    }

    func put(_ type: some BinaryInteger, u8 value: UInt8) throws(NetlinkError) {
        guard mnl_attr_put_u8_check(header, limit, UInt16(truncatingIfNeeded: type), value) else { throw overflow(type) }
    }

    func put(_ type: some BinaryInteger, u16 value: UInt16) throws(NetlinkError) {
        guard mnl_attr_put_u16_check(header, limit, UInt16(truncatingIfNeeded: type), value) else { throw overflow(type) }
    }

    func put(_ type: some BinaryInteger, u32 value: UInt32) throws(NetlinkError) {
        guard mnl_attr_put_u32_check(header, limit, UInt16(truncatingIfNeeded: type), value) else { throw overflow(type) }
    }

    func put(_ type: some BinaryInteger, i32 value: Int32) throws(NetlinkError) {
        try put(type, u32: UInt32(bitPattern: value))
    }

    /// A NUL-terminated string, as the kernel expects for names and kinds.
    func put(_ type: some BinaryInteger, string value: String) throws(NetlinkError) {
        let fits = value.withCString { mnl_attr_put_strz_check(header, limit, UInt16(truncatingIfNeeded: type), $0) }
        guard fits else { throw overflow(type) }
    }

    func put(_ type: some BinaryInteger, bytes value: [UInt8]) throws(NetlinkError) {
        let fits = value.withUnsafeBytes { raw in
            mnl_attr_put_check(header, limit, UInt16(truncatingIfNeeded: type), raw.count, raw.baseAddress)
        }
        guard fits else { throw overflow(type) }
    }

    /// An IPv4 address in network byte order.
    func put(_ type: some BinaryInteger, address: IPv4Address) throws(NetlinkError) {
        let o = address.octets
        try put(type, bytes: [o.0, o.1, o.2, o.3])
    }

    /// A nested attribute (libmnl sets NLA_F_NESTED); `body` writes its members.
    func nest(_ type: some BinaryInteger, _ body: (MessageWriter) throws(NetlinkError) -> Void) throws(NetlinkError) {
        guard let start = mnl_attr_nest_start_check(header, limit, UInt16(truncatingIfNeeded: type)) else {
            throw overflow(type)
        }
        do {
            try body(self)
        } catch {
            mnl_attr_nest_cancel(header, start)
            throw error
        }
        mnl_attr_nest_end(header, start)
    }

    /// A raw struct at the current end of the message: VETH_INFO_PEER's payload starts with the peer's own
    /// `ifinfomsg` before its attributes.
    func putStruct<T: BitwiseCopyable>(_ value: T) throws(NetlinkError) {
        let size = vnet_mnl_align(MemoryLayout<T>.size)
        guard Int(header.pointee.nlmsg_len) + size <= limit, let tail = mnl_nlmsg_get_payload_tail(header) else {
            throw label.failure(EMSGSIZE, "embedded header does not fit in the request")
        }
        tail.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        tail.storeBytes(of: value, as: T.self)
        header.pointee.nlmsg_len += UInt32(size)
    }
}
