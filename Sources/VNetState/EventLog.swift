#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VNetModel
import VNetSystem

/// The network's event log: `<dataDir>/<network>/events.log`, one `NodeEvent` per line, and the file before
/// it, `events.log.prev`. Bounded on disk: a writer that finds the log past `maxBytes` renames it over the
/// previous one, so the two files hold the last ~2,000 events or more and never more than twice the bound.
///
/// Appends take no lock (an ADD never waits for the log, nor the log for an ADD): each event is one
/// write(2) with O_APPEND, which the kernel keeps whole on a local file system. A line torn by a crash
/// or a full disk is skipped and counted by the reader, and the next writer starts a fresh line, so a
/// damaged log costs that line only, never an ADD.
public struct EventLog: Sendable {
    public static let fileName = "events.log"
    /// ~2,000 events of ~250 bytes per file.
    public static let defaultMaxBytes = 512 * 1024

    public let directory: String
    public let maxBytes: Int

    public init(directory: String, maxBytes: Int = EventLog.defaultMaxBytes) {
        self.directory = directory
        self.maxBytes = maxBytes
    }

    public var path: String { directory + "/" + Self.fileName }
    public var previousPath: String { path + ".prev" }

    /// Appends `event`; failures are ignored (the event log must never fail the call it records).
    public func append(_ event: NodeEvent) {
        var line = event.jsonLine
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return }
        // A torn last line (a writer killed mid-way, a full disk): end it, so this event starts clean.
        if status.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(status.st_size - 1)) == 1, last != UInt8(ascii: "\n") { line.insert(UInt8(ascii: "\n"), at: 0) }
        }
        try? Files.writeAll(fd, line, path: path)
        if Int(status.st_size) + line.count > maxBytes { rotate(fd) }
    }

    /// Renames the log over the previous one, if the path still names the file this writer holds (another
    /// writer may have rotated it a moment ago, and its fresh log must not be thrown away).
    private func rotate(_ fd: Int32) {
        var held = stat(), named = stat()
        guard fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev else { return }
        rename(path, previousPath)
    }

    /// What the log holds, oldest first, and how many lines could not be read.
    public struct Contents: Sendable {
        public var events: [NodeEvent]
        public var skippedLines: Int
    }

    /// The last `limit` events, oldest first.
    public func read(limit: Int = 2_000) -> Contents {
        var events: [NodeEvent] = []
        var skipped = 0
        for file in [previousPath, path] {
            guard let bytes = (try? Files.read(file, limit: maxBytes * 4)) ?? nil else { continue }
            for line in bytes.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                if let event = NodeEvent(jsonLine: line) { events.append(event) } else { skipped += 1 }
            }
        }
        return Contents(events: Array(events.suffix(limit)), skippedLines: skipped)
    }

    /// Where a reader that follows the log stands: the file it read and how far.
    public struct Position: Sendable, Hashable {
        var inode: UInt64
        var offset: Int64
    }

    /// The events appended since `position` (nil: from now on), and the new position. A rotation since
    /// then is noticed by the inode, and the rest of the rotated file is read first.
    public func follow(from position: Position?) -> (events: [NodeEvent], position: Position) {
        var named = stat()
        guard stat(path, &named) == 0 else { return ([], position ?? Position(inode: 0, offset: 0)) }
        guard let position else { return ([], Position(inode: UInt64(named.st_ino), offset: Int64(named.st_size))) }
        var events: [NodeEvent] = []
        var offset = position.offset
        if UInt64(named.st_ino) != position.inode {
            var previous = stat()
            if stat(previousPath, &previous) == 0, UInt64(previous.st_ino) == position.inode {
                events += Self.lines(previousPath, from: position.offset).events
            }
            offset = 0
        }
        let (more, end) = Self.lines(path, from: offset)
        return (events + more, Position(inode: UInt64(named.st_ino), offset: end))
    }

    /// The whole lines of `file` from `offset`, and where the last whole line ends.
    static func lines(_ file: String, from offset: Int64) -> (events: [NodeEvent], end: Int64) {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return ([], offset) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var at = offset
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
            at += Int64(n)
        }
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return ([], offset) }
        let whole = bytes[...lastNewline]
        let events = whole.split(separator: UInt8(ascii: "\n")).compactMap { NodeEvent(jsonLine: $0) }
        return (events, offset + Int64(lastNewline + 1))
    }
}
