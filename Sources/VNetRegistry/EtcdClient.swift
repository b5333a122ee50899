import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import VNetModel

/// A client of etcd v3 through its JSON gateway (`POST /v3/...` on the client port), over async-http-client.
///
/// Why the gateway: it is served by every etcd 3.4 member on the port the cluster already exposes, and it
/// needs no generated code. Why several endpoints: a member that does not answer (stopped, cut off, or
/// restarting after its leader died) is passed over for the next one; the member that answered last is
/// asked first next time.
public final class EtcdClient: Sendable {
    public let endpoints: [String]
    private let http: HTTPClient
    private let group: MultiThreadedEventLoopGroup
    private let timeout: TimeAmount
    private let preferred = Mutex(0)

    /// `endpoints`: "http://127.0.0.1:2379" and the like.
    ///
    /// The client's one event-loop thread is started here, by the calling thread, and its sockets are opened
    /// on it: so they live in the network namespace the caller is in (a tool that entered a node's namespace
    /// on its main thread reaches the registry the way that node does), whatever threads run the awaits.
    public init(endpoints: [String], timeoutSeconds: Double = 1.5) {
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.idleTimeout = .seconds(30)
        // A member that is down refuses at once, but the pool retries a failed connect until the request's
        // deadline: each call is bounded by `timeoutSeconds` per endpoint tried.
        configuration.timeout.connect = .milliseconds(Int64(timeoutSeconds * 1000))
        http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        timeout = .milliseconds(Int64(timeoutSeconds * 1000))
    }

    /// Ends the client's connections; call once, before the process ends.
    public func shutdown() async {
        try? await http.shutdown()
        try? await group.shutdownGracefully()
    }

    // MARK: Keys

    public func range(_ key: String, prefix: Bool = false, revision: Int64? = nil) async throws(RegistryError) -> RangeResult {
        let (endpoint, answer) = try await call("/v3/kv/range", EtcdJSON.range(key, prefix: prefix, revision: revision))
        guard let kvs = EtcdJSON.keyValues(answer) else { throw .malformed(endpoint: endpoint, detail: "kvs") }
        return RangeResult(revision: EtcdJSON.revision(answer), kvs: kvs)
    }

    /// Writes `value` at `key` (attached to `lease` when given); returns the revision of the write.
    @discardableResult
    public func put(_ key: String, _ value: [UInt8], lease: Int64? = nil) async throws(RegistryError) -> Int64 {
        EtcdJSON.revision(try await call("/v3/kv/put", EtcdJSON.put(key, value, lease: lease)).answer)
    }

    @discardableResult
    public func delete(_ key: String, prefix: Bool = false) async throws(RegistryError) -> Int64 {
        EtcdJSON.revision(try await call("/v3/kv/deleterange", EtcdJSON.delete(key, prefix: prefix)).answer)
    }

    /// One atomic transaction: when every compare holds, `success` runs, else `failure`.
    public func txn(_ compares: [Compare], success: [TxnOp], failure: [TxnOp] = []) async throws(RegistryError) -> TxnResult {
        let (endpoint, answer) = try await call("/v3/kv/txn", EtcdJSON.txn(compares, success: success, failure: failure))
        var ranges: [RangeResult] = []
        for response in answer["responses"]?.arrayValue ?? [] {
            guard let range = response["response_range"] else { continue }
            guard let kvs = EtcdJSON.keyValues(range) else { throw .malformed(endpoint: endpoint, detail: "response_range") }
            ranges.append(RangeResult(revision: EtcdJSON.revision(range), kvs: kvs))
        }
        return TxnResult(succeeded: answer["succeeded"]?.boolValue ?? false, revision: EtcdJSON.revision(answer), ranges: ranges)
    }

    // MARK: Leases

    /// A lease of `seconds`; keys attached to it vanish when it is not kept alive.
    public func grantLease(seconds: Int) async throws(RegistryError) -> Int64 {
        let (endpoint, answer) = try await call("/v3/lease/grant", .object(["TTL": .number(Double(seconds))]))
        let id = EtcdJSON.int64(answer["ID"])
        guard id != 0 else { throw .malformed(endpoint: endpoint, detail: "no lease ID in \(JSONWriter.string(answer))") }
        return id
    }

    /// Renews `lease`; returns the seconds it has left, 0 when it had expired already.
    public func keepAlive(_ lease: Int64) async throws(RegistryError) -> Int64 {
        let answer = try await call("/v3/lease/keepalive", .object(["ID": EtcdJSON.int64(lease)])).answer
        return EtcdJSON.int64((answer["result"] ?? answer)["TTL"])
    }

    public func revoke(_ lease: Int64) async throws(RegistryError) {
        _ = try await call("/v3/lease/revoke", .object(["ID": EtcdJSON.int64(lease)]))
    }

    // MARK: Members

    /// Every endpoint's status; members that do not answer are left out.
    public func statuses() async -> [MemberStatus] {
        var out: [MemberStatus] = []
        for endpoint in endpoints {
            guard let answer = try? await post(endpoint, "/v3/maintenance/status", .object([:])) else { continue }
            out.append(MemberStatus(endpoint: endpoint, memberID: String(EtcdJSON.int64(answer["header"]?["member_id"])),
                                    leader: String(EtcdJSON.int64(answer["leader"])), revision: EtcdJSON.revision(answer)))
        }
        return out
    }

    // MARK: Transport

    /// Posts `body` to the preferred endpoint, then to each other one while they do not answer.
    private func call(_ path: String, _ body: JSONValue) async throws(RegistryError) -> (endpoint: String, answer: JSONValue) {
        let first = preferred.withLock { $0 }
        var last = RegistryError.unreachable(endpoints: endpoints, lastError: "no endpoint configured")
        for step in 0..<endpoints.count {
            let index = (first + step) % endpoints.count
            do {
                let answer = try await post(endpoints[index], path, body)
                if step > 0 { preferred.withLock { $0 = index } }
                return (endpoints[index], answer)
            } catch {
                guard error.isTransient else { throw error }
                last = error
            }
        }
        throw last
    }

    private func post(_ endpoint: String, _ path: String, _ body: JSONValue) async throws(RegistryError) -> JSONValue {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSONWriter.bytes(body)))
        let status: HTTPResponseStatus
        let bytes: [UInt8]
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = response.status
            bytes = Array(buffer: try await response.body.collect(upTo: 16 << 20))
        } catch {
            throw .unreachable(endpoints: [endpoint], lastError: "\(error)")
        }
        guard let answer = try? JSONParser.parse(firstDocument(bytes)) else {
            throw .malformed(endpoint: endpoint, detail: String(decoding: bytes.prefix(200), as: UTF8.self))
        }
        guard status == .ok else {
            let message = answer["error"]?.stringValue ?? answer["message"]?.stringValue ?? JSONWriter.string(answer)
            throw .refused(endpoint: endpoint, status: Int(status.code), message: message)
        }
        if let error = answer["error"], error != .null {
            throw .refused(endpoint: endpoint, status: Int(status.code), message: error["message"]?.stringValue ?? JSONWriter.string(error))
        }
        return answer
    }

    /// A streaming answer (lease keep-alive) is a sequence of JSON documents, one a line: the first is enough.
    private func firstDocument(_ bytes: [UInt8]) -> [UInt8] {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")), newline < bytes.count - 1 else { return bytes }
        return Array(bytes[..<newline])
    }
}
