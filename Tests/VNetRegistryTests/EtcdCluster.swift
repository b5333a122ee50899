import Foundation
import Glibc

/// A real etcd cluster (Debian's etcd-server 3.4) on loopback ports, in a temporary directory, for one test:
/// started by the test, stopped by it (SIGTERM, then SIGKILL, by the PIDs it started), also when the test
/// fails. Members can be killed and started again to test failover.
final class EtcdCluster {
    struct Member {
        var name: String
        var clientPort: Int
        var peerPort: Int
        var process: Process?
        var client: String { "http://127.0.0.1:\(clientPort)" }
        var peer: String { "http://127.0.0.1:\(peerPort)" }
    }

    let directory: String
    private(set) var members: [Member]

    var endpoints: [String] { members.map(\.client) }

    static var etcdBinary: String? {
        ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(size: Int) throws {
        directory = NSTemporaryDirectory() + "vnet-etcd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try Self.freePorts(size * 2)
        members = (0..<size).map { Member(name: "m\($0)", clientPort: ports[2 * $0], peerPort: ports[2 * $0 + 1]) }
        for index in members.indices { try start(index, state: "new") }
        try waitUntilServing()
    }

    deinit { stop() }

    /// Starts member `index` (again, after `kill`: then with the data it had).
    func start(_ index: Int, state: String = "existing") throws {
        guard let etcd = Self.etcdBinary else { throw Failure("etcd is not installed (apt-get install etcd-server)") }
        let member = members[index]
        let cluster = members.map { "\($0.name)=\($0.peer)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: etcd)
        process.arguments = [
            "--name", member.name, "--data-dir", "\(directory)/\(member.name)",
            "--listen-client-urls", member.client, "--advertise-client-urls", member.client,
            "--listen-peer-urls", member.peer, "--initial-advertise-peer-urls", member.peer,
            "--initial-cluster", cluster, "--initial-cluster-state", state, "--initial-cluster-token", "vnet-test",
            "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "error",
        ]
        let log = FileHandle(forWritingAtPath: "\(directory)/\(member.name).log")
            ?? { FileManager.default.createFile(atPath: "\(directory)/\(member.name).log", contents: nil); return FileHandle(forWritingAtPath: "\(directory)/\(member.name).log") }()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        members[index].process = process
    }

    /// Kills member `index` with SIGKILL, as a crash would.
    func kill(_ index: Int) {
        guard let process = members[index].process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        members[index].process = nil
    }

    func stop() {
        for index in members.indices {
            guard let process = members[index].process else { continue }
            Glibc.kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            members[index].process = nil
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Waits until every running member answers and a leader is elected.
    func waitUntilServing(timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let running = members.filter { $0.process != nil }
            if running.allSatisfy({ Self.health($0.client) }) { return }
            usleep(100_000)
        }
        throw Failure("etcd did not start within \(timeout) s; logs in \(directory)")
    }

    /// `GET /health` answers {"health":"true"} once the member has a leader. (A plain socket: Foundation's
    /// URL loading of http needs FoundationNetworking, which the tests do not otherwise need.)
    static func health(_ endpoint: String) -> Bool {
        guard let port = endpoint.split(separator: ":").last.flatMap({ UInt16($0) }) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let request = Array("GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return false }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self).contains("\"health\":\"true\"")
    }

    /// Ports free on loopback now (bound to port 0 and released).
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw Failure("no free port on loopback") }
            sockets.append(fd)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
