#if canImport(Glibc)
import Glibc
#endif
import VNetModel
import VNetNetlink
import VNetSystem

/// `PodPathProbe` in the pod's network namespace, in-process.
///
/// Why in-process and not `nsenter` + `ping`/`dig`: a socket belongs to the namespace it was created in,
/// whatever thread uses it later, so the calling thread enters the pod's namespace only for the `socket(2)`
/// call (`NetworkNamespace.withEntered`, which returns it home or stops the process) and sends, waits and
/// reads from where it is. No tool has to be installed, no child can hang, and every wait is our own poll(2)
/// with the hop's timeout. The ping is a raw ICMP socket (root only, as entering a namespace is): the
/// unprivileged ICMP socket needs `ping_group_range`, which a pod's namespace does not grant.
public final class PodNamespaceProbe: PodPathProbe {
    private let namespace: NetworkNamespace
    /// A netlink socket made inside the pod's namespace: its neighbour table.
    private let netlink: Netlink
    /// This probe's ICMP identifier: replies to other pings in the namespace are ignored.
    private let identifier = UInt16.random(in: 1...UInt16.max)
    private var sequence: UInt16 = 0

    public init(netns: String) throws {
        namespace = try NetworkNamespace(path: netns)
        netlink = try Netlink(in: namespace)
    }

    /// A socket created inside the pod's namespace.
    private func podSocket(type: Int32, protocol number: Int32) -> Result<Int32, ProbeFailure> {
        let made: Int32
        do {
            made = try namespace.withEntered { socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), number) }
        } catch {
            return .failure(.sendFailed(errno: EINVAL, message: "cannot enter \(namespace.path): \(error)"))
        }
        guard made >= 0 else { return .failure(Self.sendFailure(errno)) }
        return .success(made)
    }

    public func ping(_ address: IPv4Address, timeout: Double) -> ProbeAnswer {
        let start = MonotonicClock.seconds()
        let fd: Int32
        switch podSocket(type: Int32(SOCK_RAW.rawValue), protocol: Int32(IPPROTO_ICMP)) {
        case .success(let made): fd = made
        case .failure(let failure): return .failure(failure, milliseconds: 0)
        }
        defer { close(fd) }
        sequence &+= 1
        let echo = ICMPEcho(identifier: identifier, sequence: sequence)
        let request = echo.request
        var target = Self.socketAddress(address, port: 0)
        let sent = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, request, request.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent >= 0 else { return .failure(Self.sendFailure(errno), milliseconds: Self.since(start)) }
        while let packet = Self.receive(fd, until: start + timeout) {
            guard case .success(let bytes) = packet else { continue }
            switch echo.read(bytes) {
            case .reply(let from) where from == address: return .reply(milliseconds: Self.since(start))
            case .error(let from, let reason): return .failure(.unreachable(from: from, reason: reason), milliseconds: Self.since(start))
            default: continue
            }
        }
        return .failure(.noReply, milliseconds: Self.since(start))
    }

    public func queryDNS(server: IPv4Address, question: DNSQuestion, timeout: Double) -> ProbeAnswer {
        let start = MonotonicClock.seconds()
        guard let query = question.datagram else {
            return .failure(.sendFailed(errno: EINVAL, message: "\"\(question.name)\" is not a DNS name"), milliseconds: 0)
        }
        let fd: Int32
        switch podSocket(type: Int32(SOCK_DGRAM.rawValue), protocol: Int32(IPPROTO_UDP)) {
        case .success(let made): fd = made
        case .failure(let failure): return .failure(failure, milliseconds: 0)
        }
        defer { close(fd) }
        var target = Self.socketAddress(server, port: 53)
        // Connected, so the kernel passes an ICMP port unreachable back as ECONNREFUSED.
        let connected = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0, send(fd, query, query.count, 0) >= 0 else {
            return .failure(Self.sendFailure(errno), milliseconds: Self.since(start))
        }
        while let packet = Self.receive(fd, until: start + timeout) {
            switch packet {
            case .success(let bytes):
                if question.responseCode(of: bytes) != nil { return .reply(milliseconds: Self.since(start)) }
            case .failure(let failure):
                return .failure(failure, milliseconds: Self.since(start))
            }
        }
        return .failure(.noReply, milliseconds: Self.since(start))
    }

    public func neighbour(_ address: IPv4Address) -> NeighbourEntry? {
        guard let found = (try? netlink.neighbours())?.first(where: { $0.address == address }) else { return nil }
        return NeighbourEntry(state: NeighbourState(nudBits: found.state), mac: found.mac)
    }

    // MARK: - Sockets

    /// The next datagram before `deadline`: its bytes, or the error the socket reported (an ICMP error on
    /// a connected UDP socket); nil when the deadline passed.
    private static func receive(_ fd: Int32, until deadline: Double) -> Result<[UInt8], ProbeFailure>? {
        while true {
            let left = deadline - MonotonicClock.seconds()
            guard left > 0 else { return nil }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(max(1, (left * 1000).rounded(.up))))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return ready == 0 ? nil : .failure(sendFailure(errno)) }
            var buffer = [UInt8](repeating: 0, count: 2048)
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count >= 0 { return .success(Array(buffer.prefix(count))) }
            switch errno {
            case EINTR, EAGAIN: continue
            case ECONNREFUSED: return .failure(.refused)
            case EHOSTUNREACH: return .failure(.unreachable(from: nil, reason: .host))
            case ENETUNREACH: return .failure(.unreachable(from: nil, reason: .network))
            default: return .failure(sendFailure(errno))
            }
        }
    }

    private static func sendFailure(_ code: Int32) -> ProbeFailure {
        .sendFailed(errno: code, message: String(cString: strerror(code)))
    }

    private static func socketAddress(_ address: IPv4Address, port: UInt16) -> sockaddr_in {
        var result = sockaddr_in()
        result.sin_family = sa_family_t(AF_INET)
        result.sin_port = port.bigEndian
        result.sin_addr = in_addr(s_addr: address.value.bigEndian)
        return result
    }

    private static func since(_ start: Double) -> Double { (MonotonicClock.seconds() - start) * 1000 }
}
