import VNetModel
import VNetState

/// The node's events for front ends (vnetctl events, the console's Events screen): what the plugins and the
/// operations appended to the network's event log, read without any lock.
extension Node {
    /// The last `limit` events, oldest first, and how many lines of the log could not be read (a torn or
    /// corrupt line is skipped and reported, never fatal).
    public func events(limit: Int = 2_000) -> (events: [NodeEvent], skippedLines: Int) {
        let contents = EventLog(directory: store.directory).read(limit: limit)
        return (contents.events, contents.skippedLines)
    }

    /// Follows the log from now on (`vnetctl events --follow`).
    public func followEvents() -> EventFollower {
        EventFollower(log: EventLog(directory: store.directory))
    }
}

/// Reads what was appended to an event log since the last call.
public struct EventFollower: Sendable {
    let log: EventLog
    private var position: EventLog.Position?

    init(log: EventLog) {
        self.log = log
        position = log.follow(from: nil).position
    }

    /// The events appended since the last call, oldest first.
    public mutating func next() -> [NodeEvent] {
        let (events, position) = log.follow(from: position)
        self.position = position
        return events
    }
}
