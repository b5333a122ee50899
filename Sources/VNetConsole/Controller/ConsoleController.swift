#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The console's state machine: takes keys and snapshots, keeps `ConsoleState`, and renders frames.
/// It never touches a terminal or the node directly: data comes from a `SnapshotSource`, changes go
/// through `ConsoleActions`, frames go to whoever asks (the run loop, tests, `--once`).
public final class ConsoleController {
    public let configuration: ConsoleConfiguration
    public internal(set) var state: ConsoleState
    /// The latest data; nil until the first snapshot arrives.
    public internal(set) var data: ConsoleData?
    /// The last refresh error; nil once a refresh succeeds again.
    public internal(set) var lastError: String?
    /// When the last refresh was attempted (clock time).
    public internal(set) var lastRefreshAt: Date?
    /// The VNet as last read from the registry, with the last failure; nil when the node has no registry.
    public internal(set) var vnet: VNetView?
    /// The node's recent events (CNI calls and operations), read from `eventSource` on every refresh.
    public internal(set) var events = EventFeed()
    /// The Events screen's rows after filter and sort, kept until the feed, the filter or the sort changes:
    /// preparing them copies up to 2,000 events, which a frame should not do.
    var preparedEvents: (key: EventRowsKey, rows: [EventFeed.Entry])?
    /// One sample per refresh for the sparklines, bounded by its capacity.
    public internal(set) var history = NodeHistory()
    /// Set by Ctrl-L and resizes: the run loop repaints every cell, then clears it.
    public var needsFullRedraw = false
    /// Characters for borders and gauges; the run loop sets them from the terminal.
    public var glyphs: Glyphs = .unicode

    let source: any SnapshotSource
    let actions: (any ConsoleActions)?
    let vnetSource: (any VNetSource)?
    let vnetActions: (any VNetActions)?
    let eventSource: (any EventSource)?
    /// Answers the Security screen's verify form; nil leaves `v` to say verify is not available.
    let verifier: (any RuleVerifier)?
    /// The demo's own actions (its break key); nil outside `--demo`, and then the demo's key does not exist.
    let demo: (any DemoActions)?
    let now: () -> Date
    /// The size of the last frame, for page moves.
    var lastSize = TerminalSize(width: 80, height: 24)
    /// How long the last refresh spent reading (the event log and the node's snapshot), so the run loop
    /// can tell the frame's own work from the reads.
    public internal(set) var lastReadDuration: Duration = .zero
    /// Where the last frame drew the current screen's table (header row first), for mouse clicks; nil
    /// when it drew none.
    var lastTable: Rect?
    /// A watched descriptor fired since the last refresh.
    var eventPending = false
    /// When the registry was last asked for the VNet (clock time).
    var lastVNetReadAt: Date?
    /// Runs `t`'s probes in the background; nil without a prober.
    let probeRunner: ProbeRunner?
    /// The probe pane of an endpoint's details: running, or its last result.
    public internal(set) var probe: ProbePaneState?

    /// `actions` nil makes the console read-only whatever the configuration says. `vnet` nil (a node
    /// without a registry) leaves the VNet screen and gauge to say so; `vnetActions` nil refuses forget-node;
    /// `demo` is given by `--demo` only; `prober` nil leaves `t` (probe an endpoint's path) to say it is not
    /// available; `verifier` nil does the same for `v` (verify a flow against the security rules).
    public init(source: any SnapshotSource, actions: (any ConsoleActions)?, vnet: (any VNetSource)? = nil,
                vnetActions: (any VNetActions)? = nil, events: (any EventSource)? = nil, demo: (any DemoActions)? = nil,
                configuration: ConsoleConfiguration = ConsoleConfiguration(), prober: (any EndpointProber)? = nil,
                verifier: (any RuleVerifier)? = nil, now: @escaping () -> Date = { Date() }) {
        self.verifier = verifier
        probeRunner = prober.map { ProbeRunner(prober: $0) }
        self.source = source
        self.actions = actions
        vnetSource = vnet
        self.vnetActions = vnetActions
        eventSource = events
        self.demo = demo
        self.vnet = vnet.map { VNetView(thisNode: $0.thisNode) }
        self.configuration = configuration
        self.now = now
        state = ConsoleState(interval: configuration.refreshInterval)
    }

    public var isReadOnly: Bool { configuration.readOnly || actions == nil }

    /// Takes a new snapshot. The previous one is kept for rates; a failure keeps the old data on screen
    /// (marked stale in the header) and reports the error on the status line.
    public func refresh() {
        lastRefreshAt = now()
        collectProbeResults()
        let eventDriven = eventPending
        eventPending = false
        defer { refreshVNet(eventDriven: eventDriven) }
        // The log is appended by other processes with no lock shared with them: reading it cannot fail
        // the refresh, and unreadable lines are counted, not fatal.
        let clock = ContinuousClock()
        let readStarted = clock.now
        if let eventSource { events.append(eventSource.read()) }
        do {
            let snapshot = try source.snapshot()
            let security = source.securityReading()
            lastReadDuration = clock.now - readStarted
            let fresh = ConsoleData(current: snapshot, previous: data?.snapshot, security: security,
                                    previousSecurity: data?.security)
            data = fresh
            history.record(fresh)
            // Marks on suspects that are gone would make a reclaim act on nothing the operator sees.
            let present = Set(snapshot.leaks.map(LeaksScreen.id))
            state.marks.formIntersection(present)
            if lastError != nil { setStatus("refresh recovered", .info) }
            lastError = nil
        } catch {
            lastReadDuration = clock.now - readStarted
            let text = "refresh failed: \(error)"
            if text != lastError { setStatus(text, .error) }
            lastError = text
        }
    }

    /// Whether a refresh is due: the interval has passed, or a watched event is pending and the last
    /// refresh is at least `minimumEventRefresh` old. Never while paused.
    public func refreshDue(at time: Date) -> Bool {
        guard !state.paused else { return false }
        guard let last = lastRefreshAt else { return true }
        return time.timeIntervalSince(last) >= currentDeadline
    }

    /// Milliseconds the run loop may sleep before the next refresh; -1 (forever) while paused, so a
    /// paused console costs no CPU at all.
    public func millisecondsUntilRefresh(at time: Date) -> Int {
        guard !state.paused else { return -1 }
        guard let last = lastRefreshAt else { return 0 }
        let left = currentDeadline - time.timeIntervalSince(last)
        return max(0, Int((left * 1000).rounded(.up)))
    }

    /// A watched descriptor fired (e.g. a netlink link event): refresh soon, but not more often than
    /// `minimumEventRefresh`, so an event storm cannot spin the CPU.
    public func noteEvent() {
        guard !state.paused else { return }
        eventPending = true
    }

    private var currentDeadline: Double {
        eventPending ? min(state.interval, configuration.minimumEventRefresh) : state.interval
    }

    public var shouldQuit: Bool { state.quit }

    /// Shows a message on the status line (e.g. theme warnings from the main).
    public func notify(_ text: String, isError: Bool = false) {
        setStatus(text, isError ? .error : .info)
    }

    func setStatus(_ text: String, _ kind: StatusMessage.Kind) {
        state.status = StatusMessage(text: text, kind: kind, at: now())
    }
}
