import Foundation

/// A command that failed in a test helper.
public struct CommandFailure: Error, CustomStringConvertible {
    public var arguments: [String]
    public var status: Int32
    public var output: String
    public var description: String { "\(arguments.joined(separator: " ")) exited \(status): \(output)" }

    public init(arguments: [String], status: Int32, output: String) {
        self.arguments = arguments
        self.status = status
        self.output = output
    }
}

/// Runs tools (`ip`, `nft`, `python3`) the way an operator would: to build namespaces, to tamper, and to
/// verify from outside what an adapter did. The code under test never runs a process; only tests do.
public enum Shell {
    /// Runs a command to completion and returns its standard output; throws with stderr on failure.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandFailure(arguments: arguments, status: process.terminationStatus,
                                 output: text + String(decoding: errors, as: UTF8.self))
        }
        return text
    }
}

/// Network namespaces made by one test, named with a per-run prefix and deleted in tearDown (also after a
/// failure), so nothing is left behind. The machine's own namespace is never changed.
public final class TestNamespaces {
    public let prefix: String
    public private(set) var names: [String] = []

    /// `tag` names the test target in the prefix ("vnat", "vnl"), so leftovers say who made them.
    public init(tag: String) {
        prefix = tag + String(UInt32.random(in: 0x100000..<0xFFFFFF), radix: 16)
    }

    /// Creates `<prefix>-<role>` and returns its name.
    public func make(_ role: String) throws -> String {
        let name = "\(prefix)-\(role)"
        try Shell.run(["ip", "netns", "add", name])
        names.append(name)
        return name
    }

    public func removeAll() {
        for name in names.reversed() { _ = try? Shell.run(["ip", "netns", "del", name]) }
        names = []
    }
}
