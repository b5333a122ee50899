#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VNetModel
import VNetSystem

/// One CNI invocation: the validated environment and the decoded configuration.
public struct CNICall: Sendable {
    public var environment: CNIEnvironment
    public var config: NetworkConfig
    /// The raw process environment, passed on to delegated plugins.
    public var processEnvironment: [String: String]

    public var key: AttachmentKey { AttachmentKey(containerID: environment.containerID, ifname: environment.ifname) }

    /// Pod identity from CNI_ARGS, as Kubernetes runtimes send it.
    public var pod: PodIdentity {
        PodIdentity(namespace: environment.args["K8S_POD_NAMESPACE"], name: environment.args["K8S_POD_NAME"])
    }
}

/// A CNI plugin: the protocol only. Networking lives in the operations layer.
public protocol CNIPlugin {
    /// A line for VERSION output and logs ("vnet 0.1.0").
    var about: String { get }
    func add(_ call: CNICall) throws(CNIError) -> CNIResult
    func del(_ call: CNICall) throws(CNIError)
    func check(_ call: CNICall) throws(CNIError)
    func status(_ call: CNICall) throws(CNIError)
    func gc(_ call: CNICall) throws(CNIError)
    /// Called after each verb with its duration and its error (nil: it succeeded), for the plugin's own
    /// metrics and the node's event log.
    func record(_ call: CNICall, seconds: Double, error: CNIError?)
}

extension CNIPlugin {
    public func record(_ call: CNICall, seconds: Double, error: CNIError?) {}
}

/// The plugin skeleton: reads the environment and stdin, validates them in the spec's order, dispatches
/// the verb and prints a result or an error in the configuration's version.
public enum CNIMain {
    public struct Outcome: Sendable {
        public var exitCode: Int32
        public var stdout: [UInt8]
    }

    /// Runs one invocation without touching process state, so tests can call it directly.
    public static func handle(_ plugin: some CNIPlugin, environment: [String: String], stdin: [UInt8]) -> Outcome {
        var version = CNIVersion.latest
        do throws(CNIError) {
            let env = try CNIEnvironment(environment)
            if env.command == .version {
                if let config = try? NetworkConfig(bytes: stdin) { version = config.cniVersion }
                return Outcome(exitCode: 0, stdout: JSONOutput.bytes(.object([
                    "cniVersion": .string(version),
                    "supportedVersions": .array(CNIVersion.supported.map(JSONValue.string)),
                ])))
            }
            let config = try NetworkConfig(bytes: stdin)
            version = config.cniVersion
            try config.requireSupportedVersion()
            if env.command == .status || env.command == .gc, !CNIVersion.atLeast(config.cniVersion, "1.1.0") {
                throw CNIError(.incompatibleVersion, "\(env.command.rawValue) needs cniVersion 1.1.0 or later",
                               details: "the configuration says \(config.cniVersion)")
            }
            try config.requireNameAndType()
            let call = CNICall(environment: env, config: config, processEnvironment: environment)
            let started = MonotonicClock.seconds()
            do throws(CNIError) {
                let outcome = try dispatch(plugin, call, version: version)
                plugin.record(call, seconds: MonotonicClock.seconds() - started, error: nil)
                return outcome
            } catch {
                plugin.record(call, seconds: MonotonicClock.seconds() - started, error: error)
                throw error
            }
        } catch {
            if !CNIVersion.isSupported(version) && error.code != CNIError.Code.incompatibleVersion.rawValue {
                version = CNIVersion.latest
            }
            return Outcome(exitCode: 1, stdout: JSONOutput.error(error, version: version))
        }
    }

    /// Runs the call's verb.
    static func dispatch(_ plugin: some CNIPlugin, _ call: CNICall, version: String) throws(CNIError) -> Outcome {
        switch call.environment.command {
        case .add:
            let result = try plugin.add(call)
            return Outcome(exitCode: 0, stdout: JSONOutput.bytes(result.json(version: version)))
        case .del: try plugin.del(call)
        case .check:
            if !CNIVersion.atLeast(call.config.cniVersion, "0.4.0") {
                throw CNIError(.incompatibleVersion, "CHECK needs cniVersion 0.4.0 or later",
                               details: "the configuration says \(call.config.cniVersion)")
            }
            try plugin.check(call)
        case .status: try plugin.status(call)
        case .gc: try plugin.gc(call)
        case .version: break
        }
        return Outcome(exitCode: 0, stdout: [])
    }

    /// The whole main of a plugin: read stdin, handle, write stdout, exit.
    public static func run(_ plugin: some CNIPlugin) -> Never {
        let environment = CNIEnvironment.current()
        let input = readStandardInput(limit: 16 << 20)
        let outcome: Outcome
        if let input {
            outcome = handle(plugin, environment: environment, stdin: input)
        } else {
            outcome = Outcome(exitCode: 1, stdout: JSONOutput.error(
                CNIError(.ioFailure, "cannot read the configuration from stdin", details: "more than 16 MiB or a read error"),
                version: CNIVersion.latest))
        }
        var offset = 0
        while offset < outcome.stdout.count {
            let n = outcome.stdout.withUnsafeBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; break }
            offset += n
        }
        exit(outcome.exitCode)
    }

    static func readStandardInput(limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return bytes.isEmpty ? [] : nil }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { return nil }
        }
    }
}
