/// The size of a terminal in character cells.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }
}

/// How many colours a terminal can show. Themes are truecolour and get mapped down to this.
public enum ColorDepth: Int, Comparable, Hashable, Sendable {
    case none = 0
    case eight = 8
    case sixteen = 16
    case ansi256 = 256

    public static func < (lhs: ColorDepth, rhs: ColorDepth) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The depth for a terminal reporting `count` colours.
    public init(colorCount count: Int) {
        switch count {
        case 256...: self = .ansi256
        case 16...: self = .sixteen
        case 8...: self = .eight
        default: self = .none
        }
    }
}

/// What a terminal can show; the controller picks glyphs from it.
public struct TerminalCapabilities: Hashable, Sendable {
    public var unicode: Bool
    public var colors: ColorDepth

    public init(unicode: Bool, colors: ColorDepth) {
        self.unicode = unicode
        self.colors = colors
    }

    public var glyphs: Glyphs { unicode ? .unicode : .ascii }
}

/// Why the run loop woke up.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    /// The terminal changed size; `size` is the new one.
    case resize(TerminalSize)
    /// A watched descriptor (e.g. a netlink event socket) became readable. The owner drains it.
    case wake(Int32)
    /// Nothing happened before the timeout.
    case timeout
    /// Input is gone (hang-up, end of file): the console must exit.
    case hangup
    /// A click, double click or wheel turn (unless the console runs with `--no-mouse`).
    case mouse(MouseEvent)
}

/// What the mouse did, at which cell (0-based, from the top left).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, doubleClick, wheelUp, wheelDown }

    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}

/// A place frames are drawn and keys come from. The curses implementation talks to a real terminal; the
/// memory one lets tests drive the console without any. All calls happen on the main actor because curses
/// keeps global state and is not thread-safe.
@MainActor
public protocol Terminal: AnyObject {
    var size: TerminalSize { get }
    var capabilities: TerminalCapabilities { get }
    /// Shows `frame`, sending only the cells that differ from the last frame drawn.
    func draw(_ frame: Frame)
    /// Forgets what is on screen so the next `draw` repaints every cell (Ctrl-L, after a resize).
    func invalidate()
    /// Waits up to `timeoutMilliseconds` (negative: forever) for a key, a resize or a watched descriptor.
    func readEvent(timeoutMilliseconds: Int) -> InputEvent
    /// Also wakes `readEvent` when `fd` becomes readable.
    func watch(fd: Int32)
    func unwatch(fd: Int32)
}

extension Terminal {
    /// The next key within the timeout, ignoring other events.
    public func readKey(timeoutMilliseconds: Int) -> Key? {
        if case .key(let key) = readEvent(timeoutMilliseconds: timeoutMilliseconds) { return key }
        return nil
    }
}
