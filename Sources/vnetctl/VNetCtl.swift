import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// vnetctl: the node operations of vnet for people and scripts. Argument parsing only: every command calls
/// the operations layer, which the plugins and the console use too.
@main
struct VNetCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vnetctl",
        abstract: "Inspect and repair vnet on this node.",
        discussion: """
        Exit codes: 0 ok, 1 error, 2 usage, 3 partial (some targets failed or were refused).
        JSON output (--json) is documented in docs/vnetctl.md. Changes need root and are written to the audit log.
        """,
        subcommands: [StatusCommand.self, PoolCommand.self, EndpointsCommand.self, LinksCommand.self, NATCommand.self,
                      LeaksCommand.self, EventsCommand.self, ProbeCommand.self, RulesCommand.self, AttachCommand.self, DetachCommand.self, ReclaimCommand.self, GCCommand.self,
                      MetricsCommand.self, StateCommand.self, VNetCommand.self])

    /// Maps ArgumentParser's outcomes onto the documented exit codes (usage errors are 2, not 64).
    static func main() {
        do {
            let (leading, rest) = try LeadingOptions.split(Array(CommandLine.arguments.dropFirst()))
            LeadingOptions.shared = leading
            var command = try parseAsRoot(rest)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Glibc.exit(0)
            }
            if code == .validationFailure {
                Output.error(message)
                Glibc.exit(2)
            }
            if !message.isEmpty { Output.error("vnetctl: " + message) }
            Glibc.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// Options every command shares. They may stand before the command (`vnetctl --json status`) or after it;
/// `--netns NAME` (enter the node's namespace) only before it, since `attach --netns` names the target.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "vnet's data directory (the IPAM's dataDir; default /var/lib/vnet).")
    var stateDirOption: String?

    @Option(name: .long, help: "The network (its directory under --state-dir); optional when there is only one.")
    var network: String?

    @Flag(name: .customLong("json"), help: "Print JSON (schema in docs/vnetctl.md).")
    var jsonFlag = false

    var stateDir: String { stateDirOption ?? LeadingOptions.shared.stateDir ?? "/var/lib/vnet" }
    var json: Bool { jsonFlag || LeadingOptions.shared.json }
    var netns: String? { LeadingOptions.shared.netns }
    var chosenNetwork: String? { network ?? LeadingOptions.shared.network }
}

/// The options given before the command name, taken off the argument list before ArgumentParser sees it.
struct LeadingOptions {
    nonisolated(unsafe) static var shared = LeadingOptions()

    var stateDir: String?
    var network: String?
    var netns: String?
    var json = false

    /// Splits `arguments` into the leading options and the rest (command and its arguments).
    static func split(_ arguments: [String]) throws -> (LeadingOptions, [String]) {
        var leading = LeadingOptions()
        var index = 0
        func value(_ name: String) throws -> String {
            let arg = arguments[index]
            if let equals = arg.firstIndex(of: "=") { return String(arg[arg.index(after: equals)...]) }
            index += 1
            guard index < arguments.count else { throw ValidationError("\(name) needs a value") }
            return arguments[index]
        }
        while index < arguments.count, arguments[index].hasPrefix("--") {
            let arg = arguments[index]
            let name = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            switch name {
            case "--state-dir": leading.stateDir = try value(name)
            case "--network": leading.network = try value(name)
            case "--netns": leading.netns = try value(name)
            case "--json": leading.json = true
            default: return (leading, Array(arguments[index...]))
            }
            index += 1
        }
        return (leading, Array(arguments[index...]))
    }
}
