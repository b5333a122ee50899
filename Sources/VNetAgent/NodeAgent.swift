#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import VNetModel
import VNetOperations
import VNetRegistry
import VNetSystem

/// vnetd: one `ReservationKeeper` per served network, the growth socket of each, and the metrics endpoint,
/// run together until a signal ends them.
public struct NodeAgent: Sendable {
    public let networks: [ServedNetwork]
    public let keepers: [ReservationKeeper]
    let clients: [EtcdClient]
    public let metrics: AgentMetrics

    /// Reads `configPath`; fails when no network in it has a registry.
    public static func load(configPath: String, giveBackAfter: Double, heartbeatSeconds: Int) throws -> NodeAgent {
        guard let bytes = try Files.read(configPath) else { throw ConfigError("\(configPath) does not exist") }
        let networks = try ServedNetwork.load(configuration: bytes)
        guard !networks.isEmpty else { throw ConfigError("no network in \(configPath) has \"ipam.registry\": nothing to serve") }
        let metrics = AgentMetrics()
        let clients = networks.map { EtcdClient(endpoints: $0.settings.endpoints) }
        let keepers = zip(networks, clients).map { network, client in
            ReservationKeeper(served: network, client: client, giveBackAfter: giveBackAfter, metrics: metrics, heartbeatSeconds: heartbeatSeconds)
        }
        return NodeAgent(networks: networks, keepers: keepers, clients: clients, metrics: metrics)
    }

    /// Serves until the first of `signals`; then stops every keeper (the heartbeat goes at once) and returns.
    public func run(interval: Double, metrics address: (host: String, port: Int)?, until signals: AsyncStream<Int32>) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>?
        if let address { server = try await MetricsServer.bind(host: address.host, port: address.port, group: group) }
        for network in networks {
            Log.say("vnetd: serving network \(network.network) as node \(network.nodeName) of VNet \(network.settings.vnet) "
                    + "(registry \(network.settings.endpoints.joined(separator: ",")), step \(network.settings.reservationStep))")
        }
        if let address { Log.say("vnetd: metrics on http://\(address.host):\(address.port)/metrics and /healthz") }
        // Said once, as vnetctl and the console do: pods bound in another mount namespace are judged by their veth.
        if let warning = NamespaceView.warning() { Log.say("vnetd: warning: \(warning)") }
        await withTaskGroup(of: Void.self) { tasks in
            for keeper in keepers {
                tasks.addTask { await keeper.run(interval: interval) }
                tasks.addTask {
                    let path = GrowthRequest.socketPath(directory: keeper.served.directory)
                    do { try await GrowthServer.serve(path: path, keeper: keeper, group: group) } catch {
                        if !Task.isCancelled { Log.say("vnetd: the growth socket \(path) failed: \(error)") }
                    }
                }
            }
            if let server {
                let metrics = self.metrics
                tasks.addTask { try? await MetricsServer.serve(server, metrics: metrics) }
            }
            // Awaited here, not in a child task: a keeper's loop ending first must not cancel the stop.
            for await signal in signals {
                Log.say("vnetd: signal \(signal): stopping")
                // At once: waiting ADDs are answered and the heartbeat goes, before the servers close.
                for keeper in keepers { await keeper.stop() }
                break
            }
            tasks.cancelAll()
        }
        for network in networks { unlink(GrowthRequest.socketPath(directory: network.directory)) }
        for client in clients { await client.shutdown() }
        try? await group.shutdownGracefully()
    }
}

/// vnetd's log: one line each, on standard error, with the time.
public enum Log {
    public static func say(_ line: String) {
        let text = Array("\(ISO8601.format(Date())) \(line)\n".utf8)
        text.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
