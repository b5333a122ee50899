/// Where the console's events come from: the node's event log, read by the operations layer (or a fake in
/// tests). The first call answers the log's newest events; each later one what was appended since, so a
/// refresh reads only the new lines, never the whole log.
public protocol EventSource: AnyObject {
    func read() -> EventBatch
}

/// Events given once, then nothing: demos of a frame and tests.
public final class FixedEventSource: EventSource {
    private var pending: EventBatch?

    public init(_ batch: EventBatch) { pending = batch }

    public func read() -> EventBatch {
        defer { pending = nil }
        return pending ?? EventBatch(events: [])
    }
}
