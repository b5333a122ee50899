import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import VNetModel
import VNetOperations

/// `vnetctl events`: every CNI call and operation on the node, newest last, as the plugins, vnetctl, the
/// console and vnetd appended them to the network's event log.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "CNI calls and operations on this node: verb, pod, result, error code and message, duration, caller.",
        discussion: "Reads <dataDir>/<network>/events.log (and the file before it); the log keeps the last ~2,000 events. Exit 0 also when a line could not be read: it is skipped and counted on standard error.")
    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "Only events of the last D (e.g. 90s, 10m, 2h, 1d).") var since: String?
    @Flag(name: .long, help: "Only failures.") var failed = false
    @Flag(name: .long, help: "Keep printing events as they are appended (Ctrl-C ends).") var follow = false
    @Option(name: .long, help: "At most this many events (newest kept).") var limit = 2_000

    func validate() throws {
        if let since, Self.seconds(since) == nil { throw ValidationError("--since \(since): a duration such as 90s, 10m, 2h or 1d") }
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    /// "90s", "10m", "2h", "1d", or a plain number of seconds.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        if let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value >= 0 { return value * factor }
        return Double(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    func run() throws {
        let context = try Context(options)
        let cutoff = since.flatMap(Self.seconds).map { Date().addingTimeInterval(-$0) }
        let keep: (NodeEvent) -> Bool = { event in (!failed || event.failed) && (cutoff.map { event.at >= $0 } ?? true) }
        var follower = follow ? context.node.followEvents() : nil
        let (events, skipped) = context.node.events(limit: .max)
        if skipped > 0 { Output.error("vnetctl: \(skipped) line(s) of the event log could not be read and were skipped") }
        let shown = Array(events.filter(keep).suffix(limit))
        if options.json && !follow {
            Output.line(Output.json(.array(shown.map(\.json))))
        } else {
            for event in shown { print(event) }
        }
        guard follower != nil else { return }
        while true {
            Output.flush()
            usleep(250_000)
            for event in follower?.next() ?? [] where keep(event) { print(event) }
        }
    }

    /// One line per event (JSON lines with --json --follow).
    private func print(_ event: NodeEvent) {
        if options.json { return Output.line(Output.json(event.json)) }
        Output.line(EventLine.text(event))
    }
}

/// An event as one line for people: time, verb, pod, result, duration, caller, message.
enum EventLine {
    static func text(_ event: NodeEvent) -> String {
        let key = [event.container.map { String($0.prefix(12)) }, event.ifname].compactMap { $0 }.joined(separator: "/")
        let result = event.failed ? "FAILED" + (event.code.map { " \($0)" } ?? "") : "ok"
        let who: String = event.pod ?? key
        let duration = pad("\((event.seconds * 10_000).rounded() / 10)ms", 9)
        let columns: [String] = [ISO8601.format(event.at), pad(event.verb, 7), pad(who, 24), pad(result, 10), duration, event.caller]
        var line = columns.joined(separator: "  ")
        if let message = event.message { line += "  " + message }
        if let details = event.details, event.failed { line += " (\(details))" }
        return line
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
