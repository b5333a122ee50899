import ArgumentParser
import VNetIPAM
import VNetModel
import VNetOperations

/// The node a command acts on: the network chosen under --state-dir, entered through --netns.
struct Context {
    var options: GlobalOptions
    var network: String
    var node: Node
    var ipam: IPAMService?
    /// Said once per run, on standard error (`NamespaceView`).
    var namespaceWarning: String?

    init(_ options: GlobalOptions) throws {
        self.options = options
        if let name = options.netns { try NodeAssembly.enterNetworkNamespace(named: name) }
        network = try Self.chooseNetwork(options)
        (node, ipam) = try NodeAssembly.recorded(stateDir: options.stateDir, network: network)
        namespaceWarning = NamespaceView.warning()
        if let namespaceWarning { Output.error("warning: " + namespaceWarning) }
    }

    /// The network named by --network, or the only one under --state-dir.
    static func chooseNetwork(_ options: GlobalOptions) throws -> String {
        do {
            return try NodeAssembly.chooseNetwork(stateDir: options.stateDir, requested: options.chosenNetwork)
        } catch {
            throw CLIError("\(error)")
        }
    }

    var inspector: NodeInspector { NodeInspector(node: node, ipam: ipam, namespaceWarning: namespaceWarning) }

    /// vnetctl with the command an operator typed, for the audit record the operations write.
    func caller(_ command: String) -> Caller { Caller(tool: "vnetctl", command: command) }
}

/// A failure to report and exit 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
