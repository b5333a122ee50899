/// What a key does on the screens (no dialog open, no filter being typed). The key table maps keys to
/// these, and the controller switches over commands, never over keys, so a key cannot do something the
/// table does not say.
enum ConsoleCommand: Hashable, Sendable {
    /// Where a selection move goes: a row, a page, or an end of the list.
    enum Move: Hashable, Sendable {
        case up, down, pageUp, pageDown, top, bottom
    }

    case toggleHelp
    case showScreen(ScreenID)
    case nextScreen, previousScreen
    case move(Move)
    case openDetail
    case startFilter
    case cycleSort, reverseSort
    case toggleMark
    case attach, detach, reclaim
    /// Probe the path of the endpoint whose details are open (in the background).
    case probe
    /// Forget the selected LOST node of the VNet (the registry's change, planned and confirmed).
    case forgetNode
    /// Open the Security screen's verify form (the selected pod's rules, asked about one flow).
    case verifyFlow
    /// Demo only: break a healthy pod of the sandbox on purpose (`DemoActions`).
    case breakPod
    case togglePause
    /// `+`: a longer interval; `-`: a shorter one.
    case refreshLessOften, refreshMoreOften
    case redraw
    case back
    case quit
}
