#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel

/// The two header lines every screen starts with: node, network, bridge, mode and clock; then the pool
/// source and its age, refresh interval, lock holder and when the data was taken.
struct Header {
    var data: ConsoleData?
    var now: Date
    /// nil for a one-shot render (`--once`), which has no refresh.
    var interval: Double?
    var paused: Bool
    var readOnly: Bool
    var lastError: String?

    func render(into frame: inout Frame, y: Int) {
        let width = frame.width
        frame.fill(Rect(x: 0, y: y, width: width, height: 2), role: .header)
        let mode = readOnly ? " READ-ONLY " : " WRITE "
        let clock = " \(Format.clock(now)) "
        let rightWidth = Frame.displayWidth(mode) + Frame.displayWidth(clock)
        frame.putRight(clock, right: width, y: y, role: .header)
        frame.putRight(mode, right: width - Frame.displayWidth(clock), y: y, role: readOnly ? .header : .focus)

        var facts = ""
        if let s = data?.snapshot {
            let bridgeState = s.bridgeLink?.operState.rawValue ?? "missing"
            facts = "  node \(s.node)  bridge \(s.bridge) \(bridgeState)  network \(s.network)"
        }
        // The program's name goes first when there is room; the node's facts matter more.
        let room = width - rightWidth - 1
        let left = Frame.displayWidth(" vnet-console" + facts) <= room || facts.isEmpty ? " vnet-console" + facts : " " + facts.dropFirst(2)
        frame.put(left, x: 0, y: y, role: .header, limit: room)

        var second = " "
        if let s = data?.snapshot {
            second += "pool \(s.source.kind)"
            if let fetched = s.source.fetchedAt {
                second += ", \(Format.age(now.timeIntervalSince(fetched))) old"
            }
            if s.source.servedFromCache { second += " (cached)" }
            if let error = s.source.error { second += " [\(error)]" }
        } else {
            second += "no data yet"
        }
        var lockX: Int?
        if let lock = data?.snapshot.lockHolder {
            lockX = Frame.displayWidth(second) + 2
            second += "  LOCKED pid \(lock.pid) \(lock.verb) \(Format.age(now.timeIntervalSince(lock.since)))"
        }
        second += interval.map { "  refresh \(Self.interval($0))" } ?? "  one-shot"
        if let s = data?.snapshot { second += "  updated \(Format.clock(s.takenAt))" }
        let flag = paused ? " PAUSED " : (lastError != nil ? " STALE " : "")
        let flagWidth = Frame.displayWidth(flag)
        if !flag.isEmpty { frame.putRight(flag, right: width, y: y + 1, role: .focus) }
        frame.put(second, x: 0, y: y + 1, role: .header, limit: width - flagWidth - 1)
        if let x = lockX, x + 6 < width - flagWidth - 1 { frame.put("LOCKED", x: x, y: y + 1, role: .focus) }
    }

    /// "500ms", "2s", "1m".
    static func interval(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return seconds == seconds.rounded() ? "\(Int(seconds))s" : Format.fixed1(seconds) + "s" }
        return "\(Int(seconds / 60))m"
    }
}
