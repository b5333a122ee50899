import VNetConsole
import VNetOperations

/// The demo's own key (`B`), on the sandbox `--demo` built: the console asks, the sandbox breaks one of its
/// own pods. Given to the console only with `--demo`.
final class SandboxDemoActions: DemoActions {
    let sandbox: DemoSandbox
    let node: Node

    init(sandbox: DemoSandbox, node: Node) {
        self.sandbox = sandbox
        self.node = node
    }

    func breakPod() throws -> String { try sandbox.breakPod(node: node) }
}
