import NIOCore
import NIOHTTP1
import NIOPosix

/// vnetd's HTTP endpoint: `/metrics` (Prometheus text) and `/healthz` (200 when every network's registry
/// answered its last call, else 503, with a JSON body saying which).
public enum MetricsServer {
    /// Binds `host:port` (an error here is the caller's to report before anything else starts).
    public static func bind(host: String, port: Int, group: any EventLoopGroup)
        async throws -> NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never> {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
    }

    public static func serve(_ server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
                             metrics: AgentMetrics) async throws {
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    tasks.addTask { try? await respond(connection, metrics: metrics) }
                }
            }
        }
    }

    private static func respond(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
                                metrics: AgentMetrics) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var path = ""
            for try await part in inbound {
                switch part {
                case .head(let head): path = String(head.uri.prefix { $0 != "?" })
                case .body: continue
                case .end:
                    let (status, type, body) = answer(path, metrics: metrics)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: type)
                    headers.add(name: "Content-Length", value: String(body.utf8.count))
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }

    static func answer(_ path: String, metrics: AgentMetrics) -> (HTTPResponseStatus, String, String) {
        switch path {
        case "/metrics":
            return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition())
        case "/healthz":
            let (healthy, body) = metrics.health()
            return (healthy ? .ok : .serviceUnavailable, "application/json", body)
        default:
            return (.notFound, "text/plain", "vnetd serves /metrics and /healthz\n")
        }
    }
}
