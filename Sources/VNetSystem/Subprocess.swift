#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a program with a fixed argument vector: no shell is ever involved, so no input is ever parsed as
/// shell syntax. For the demo sandbox and tests; the plugins' own work never execs a tool.
public enum Subprocess {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var arguments: [String]
        public var status: Int32
        public var output: String
        public var description: String { "\(arguments.joined(separator: " ")) exited with \(status): \(output)" }
    }

    /// Starts `arguments` (arguments[0] is searched in PATH) with stdout and stderr to /dev/null or the
    /// given descriptor; returns its pid.
    public static func start(_ arguments: [String], output: Int32 = -1, input: Int32 = -1) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if output >= 0 {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        if input >= 0 {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else {
            throw Failure(arguments: arguments, status: -1, output: String(cString: strerror(result)))
        }
        return pid
    }

    /// Runs `arguments` to completion, `input` (small: it must fit a pipe) on its standard input; throws with
    /// its output when it fails.
    public static func run(_ arguments: [String], input: [UInt8]? = nil) throws(Failure) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failure(arguments: arguments, status: -1, output: "pipe failed") }
        var stdin: [Int32] = [-1, -1]
        if let input {
            guard pipe(&stdin) == 0 else { throw Failure(arguments: arguments, status: -1, output: "pipe failed") }
            _ = input.withUnsafeBytes { write(stdin[1], $0.baseAddress, $0.count) }
            close(stdin[1])
        }
        defer { if stdin[0] >= 0 { close(stdin[0]) } }
        let pid: pid_t
        do {
            pid = try start(arguments, output: fds[1], input: stdin[0])
        } catch {
            close(fds[0]); close(fds[1])
            throw error
        }
        close(fds[1])
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 { collected.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(fds[0])
        let status = wait(pid)
        if status != 0 { throw Failure(arguments: arguments, status: status, output: String(decoding: collected, as: UTF8.self)) }
    }

    /// Waits for `pid`; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Ends a process this program started, by pid, and reaps it.
    public static func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        wait(pid)
    }
}
