/// Why the curses terminal could not start.
public enum TerminalError: Error, Hashable, Sendable, CustomStringConvertible {
    case notATerminal(fd: Int32)
    case cannotOpen(fd: Int32, errno: Int32)
    case unknownTerminalType(String)

    public var description: String {
        switch self {
        case .notATerminal(let fd): return "file descriptor \(fd) is not a terminal (use --once for batch output)"
        case let .cannotOpen(fd, code): return "cannot open file descriptor \(fd) for curses (errno \(code))"
        case .unknownTerminalType(let type): return "curses cannot use terminal type \"\(type)\" (check TERM and terminfo)"
        }
    }
}
