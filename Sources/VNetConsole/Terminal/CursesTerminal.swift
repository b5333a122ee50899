import CNcursesw
#if canImport(Glibc)
import Glibc
#endif

/// The real terminal, through ncursesw. Draws only the cells that changed (then wnoutrefresh + doupdate),
/// uses wide characters and box drawing when the locale is UTF-8 (ASCII otherwise), maps the theme to
/// the colours the terminal has, and sleeps in poll(2) on the keyboard and any watched descriptor, so an
/// idle console uses no CPU. Everything happens on the main actor: curses is not thread-safe.
@MainActor
public final class CursesTerminal: Terminal {
    public private(set) var capabilities: TerminalCapabilities
    public let palette: Palette
    private var screen: OpaquePointer?
    private let window: UnsafeMutablePointer<WINDOW>
    private let inputFD: Int32
    private var outFile: UnsafeMutablePointer<FILE>?
    private var inFile: UnsafeMutablePointer<FILE>?
    private var previous: Frame?
    private var watched: [Int32] = []
    private var savedStderr: Int32 = -1
    private var savedSignals: [(Int32, sigaction)] = []
    /// The quit signal (SIGINT, SIGTERM, SIGHUP) that ended the run loop, if one did; SIGHUP too when the
    /// terminal itself went away without one.
    public private(set) var quitSignal: Int32?

    /// Starts curses on `inputFD`/`outputFD` (stdin/stdout by default).
    /// - Parameters:
    ///   - terminalType: the terminfo name; nil uses $TERM.
    ///   - locale: passed to setlocale(LC_ALL) first ("" = the environment's); nil leaves the locale alone.
    ///   - stderrPath: while curses runs, stderr goes to this file (nil leaves it alone) so stray messages
    ///     never scribble over the screen.
    ///   - mouse: report clicks and the wheel. Off, the terminal keeps its own selection and scrollback.
    public init(theme: Theme, terminalType: String? = nil, inputFD: Int32 = 0, outputFD: Int32 = 1,
                locale: String? = "", stderrPath: String? = nil, mouse: Bool = true) throws(TerminalError) {
        if let locale { setlocale(vnet_lc_all(), locale) }
        guard isatty(inputFD) == 1 else { throw .notATerminal(fd: inputFD) }
        let outDup = dup(outputFD), inDup = dup(inputFD)
        guard outDup >= 0, inDup >= 0, let out = fdopen(outDup, "w"), let input = fdopen(inDup, "r") else {
            let code = errno
            if outDup >= 0 { close(outDup) }
            if inDup >= 0 { close(inDup) }
            throw .cannotOpen(fd: outputFD, errno: code)
        }
        let created: OpaquePointer? = terminalType.map { type in type.withCString { newterm($0, out, input) } }
            ?? newterm(nil, out, input)
        guard let created else {
            fclose(out)
            fclose(input)
            throw .unknownTerminalType(terminalType ?? "$TERM")
        }
        set_term(created)
        guard let win = vnet_stdscr() else {
            delscreen(created)
            fclose(out)
            fclose(input)
            throw .unknownTerminalType(terminalType ?? "$TERM")
        }
        screen = created
        window = win
        outFile = out
        inFile = input
        self.inputFD = inDup

        cbreak()
        noecho()
        nonl()
        keypad(win, true)
        intrflush(win, false)
        set_escdelay(25)
        curs_set(0)
        leaveok(win, true)
        if mouse { _ = vnet_mouse_enable(1) }

        let unicode = vnet_locale_is_utf8() != 0
        var depth = ColorDepth.none
        if has_colors(), !theme.isMonochrome, start_color() == vnet_ok() {
            use_default_colors()
            depth = ColorDepth(colorCount: Int(vnet_colors()))
            if Int(vnet_color_pairs()) <= StyleRole.allCases.count { depth = .none }
        }
        palette = Palette(theme: theme, depth: depth)
        capabilities = TerminalCapabilities(unicode: unicode, colors: palette.depth)
        if palette.depth != .none {
            for role in StyleRole.allCases {
                let entry = palette.entry(for: role)
                init_pair(Int16(role.rawValue) + 1, Int16(entry.foreground), Int16(entry.background))
            }
        }
        if let stderrPath { redirectStderr(to: stderrPath) }
        savedSignals = QuitSignals.install()
    }

    /// Ends curses and gives the terminal back as it was; safe to call twice.
    public func shutdown() {
        guard let screen else { return }
        QuitSignals.restore(savedSignals)
        savedSignals = []
        set_term(screen)
        _ = vnet_mouse_enable(0)
        endwin()
        delscreen(screen)
        self.screen = nil
        if let outFile { fclose(outFile) }
        if let inFile { fclose(inFile) }
        outFile = nil
        inFile = nil
        if savedStderr >= 0 {
            dup2(savedStderr, 2)
            close(savedStderr)
            savedStderr = -1
        }
    }

    public var size: TerminalSize {
        TerminalSize(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
    }

    public func draw(_ frame: Frame) {
        guard screen != nil else { return }
        let current = size
        let diff = FrameDiff(from: previous, to: frame)
        var cell = cchar_t()
        var text: [wchar_t] = [0, 0]
        for run in diff.runs where run.y < current.height {
            for x in run.x..<min(run.x + run.count, current.width) {
                let c = frame[x, run.y]
                if c.isContinuation { continue }
                text[0] = wchar_t(bitPattern: c.scalar.value)
                let entry = palette.entry(for: c.role)
                let pair = palette.depth == .none ? Int16(0) : Int16(c.role.rawValue) + 1
                setcchar(&cell, text, attributes(entry.attributes), pair, nil)
                // The bottom-right cell returns ERR (the cursor cannot advance) but is drawn.
                _ = mvwadd_wch(window, Int32(run.y), Int32(x), &cell)
            }
        }
        wnoutrefresh(window)
        doupdate()
        previous = frame
    }

    public func invalidate() {
        previous = nil
        clearok(window, true)
    }

    public func readEvent(timeoutMilliseconds: Int) -> InputEvent {
        if let signal = QuitSignals.take() {
            quitSignal = signal
            return .hangup
        }
        // Keys curses already read ahead (a paste, the rest of a sequence) come first.
        if let event = readCurses(waitMilliseconds: 0) { return event }
        var fds = [pollfd(fd: inputFD, events: vnet_pollin(), revents: 0)]
        for fd in watched { fds.append(pollfd(fd: fd, events: vnet_pollin(), revents: 0)) }
        let timeout = Int32(clamping: timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds)
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        if ready < 0 {
            if let signal = QuitSignals.take() {
                quitSignal = signal
                return .hangup
            }
            // SIGWINCH interrupts poll; curses turns it into KEY_RESIZE on the next read.
            return readCurses(waitMilliseconds: 0) ?? .timeout
        }
        if ready == 0 { return .timeout }
        // A terminal that went away (its tmux server or SSH session killed) reports POLLHUP together with
        // POLLIN: looked at first, or every read fails at once and the loop spins. Its process may get no
        // SIGHUP at all (run under make, it did not), so this is how the console learns to end like `q`.
        if fds[0].revents & (vnet_pollhup() | vnet_pollerr() | vnet_pollnval()) != 0 { return hangUp() }
        if fds[0].revents & vnet_pollin() != 0 {
            return readCurses(waitMilliseconds: 10) ?? .timeout
        }
        for entry in fds.dropFirst() where entry.revents != 0 { return .wake(entry.fd) }
        return .timeout
    }

    /// The terminal is gone: the run ends as after SIGHUP, and `quitSignal` says so (exit status 129).
    private func hangUp() -> InputEvent {
        if quitSignal == nil { quitSignal = SIGHUP }
        return .hangup
    }

    public func watch(fd: Int32) {
        if !watched.contains(fd) { watched.append(fd) }
    }

    public func unwatch(fd: Int32) {
        watched.removeAll { $0 == fd }
    }

    /// The cell curses holds at (x, y): its character, attributes and colour pair (tests read the
    /// screen back with this, through mvwin_wch).
    public func cellAt(x: Int, y: Int) -> (scalar: Unicode.Scalar?, attributes: attr_t, pair: Int16) {
        var cell = cchar_t()
        guard mvwin_wch(window, Int32(y), Int32(x), &cell) == vnet_ok() else { return (nil, 0, 0) }
        var text = [wchar_t](repeating: 0, count: 8)
        var attrs: attr_t = 0
        var pair: Int16 = 0
        _ = getcchar(&cell, &text, &attrs, &pair, nil)
        return (Unicode.Scalar(UInt32(bitPattern: text[0])), attrs, pair)
    }

    /// The curses attribute bits for `attributes`.
    public func attributes(_ attributes: TextAttributes) -> attr_t {
        var a = vnet_a_normal()
        if attributes.contains(.bold) { a |= vnet_a_bold() }
        if attributes.contains(.dim) { a |= vnet_a_dim() }
        if attributes.contains(.reverse) { a |= vnet_a_reverse() }
        if attributes.contains(.underline) { a |= vnet_a_underline() }
        return a
    }

    private func readCurses(waitMilliseconds: Int32) -> InputEvent? {
        wtimeout(window, waitMilliseconds)
        var code: wint_t = 0
        let status = wget_wch(window, &code)
        if status == vnet_key_code_yes(), Int32(bitPattern: code) == vnet_key_resize() {
            previous = nil
            return .resize(size)
        }
        if status == vnet_err() { return nil }
        if status == vnet_key_code_yes(), Int32(bitPattern: code) == vnet_key_mouse() {
            var x: Int32 = 0, y: Int32 = 0
            switch vnet_mouse_read(&x, &y) {
            case 1: return .mouse(MouseEvent(.click, x: Int(x), y: Int(y)))
            case 2: return .mouse(MouseEvent(.doubleClick, x: Int(x), y: Int(y)))
            case 3: return .mouse(MouseEvent(.wheelUp, x: Int(x), y: Int(y)))
            case 4: return .mouse(MouseEvent(.wheelDown, x: Int(x), y: Int(y)))
            default: return .timeout
            }
        }
        guard let key = CursesKeys.decode(status: status, code: code) else {
            return .timeout
        }
        return .key(key)
    }

    private func redirectStderr(to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        savedStderr = dup(2)
        dup2(fd, 2)
        close(fd)
    }
}
