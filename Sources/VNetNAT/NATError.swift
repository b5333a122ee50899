#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong in the NAT adapter. Every public method of `NATTable` throws only this.
public enum NATError: Error, Hashable, Sendable, CustomStringConvertible {
    /// libnftables could not give us a context (out of memory, or the library is unusable).
    case contextUnavailable(String)
    /// The table name is not one nft accepts as an identifier, or does not match the table's.
    case invalidConfiguration(String)
    /// nft rejected a command: the command as sent, libnftables' return code, and nft's error text.
    case commandFailed(command: String, status: Int32, message: String)
    /// nft printed something we could not read as a listing of our table.
    case malformedListing(String)
    /// A per-pod change needs the table, and it is not there: call `ensure` first.
    case tableMissing(String)
    /// A request sent over nf_tables netlink failed (errno).
    case netlinkFailed(operation: String, errno: Int32)
    /// After a rebuild the table still does not look as it should: the nft on this node renders the layout
    /// differently from what this code expects. Raised instead of rebuilding forever.
    case verificationFailed([String])

    public var description: String {
        switch self {
        case .contextUnavailable(let why):
            return "libnftables context unavailable: \(why)"
        case .invalidConfiguration(let why):
            return "invalid NAT configuration: \(why)"
        case .commandFailed(let command, let status, let message):
            let shown = command.count > 400 ? String(command.prefix(400)) + "..." : command
            return "nft failed (\(status)): \(message.isEmpty ? "no error text" : message); command: \(shown)"
        case .malformedListing(let why):
            return "cannot read nft listing: \(why)"
        case .netlinkFailed(let operation, let code):
            return "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .tableMissing(let table):
            return "nft table \(table) is missing; run ensure first"
        case .verificationFailed(let problems):
            return "nft table still differs after rebuild: \(problems.joined(separator: "; "))"
        }
    }

    /// nft's error text when a command failed, else nil.
    public var nftMessage: String? {
        if case .commandFailed(_, _, let message) = self { return message }
        return nil
    }
}
