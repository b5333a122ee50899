/// The run loop: draw when something changed, sleep in the terminal until a key, a resize, a watched
/// descriptor or the next refresh, and repeat until `q` or hang-up. No ticker: between events the
/// process sleeps in poll(2).
@MainActor
public final class ConsoleApp {
    public let controller: ConsoleController
    public let terminal: any Terminal
    private var drains: [Int32: () -> Void] = [:]
    /// Called after every frame with what it cost (benchmarks: `VNET_CONSOLE_FRAME_LOG`). Measured here,
    /// not under a tracer, whose stops at every syscall would be counted in the frame.
    public var onFrame: ((FrameCost) -> Void)?

    public init(controller: ConsoleController, terminal: any Terminal) {
        self.controller = controller
        self.terminal = terminal
    }

    /// Also wakes on `fd` (e.g. a netlink socket subscribed to link events). `drain` must read what is
    /// pending, or poll would report the descriptor ready forever; a refresh follows, rate-limited.
    public func watch(fd: Int32, drain: @escaping () -> Void) {
        drains[fd] = drain
        terminal.watch(fd: fd)
    }

    /// Runs until the operator quits or the terminal goes away.
    public func run() {
        controller.glyphs = terminal.capabilities.glyphs
        // A probe that ends writes to this pipe: redraw its result at once, without a refresh.
        let probeWake = controller.probeWakeDescriptor
        if let probeWake { terminal.watch(fd: probeWake) }
        var dirty = true
        let clock = ContinuousClock()
        while !controller.shouldQuit {
            let now = controller.now()
            var refreshWork: Duration?
            if controller.refreshDue(at: now) {
                let started = clock.now
                controller.refresh()
                refreshWork = clock.now - started - controller.lastReadDuration
                dirty = true
            }
            if dirty {
                let started = clock.now
                if controller.needsFullRedraw {
                    terminal.invalidate()
                    controller.needsFullRedraw = false
                }
                terminal.draw(controller.render(size: terminal.size))
                dirty = false
                if let onFrame {
                    onFrame(FrameCost(screen: controller.state.screen, refreshed: refreshWork != nil,
                                      seconds: FrameCost.seconds((refreshWork ?? .zero) + (clock.now - started))))
                }
            }
            switch terminal.readEvent(timeoutMilliseconds: controller.millisecondsUntilRefresh(at: controller.now())) {
            case .key(let key):
                controller.handle(key)
                dirty = true
            case .mouse(let event):
                controller.handle(event)
                dirty = true
            case .resize:
                controller.needsFullRedraw = true
                dirty = true
            case .wake(let fd) where fd == probeWake:
                dirty = controller.collectProbeResults() || dirty
            case .wake(let fd):
                drains[fd]?()
                controller.noteEvent()
            case .timeout:
                break
            case .hangup:
                return
            }
        }
    }
}

/// What one frame cost: the refresh's work on the data it read (rates, history, events), if a refresh came
/// before it, plus laying out, drawing and the terminal's update. The reads themselves (snapshot, event
/// log) are not in it: they are the node's cost, not the frame's.
public struct FrameCost: Sendable {
    public var screen: ScreenID
    public var refreshed: Bool
    public var seconds: Double

    static func seconds(_ duration: Duration) -> Double {
        let (s, attoseconds) = duration.components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
