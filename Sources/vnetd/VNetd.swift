import ArgumentParser
import Dispatch
import VNetAgent
import VNetModel

#if canImport(Glibc)
import Glibc
#endif

/// `vnetd --config FILE`: the node agent of every network in FILE whose `ipam` names a VNet registry. Runs
/// in the foreground, in the node's network namespace; SIGTERM (or SIGINT) ends it cleanly, and a restart
/// continues from the registry and the state directory.
@main
struct VNetd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vnetd",
        abstract: "The vnet node agent: the node's share of its VNet, kept in the etcd registry.",
        discussion: "See docs/vnet.md for the registry's keys and what happens when etcd, or vnetd, fails.")

    @Option(help: "A CNI conflist or network configuration; each network whose ipam has a registry is served.")
    var config: String

    @Option(help: "Where /metrics and /healthz are served (host:port; 'off' serves nothing).")
    var metricsAddress = "127.0.0.1:9479"

    @Option(help: "Seconds between two passes over the registry and the state.")
    var interval = 1.0

    @Option(help: "Seconds a reservation stays above its target before the excess is given back.")
    var giveBackAfter = 60.0

    @Option(help: "TTL of the heartbeat's etcd lease, in seconds.")
    var heartbeatSeconds = 10

    func validate() throws {
        guard interval > 0, interval <= 60 else { throw ValidationError("--interval must be in (0, 60]") }
        guard giveBackAfter >= 0 else { throw ValidationError("--give-back-after must be 0 or more") }
        guard (2...300).contains(heartbeatSeconds) else { throw ValidationError("--heartbeat-seconds must be in 2...300") }
        if metricsAddress != "off", MetricsAddress(metricsAddress) == nil {
            throw ValidationError("--metrics-address must be host:port or 'off', found \"\(metricsAddress)\"")
        }
    }

    func run() async throws {
        let agent: NodeAgent
        do {
            agent = try NodeAgent.load(configPath: config, giveBackAfter: giveBackAfter, heartbeatSeconds: heartbeatSeconds)
        } catch {
            Log.say("vnetd: \(error)")
            throw ExitCode(2)
        }
        let signals = Signals.watch([SIGTERM, SIGINT])
        let metrics = metricsAddress == "off" ? nil : MetricsAddress(metricsAddress)
        do {
            try await agent.run(interval: interval, metrics: metrics.map { ($0.host, $0.port) }, until: signals)
        } catch {
            Log.say("vnetd: \(error)")
            throw ExitCode(1)
        }
    }
}

/// host:port of the metrics endpoint.
struct MetricsAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        host = String(text[..<colon].filter { $0 != "[" && $0 != "]" })
        guard !host.isEmpty else { return nil }
        self.port = port
    }
}

/// The first of `signals` to arrive, as an async value (their default action is turned off).
enum Signals {
    static func watch(_ signals: [Int32]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                Retained.sources.append(source)
            }
        }
    }

    /// Dispatch sources live as long as the process.
    private enum Retained {
        nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
    }
}
