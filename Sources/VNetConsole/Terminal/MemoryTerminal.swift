/// A terminal in memory, for tests and demos: events come from a queue, drawn frames are applied through
/// the same diff the curses terminal uses, and `screen` is what a real screen would show.
@MainActor
public final class MemoryTerminal: Terminal {
    public private(set) var size: TerminalSize
    public var capabilities: TerminalCapabilities
    /// Events `readEvent` returns, in order; when empty it returns `.hangup` so a run loop always ends.
    public var pending: [InputEvent] = []
    /// What the screen shows after the last draw.
    public private(set) var screen: Frame?
    public private(set) var drawCount = 0
    /// Cells sent by the last draw (all of them after `invalidate` or a resize).
    public private(set) var lastChangedCells = 0
    public private(set) var watched: Set<Int32> = []
    public private(set) var invalidations = 0
    /// Timeouts `readEvent` was asked for, in order (checks that idle waits are long).
    public private(set) var requestedTimeouts: [Int] = []

    public init(size: TerminalSize, capabilities: TerminalCapabilities = TerminalCapabilities(unicode: true, colors: .ansi256)) {
        self.size = size
        self.capabilities = capabilities
    }

    /// Queues keys typed as text; each scalar becomes one key (newline is Enter).
    public func type(_ text: String) {
        for scalar in text.unicodeScalars {
            if let key = Key.fromCode(scalar.value) { pending.append(.key(key)) }
        }
    }

    public func press(_ keys: Key...) {
        pending.append(contentsOf: keys.map { .key($0) })
    }

    /// Changes the size at once and queues the resize event, as SIGWINCH would.
    public func resize(to newSize: TerminalSize) {
        size = newSize
        pending.append(.resize(newSize))
    }

    public func draw(_ frame: Frame) {
        let diff = FrameDiff(from: screen, to: frame)
        lastChangedCells = diff.changedCells
        screen = frame
        drawCount += 1
    }

    public func invalidate() {
        screen = nil
        invalidations += 1
    }

    public func readEvent(timeoutMilliseconds: Int) -> InputEvent {
        requestedTimeouts.append(timeoutMilliseconds)
        guard !pending.isEmpty else { return .hangup }
        return pending.removeFirst()
    }

    public func watch(fd: Int32) { watched.insert(fd) }
    public func unwatch(fd: Int32) { watched.remove(fd) }
}
