import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CNI
import VNetConsole
import VNetModel
import VNetOperations

/// vnet-console: the node's operations console. Parsing and wiring only: data comes from the operations
/// layer's `NodeInspector`, changes go through the operations layer, drawing through `VNetConsole`.
@main
struct VNetConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vnet-console",
        abstract: "The full-screen operations console of a vnet node.",
        discussion: "Keys: ? help, 1-7 or Tab screens, / filter, s sort, Enter details, t probe (in details), a attach, d detach, r reclaim, f forget a node, p pause, +/- interval, q quit; with --demo, B breaks a demo pod.")

    @Option(name: .long, help: "vnet's data directory (the IPAM's dataDir).") var stateDir = "/var/lib/vnet"
    @Option(name: .long, help: "The network under --state-dir; optional when there is only one.") var network: String?
    @Option(name: .long, help: "Enter this named network namespace (the node's) first.") var netns: String?
    @Flag(name: .long, help: "Refuse every change (attach, detach, reclaim).") var readOnly = false
    @Option(name: .long, help: "Theme: dark, light, high-contrast, monochrome, or a file name in a themes directory.") var theme: String?
    @Option(name: .long, help: "Seconds between refreshes.") var interval: Double = 2
    @Flag(name: .long, help: "Print one overview frame (text) and exit.") var once = false
    @Flag(name: .long, help: "With --once: print the snapshot as JSON.") var json = false
    @Option(name: .long, help: "With --once: the width of the text frame.") var width = 100
    @Flag(name: .long, help: "Build a sandbox node in namespaces, open the console on it, remove it on exit.") var demo = false
    @Option(name: .long, help: "With --demo: how many pods to attach.") var pods = 5
    @Option(name: .long, help: "Where logs go while the screen is in use.") var log: String?
    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (its own selection and scrollback).") var noMouse = false

    func validate() throws {
        if json && !once { throw ValidationError("--json goes with --once") }
        if !(0.2...3600).contains(interval) { throw ValidationError("--interval must be between 0.2 and 3600 seconds") }
        if demo && !(0...250).contains(pods) { throw ValidationError("--pods must be between 0 and 250") }
        if demo && netns != nil { throw ValidationError("--demo builds its own node; drop --netns") }
    }

    func run() throws {
        // ArgumentParser runs commands on the main thread; curses (and so the whole console) stays on the main actor.
        try MainActor.assumeIsolated { try start() }
    }

    /// The directory of this executable (vnetd and vnet are installed beside it).
    static var executableDirectory: String? {
        guard let path = CommandLine.arguments.first, let slash = path.lastIndex(of: "/") else { return nil }
        let directory = String(path[..<slash])
        guard let resolved = realpath(directory, nil) else { return directory }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    @MainActor
    func start() throws {
        var sandbox: DemoSandbox?
        defer { sandbox?.teardown() }
        let dataDir: String
        let networkName: String
        if demo {
            try Privilege.requireRoot("--demo (it creates network namespaces)")
            DemoSandbox.removeAbandoned()
            let made = try DemoSandbox(binDirectory: Self.executableDirectory)
            sandbox = made
            QuitGuard.install()
            print("vnet-console: building the demo node \(made.nodeNamespace) with \(pods) pods\(made.hasVNet ? ", in a VNet of three nodes on etcd" : ""), state in \(made.stateDir)...")
            try made.build()
            try QuitGuard.check()
            try NodeAssembly.enterNetworkNamespace(named: made.nodeNamespace)
            dataDir = made.stateDir
            networkName = DemoSandbox.network
        } else {
            if let netns { try NodeAssembly.enterNetworkNamespace(named: netns) }
            dataDir = stateDir
            networkName = try NodeAssembly.chooseNetwork(stateDir: stateDir, requested: network)
        }
        let (node, ipam) = try NodeAssembly.recorded(stateDir: dataDir, network: networkName)
        // What went otherwise than planned while the demo set its trouble up: said, never fatal.
        var demoNotes: [String] = []
        if let sandbox {
            try sandbox.attachPods(pods, node: node)
            try QuitGuard.check()
            do { try sandbox.attachVanishedPod(node: node) } catch { demoNotes.append("demo: no leaked pod: \(error)") }
            if let problem = sandbox.recordRefusedAdd() { demoNotes.append("demo: \(problem)") }
            try QuitGuard.check()
            sandbox.startTraffic()
            for note in demoNotes {
                let line = Array("vnet-console: \(note)\n".utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            }
        }
        if once {
            let snapshot = NodeInspector(node: node, ipam: ipam).snapshot()
            if json {
                print(try OnceOutput.json(snapshot))
            } else {
                print(OnceOutput.overviewText(snapshot, width: width, now: Date(), readOnly: readOnly || !Privilege.isRoot), terminator: "")
            }
            return
        }
        var vnet: RegistryVNetSource?
        if let settings = ipam?.config.registry {
            vnet = RegistryVNetSource(settings: settings, cooldown: ipam?.config.cooldown, interval: interval)
        }
        let demoActions = sandbox.map { SandboxDemoActions(sandbox: $0, node: node) }
        try interactive(node: node, vnet: vnet, dataDir: dataDir, network: networkName, demo: demoActions,
                        notes: demoNotes) { watch in
            NodeInspector(node: node, ipam: ipam, linkWatch: watch)
        }
    }

    /// `inspector` makes the console's one inspector, fed by the link watch when the kernel gives one. `demo`
    /// (with `--demo` only) adds the demo's break key and its hint line; `notes` go to the status line.
    @MainActor
    func interactive(node: Node, vnet: RegistryVNetSource?, dataDir: String, network: String, demo: (any DemoActions)? = nil,
                     notes: [String] = [], inspector: (LinkWatch?) -> NodeInspector) throws {
        let environment = CNIEnvironment.current()
        var directories = ThemeLoader.defaultDirectories(executablePath: CommandLine.arguments.first, environment: environment)
        // Run from a checkout (.build/release/vnet-console): the repository's themes/.
        if let exe = CommandLine.arguments.first, let slash = exe.lastIndex(of: "/") {
            directories.append(String(exe[..<slash]) + "/../../themes")
        }
        let loaded = ThemeLoader.resolve(name: theme, directories: directories, environment: environment)
        let canChange = !readOnly && Privilege.isRoot
        let actions: (any ConsoleActions)? = canChange ? OperationsActions(node: node) : nil
        // Wake on link changes (a pod added or removed), not only on the timer (`LinkWatch`).
        let watch = LinkWatch()
        let source = InspectorSource(inspector: inspector(watch))
        let vnetActions = canChange ? vnet.map { RegistryVNetActions(session: $0.session, auditDataDir: dataDir, network: network) } : nil
        let controller = ConsoleController(source: source, actions: actions, vnet: vnet, vnetActions: vnetActions,
                                           events: NodeEventSource(node: node), demo: demo,
                                           configuration: ConsoleConfiguration(readOnly: !canChange, refreshInterval: interval,
                                                                               demoHint: demo == nil ? nil : DemoSandbox.hint),
                                           prober: OperationsProber(stateDir: dataDir, network: network),
                                           verifier: OperationsVerifier(node: node))
        if demo != nil { controller.notify("demo state in \(dataDir): vnetctl --state-dir \(dataDir) events --failed shows the failed ADD") }
        notes.forEach { controller.notify($0, isError: true) }
        loaded.warnings.forEach { controller.notify($0, isError: true) }
        if !readOnly && !Privilege.isRoot { controller.notify("read-only: changes need root", isError: false) }
        let logPath = log ?? (access("/var/log", W_OK) == 0 ? "/var/log/vnet-console.log" : "/tmp/vnet-console.log")
        let terminal: CursesTerminal
        do {
            terminal = try CursesTerminal(theme: loaded.theme, stderrPath: logPath, mouse: !noMouse)
        } catch {
            throw ValidationError("\(error); for scripts use --once (or --once --json)")
        }
        let app = ConsoleApp(controller: controller, terminal: terminal)
        if let path = environment["VNET_CONSOLE_FRAME_LOG"], !path.isEmpty { app.onFrame = FrameLog(path: path)?.append }
        if let watch { app.watch(fd: watch.fileDescriptor) { watch.drain() } }
        if QuitGuard.requested == 0 { app.run() }
        terminal.shutdown()
        if let signal = terminal.quitSignal { throw ExitCode(128 + signal) }
    }
}
