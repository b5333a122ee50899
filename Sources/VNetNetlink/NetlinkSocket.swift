#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMnl
import VNetSystem

/// An rtnetlink socket (`struct mnl_socket *`), owned: closed when the last reference goes.
///
/// A netlink socket belongs for life to the network namespace of the thread that opened it, so one opened
/// inside a pod's namespace keeps acting there from any thread. Not shared across threads: every request
/// sends, then reads until each of its messages is acknowledged, matching answers by sequence number and
/// port id, and ignoring leftovers of an earlier request.
final class NetlinkSocket {
    private let handle: OpaquePointer
    let portID: UInt32
    private var sequence: UInt32
    /// 32 KiB: the kernel sizes dump datagrams to the reader's buffer up to this, so a big dump takes few reads.
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    /// Opens and binds a socket. `groups` subscribes it to multicast notifications (an event monitor);
    /// a request socket subscribes to none, so nothing but answers ever arrives on it.
    init(groups: UInt32 = 0, nonBlocking: Bool = false) throws(NetlinkError) {
        let label = RequestLabel(operation: "open netlink socket", object: "")
        var flags = Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { flags |= Int32(SOCK_NONBLOCK.rawValue) }
        guard let handle = mnl_socket_open2(NETLINK_ROUTE, flags) else { throw label.failure(errno) }
        var on: Int32 = 1
        // Extended acks carry the kernel's reason in words; capped acks do not echo our request back.
        _ = mnl_socket_setsockopt(handle, vnet_netlink_ext_ack(), &on, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(handle, vnet_netlink_cap_ack(), &on, socklen_t(MemoryLayout<Int32>.size))
        guard mnl_socket_bind(handle, groups, pid_t(vnet_mnl_socket_autopid())) == 0 else {
            let failure = label.failure(errno)
            mnl_socket_close(handle)
            throw failure
        }
        self.handle = handle
        portID = mnl_socket_get_portid(handle)
        sequence = UInt32(truncatingIfNeeded: time(nil))
        receiveBuffer = .allocate(byteCount: 32_768, alignment: 8)
    }

    deinit {
        mnl_socket_close(handle)
        receiveBuffer.deallocate()
    }

    /// For poll(2): readable when notifications are waiting.
    var fileDescriptor: Int32 { mnl_socket_get_fd(handle) }

    /// Sends every request of `batch` in one datagram and collects the answers of each: the messages
    /// the kernel sent for it before its ack (a GET's reply, a dump's entries). Throws the failure of the
    /// first request that failed, after reading every answer so nothing stale stays on the socket.
    func execute(_ batch: borrowing RequestBatch) throws(NetlinkError) -> [[Message]] {
        let count = batch.entries.count
        guard count > 0 else { return [] }
        let first = sequence &+ 1
        sequence = sequence &+ UInt32(count)
        for index in 0..<count {
            let header = batch.header(index)
            header.pointee.nlmsg_seq = first &+ UInt32(index)
            header.pointee.nlmsg_pid = 0
        }
        let bytes = batch.bytes
        guard retryingOnEINTR({ mnl_socket_sendto(handle, bytes.baseAddress, bytes.count) }) >= 0 else {
            throw batch.entries[0].label.failure(errno, "sendto failed")
        }

        var replies = [[Message]](repeating: [], count: count)
        var failures = [NetlinkError?](repeating: nil, count: count)
        var open = count
        var done = [Bool](repeating: false, count: count)
        while open > 0 {
            let received = retryingOnEINTR { mnl_socket_recvfrom(handle, receiveBuffer.baseAddress, receiveBuffer.count) }
            guard received > 0 else {
                // The socket itself failed: nothing more will come for the open requests.
                let reason = received < 0 ? errno : EPIPE
                let index = done.firstIndex(of: false) ?? 0
                throw batch.entries[index].label.failure(reason, "recvfrom failed")
            }
            for nlh in Datagram(receiveBuffer, length: received) {
                let index = Int(nlh.pointee.nlmsg_seq &- first)
                guard mnl_nlmsg_portid_ok(nlh, portID), index >= 0, index < count, !done[index] else { continue }
                let type = Int32(nlh.pointee.nlmsg_type)
                if type == vnet_nlmsg_error() || type == vnet_nlmsg_done() {
                    let (code, detail) = Self.status(of: nlh, isDone: type == vnet_nlmsg_done())
                    if code < 0 && -code != batch.entries[index].tolerated {
                        failures[index] = batch.entries[index].label.failure(-code, detail)
                    }
                    done[index] = true
                    open -= 1
                } else if type == vnet_nlmsg_noop() || type == vnet_nlmsg_overrun() {
                    continue
                } else {
                    replies[index].append(Message(copying: nlh))
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return replies
    }

    /// Sends the one request of `batch` (built with NLM_F_ECHO) from a detached process and returns at the
    /// first answer: the kernel's echo of the change (a message of type `echoType`) or its ack. Throws the
    /// kernel's error, or ETIMEDOUT when nothing came within `timeoutMilliseconds` (the detached process died
    /// before sending). Why: see `DetachedProcess`; the point is to not sit out work the kernel does after
    /// the change is complete and announced. Kernels that do not echo the change answer with the ack only.
    func executeDetached(_ batch: borrowing RequestBatch, echoType: Int, timeoutMilliseconds: Int32) throws(NetlinkError) {
        guard let entry = batch.entries.first, batch.entries.count == 1 else {
            throw RequestLabel(operation: "detached request", object: "").failure(EINVAL, "exactly one request")
        }
        sequence = sequence &+ 1
        let expected = sequence
        let header = batch.header(0)
        header.pointee.nlmsg_seq = expected
        header.pointee.nlmsg_pid = 0
        let bytes = batch.bytes
        do {
            try DetachedProcess.send(on: fileDescriptor, bytes)
        } catch {
            throw entry.label.failure(error.errno, error.description)
        }
        let deadline = MonotonicClock.seconds() + Double(timeoutMilliseconds) / 1000
        while true {
            let remaining = Int32(clamping: Int(((deadline - MonotonicClock.seconds()) * 1000).rounded(.up)))
            var waiting = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = remaining > 0 ? retryingOnEINTR { poll(&waiting, 1, remaining) } : 0
            guard ready > 0 else { throw entry.label.failure(ready < 0 ? errno : ETIMEDOUT, "no answer from the kernel") }
            let received = retryingOnEINTR { mnl_socket_recvfrom(handle, receiveBuffer.baseAddress, receiveBuffer.count) }
            guard received > 0 else { throw entry.label.failure(received < 0 ? errno : EPIPE, "recvfrom failed") }
            for nlh in Datagram(receiveBuffer, length: received) {
                guard mnl_nlmsg_portid_ok(nlh, portID), nlh.pointee.nlmsg_seq == expected else { continue }
                let type = Int32(nlh.pointee.nlmsg_type)
                // The echo: the change is made and visible. The ack (from kernels that do not echo): all done.
                if Int(type) == echoType { return }
                if type == vnet_nlmsg_error() {
                    let (code, detail) = Self.status(of: nlh, isDone: false)
                    if code < 0 { throw entry.label.failure(-code, detail) }
                    return
                }
            }
        }
    }

    /// The error code of an NLMSG_ERROR (0 for an ack) or NLMSG_DONE, and the extended-ack message if any.
    private static func status(of nlh: UnsafePointer<nlmsghdr>, isDone: Bool) -> (Int32, String?) {
        let payloadLength = Int(mnl_nlmsg_get_payload_len(nlh))
        guard payloadLength >= MemoryLayout<Int32>.size, let payload = mnl_nlmsg_get_payload(nlh) else {
            return (isDone ? 0 : -EBADMSG, nil)
        }
        let code = payload.loadUnaligned(as: Int32.self)
        let flags = Int32(nlh.pointee.nlmsg_flags)
        guard flags & vnet_nlm_f_ack_tlvs() != 0 else { return (code, nil) }
        // The TLVs follow the error code and the echoed request (only its header when capped); DONE has
        // only the code before them.
        var offset = MemoryLayout<Int32>.size
        if !isDone {
            let echoed = payload.loadUnaligned(fromByteOffset: offset, as: nlmsghdr.self)
            let capped = flags & vnet_nlm_f_capped() != 0
            offset += capped ? MemoryLayout<nlmsghdr>.size : Int(echoed.nlmsg_len)
        }
        offset = Int(vnet_mnl_align(offset))
        guard offset < payloadLength else { return (code, nil) }
        let tlvs = Array(UnsafeRawBufferPointer(start: payload + offset, count: payloadLength - offset))
        let message = Attributes(bytes: tlvs, range: 0..<tlvs.count).string(NLMSGERR_ATTR_MSG.rawValue)
        return (code, message)
    }

    /// Reads whatever notifications are queued without blocking (the socket must be non-blocking).
    /// Returns nil when nothing is waiting; throws ENOBUFS when the kernel dropped notifications.
    func receiveNotifications() throws(NetlinkError) -> [Message]? {
        let received = retryingOnEINTR { mnl_socket_recvfrom(handle, receiveBuffer.baseAddress, receiveBuffer.count) }
        if received < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw NetlinkError(operation: "read notifications", object: "", errno: errno)
        }
        guard received > 0 else { return nil }
        return Datagram(receiveBuffer, length: received).map { Message(copying: $0) }
    }
}

/// The netlink messages of one received datagram (`length` bytes at the start of `buffer`), in order:
/// what every read of a `NetlinkSocket` walks.
private struct Datagram: Sequence, IteratorProtocol {
    private var current: UnsafePointer<nlmsghdr>?
    private var remaining: Int32

    init(_ buffer: UnsafeMutableRawBufferPointer, length: Int) {
        current = buffer.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: nlmsghdr.self)) }
        remaining = Int32(clamping: length)
    }

    mutating func next() -> UnsafePointer<nlmsghdr>? {
        guard let nlh = current, mnl_nlmsg_ok(nlh, remaining) else { return nil }
        // mnl_nlmsg_next decrements `remaining` by this message's aligned length.
        current = UnsafePointer(mnl_nlmsg_next(nlh, &remaining))
        return nlh
    }
}
