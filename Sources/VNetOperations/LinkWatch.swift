import VNetModel
import VNetNetlink

/// Link events of the node's namespace, kept as a `LinkTable` for a caller that refreshes often (the
/// console): it wakes on a link added or removed, not only on its timer, and between events only the
/// counters are read again.
public final class LinkWatch {
    private let monitor: NetlinkEventMonitor
    let table = LinkTable()

    /// nil when the kernel refuses the event socket: the caller then refreshes on its timer alone.
    public init?() {
        guard let monitor = try? NetlinkEventMonitor() else { return nil }
        self.monitor = monitor
    }

    /// Readable when events are waiting: the descriptor to poll beside the terminal.
    public var fileDescriptor: Int32 { monitor.fileDescriptor }

    /// Takes the waiting events into the table: each changed link is read again at the next snapshot, an
    /// overflow (or an unreadable socket) brings the full dump back.
    public func drain() {
        guard let events = try? monitor.drain() else { return table.invalidate() }
        for event in events {
            switch event {
            case .linkAdded(let link), .linkChanged(let link): table.linkChanged(index: link.index)
            case .linkRemoved(let index, _): table.linkChanged(index: index)
            case .overflow: table.invalidate()
            case .addressAdded, .addressRemoved: break
            }
        }
    }
}
