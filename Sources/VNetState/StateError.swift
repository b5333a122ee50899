import VNetModel
import VNetSystem

/// Why the state store refused or failed. Every case says what to do next, because an operator reads these
/// at 3 a.m. in a kubelet log.
public enum StateError: Error, Sendable, CustomStringConvertible {
    /// The state file cannot be trusted; nothing is allocated from it.
    case corrupt(path: String, reason: String)
    /// Another process held the lock for the whole bounded wait.
    case lockTimeout(path: String, waited: Double, holder: LockHolder?)
    /// The state directory or a file in it is not safe to use (a symlink, writable by others).
    case unsafe(path: String, reason: String)
    case invalidNetworkName(String)
    case io(SystemError)
    /// No last good copy exists to recover from.
    case noBackup(path: String)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason):
            return "state file \(path) is corrupt (\(reason)); vnet refuses to allocate from it so that no address "
                + "is handed out twice. Recover with `vnetctl --state-dir \(Files.directory(of: Files.directory(of: path))) "
                + "state repair`, which restores the last good copy (\(path).prev) and keeps the bad file for inspection"
        case .lockTimeout(let path, let waited, let holder):
            let who = holder.map { "held by pid \($0.pid) (\($0.verb)) since \($0.since)" } ?? "holder unknown"
            return "state lock \(path) busy for \(String(format1: waited)) s, \(who); try again later"
        case .unsafe(let path, let reason):
            return "refusing to use \(path): \(reason)"
        case .invalidNetworkName(let name):
            return "network name \"\(name)\" cannot name a state directory (letters, digits, '_', '.', '-'; not starting with '.' or '-')"
        case .io(let error):
            return "state I/O failed: \(error); the previous state is intact"
        case .noBackup(let path):
            return "no last good copy at \(path).prev to recover from"
        }
    }
}

extension String {
    /// A number with one decimal, without Foundation's formatting machinery.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
