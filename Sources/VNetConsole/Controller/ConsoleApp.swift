/// The run loop: draw when something changed, sleep in the terminal until a key, a resize, a watched
/// descriptor or the next refresh, and repeat until `q` or hang-up. No ticker: between events the
/// process sleeps in poll(2).
@MainActor
public final class ConsoleApp {
    public let controller: ConsoleController
    public let terminal: any Terminal
    private var drains: [Int32: () -> Void] = [:]

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
        while !controller.shouldQuit {
            let now = controller.now()
            if controller.refreshDue(at: now) {
                controller.refresh()
                dirty = true
            }
            if dirty {
                if controller.needsFullRedraw {
                    terminal.invalidate()
                    controller.needsFullRedraw = false
                }
                terminal.draw(controller.render(size: terminal.size))
                dirty = false
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
