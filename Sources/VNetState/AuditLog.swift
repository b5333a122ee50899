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
import VNetSystem

/// One change made by an operator through vnetctl or the console.
public struct AuditEntry: Codable, Sendable, Hashable {
    public var time: Date
    public var user: String
    public var uid: UInt32
    public var pid: Int32
    public var tool: String
    public var network: String
    public var command: String
    public var before: String
    public var after: String
}

/// The audit log: `<dataDir>/audit.log`, one JSON object per line, appended with O_APPEND so concurrent
/// writers never interleave within a line.
public enum AuditLog {
    public static func path(dataDir: String) -> String { dataDir + "/audit.log" }

    public static func append(dataDir: String, tool: String, network: String, command: String, before: String, after: String) {
        let uid = getuid()
        let user = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
        let entry = AuditEntry(time: Date(), user: user, uid: uid, pid: getpid(), tool: tool, network: network,
                               command: command, before: before, after: after)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard var bytes = try? Array(encoder.encode(entry)) else { return }
        bytes.append(UInt8(ascii: "\n"))
        let fd = open(path(dataDir: dataDir), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        try? Files.writeAll(fd, bytes, path: path(dataDir: dataDir))
    }

    /// The last `limit` entries, newest last.
    public static func read(dataDir: String, limit: Int = 100) -> [AuditEntry] {
        guard let bytes = try? Files.read(path(dataDir: dataDir)) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return bytes.split(separator: UInt8(ascii: "\n")).suffix(limit).compactMap {
            try? decoder.decode(AuditEntry.self, from: Data($0))
        }
    }
}
