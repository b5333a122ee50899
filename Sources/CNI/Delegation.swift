#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// Runs a delegated plugin (normally IPAM) the way libcni does: found in CNI_PATH, the same stdin, the
/// same environment with CNI_COMMAND set to the verb. No shell is involved.
public enum Delegation {
    /// The plugin binary named `type`, searched in CNI_PATH.
    public static func locate(_ type: String, in path: [String]) throws(CNIError) -> String {
        guard !type.isEmpty, !type.contains("/"), type != ".", type != ".." else {
            throw CNIError(.invalidConfig, "plugin type \"\(type)\" is not a plugin name")
        }
        for directory in path where !directory.isEmpty {
            let candidate = directory + "/" + type
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw CNIError(.invalidConfig, "plugin \"\(type)\" not found in CNI_PATH",
                       details: "searched: " + (path.isEmpty ? "(CNI_PATH is empty)" : path.joined(separator: ":")))
    }

    /// Executes `type` for `command` and returns its stdout. A failing plugin's CNI error is passed through.
    public static func run(_ type: String, command: CNICommand, stdin: [UInt8], environment: [String: String],
                           path: [String]) throws(CNIError) -> [UInt8] {
        let binary = try locate(type, in: path)
        var env = environment
        env["CNI_COMMAND"] = command.rawValue
        let (status, output) = try spawn(binary, stdin: stdin, environment: env)
        if status == 0 { return output }
        if let value = try? JSONParser.parse(output),
           let code = value["code"]?.intValue, let msg = value["msg"]?.stringValue {
            throw CNIError(rawCode: code, msg: msg, details: value["details"]?.stringValue ?? "")
        }
        throw CNIError(.ioFailure, "delegated plugin \(type) failed with status \(status)",
                       details: String(decoding: output.prefix(400), as: UTF8.self))
    }

    /// Delegated ADD: the parsed result.
    public static func add(_ type: String, call: CNICall) throws(CNIError) -> CNIResult {
        let output = try run(type, command: .add, stdin: call.config.bytes, environment: call.processEnvironment,
                             path: call.environment.path)
        let value: JSONValue
        do { value = try JSONParser.parse(output) } catch {
            throw CNIError(.decodeFailure, "delegated plugin \(type) printed an unreadable result",
                           details: String(decoding: output.prefix(400), as: UTF8.self))
        }
        return try CNIResult(decoding: value, version: call.config.cniVersion)
    }

    /// A pipe whose ends close on exec (posix_spawn's dup2 clears the flag on the child's copies).
    static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// Spawns `binary` with `stdin` and collects stdout, feeding and draining through poll so large
    /// documents never deadlock on a full pipe.
    static func spawn(_ binary: String, stdin: [UInt8], environment: [String: String]) throws(CNIError) -> (Int32, [UInt8]) {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard makePipe(&input) else { throw CNIError(.ioFailure, "pipe failed") }
        guard makePipe(&output) else {
            close(input[0]); close(input[1])
            throw CNIError(.ioFailure, "pipe failed")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        close(input[0])
        close(output[1])
        guard spawned == 0 else {
            close(input[1]); close(output[0])
            throw CNIError(.ioFailure, "cannot execute \(binary)", details: String(cString: strerror(spawned)))
        }

        signal(SIGPIPE, SIG_IGN)
        var written = 0
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var writeFD = input[1]
        if stdin.isEmpty { close(writeFD); writeFD = -1 }
        var readOpen = true
        while readOpen {
            var fds = [pollfd(fd: output[0], events: Int16(POLLIN), revents: 0)]
            if writeFD >= 0 { fds.append(pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
            if fds.count > 1, fds[1].revents != 0 {
                let n = stdin.withUnsafeBytes { write(writeFD, $0.baseAddress! + written, $0.count - written) }
                if n > 0 { written += n }
                if n < 0 && errno != EINTR && errno != EAGAIN || written == stdin.count {
                    close(writeFD)
                    writeFD = -1
                }
            }
            if fds[0].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
                if n > 0 { collected.append(contentsOf: buffer[0..<n]) } else if n == 0 || errno != EINTR { readOpen = false }
            }
        }
        if writeFD >= 0 { close(writeFD) }
        close(output[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), collected)
    }
}
