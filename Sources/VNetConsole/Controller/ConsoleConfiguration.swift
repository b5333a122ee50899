/// How the console is started (flags and config of `vnet-console`).
public struct ConsoleConfiguration: Hashable, Sendable {
    /// Mutating keys are refused and shown disabled (k9s and htop's `--readonly`).
    public var readOnly: Bool
    /// Seconds between refreshes at start.
    public var refreshInterval: Double
    /// The steps `+` and `-` move through.
    public var intervalSteps: [Double]
    /// Below this the console shows "terminal too small" instead of a broken layout.
    public var minimumSize: TerminalSize
    /// Wake-ups from watched descriptors refresh at most this often (seconds), so an event storm
    /// (hundreds of veths created) cannot spin the CPU.
    public var minimumEventRefresh: Double
    /// One line the overview opens with, saying what to try (the demo's: where its leak and its failed ADD
    /// are, which key breaks a pod); nil draws nothing and the overview keeps every row.
    public var demoHint: String?

    public init(readOnly: Bool = false, refreshInterval: Double = 2,
                intervalSteps: [Double] = [0.5, 1, 2, 5, 10, 30, 60],
                minimumSize: TerminalSize = TerminalSize(width: 80, height: 24), minimumEventRefresh: Double = 0.25,
                demoHint: String? = nil) {
        self.readOnly = readOnly
        self.refreshInterval = refreshInterval
        self.intervalSteps = intervalSteps
        self.minimumSize = minimumSize
        self.minimumEventRefresh = minimumEventRefresh
        self.demoHint = demoHint
    }
}
