import VNetModel

/// Screen 8: the network's security rules. On top every rule in evaluation order with its counter and
/// movement (`SecurityRulesTable`); below, the selected pod's effective rules (`PodRulesPane`) or, while `v`
/// has it open, the verify form (`VerifyFormView`). A network without `securityRules` gets one line that
/// says nothing is filtered and where to read how to add rules.
enum SecurityScreen {
    /// Where the screen drew its rules table, and its scroll position to remember.
    struct Drawn {
        var top: Int
        var table: Rect?
    }

    /// The lines the lower pane keeps at least, so the pod's counters and first rules always show.
    static let minimumPane = 6

    /// `pod`: the selected pod's endpoint (nil when the node has none); `form`: the verify form when open;
    /// `verdict`: the last answer, whose deciding rule the pod's pane selects when it is about that pod.
    static func render(_ data: ConsoleData, list: ListState, pod: EndpointView?, form: VerifyFormState?, verdict: RuleAnswer?,
                       into frame: inout Frame, rect: Rect) -> Drawn {
        guard let security = data.security else {
            renderUnfiltered(data, into: &frame, rect: rect)
            return Drawn(top: 0, table: nil)
        }
        var y = rect.y
        frame.put(summary(security, rates: data.securityRates), x: rect.x + 1, y: y, role: .dim, limit: rect.width - 2)
        y += 1
        if let error = security.counterError {
            frame.put("counters unavailable: \(error)", x: rect.x + 1, y: y, role: .warn, limit: rect.width - 2)
            y += 1
        }
        let rows = SecurityRulesTable.prepared(data, list: list)
        let pane = form == nil ? minimumPane : VerifyFormView.height
        let tableHeight = max(2, min(rows.count + 1, rect.maxY - y - pane))
        let table = Rect(x: rect.x, y: y, width: rect.width, height: tableHeight)
        let top = SecurityRulesTable.renderTable(rows, list: list, into: &frame, rect: table)
        let lower = Rect(x: rect.x, y: table.maxY, width: rect.width, height: rect.maxY - table.maxY)
        if let form {
            VerifyFormView(state: form).render(into: &frame, rect: lower)
        } else if let pod {
            PodRulesPane(pod, data, security: security, answer: verdict).render(into: &frame, rect: lower)
        } else if lower.height > 1 {
            frame.hline(x: lower.x, y: lower.y, width: lower.width, role: .border)
            frame.put("no pod on this node: its effective rules show here once one is attached", x: lower.x + 1, y: lower.y + 1,
                      role: .dim, limit: lower.width - 2)
        }
        return Drawn(top: top, table: table)
    }

    /// "10 rules, 6 defaults (d); the first match per direction decides  now 12/s": short enough for 80 columns.
    static func summary(_ security: SecurityReading, rates: SecurityRates) -> String {
        let all = security.ordered
        var text = "\(all.count) rules, \(all.filter(\.isDefault).count) defaults (d); the first match per direction decides"
        if let total = rates.total { text += "  now \(Format.countRate(total.packetsPerSecond))" }
        return text
    }

    /// One line, short enough for 80 columns: what it means and where adding rules is explained.
    static func renderUnfiltered(_ data: ConsoleData, into frame: inout Frame, rect: Rect) {
        frame.put("no securityRules, so no pod's traffic is filtered: see docs/security-rules.md", x: rect.x + 1, y: rect.y,
                  role: .normal, limit: rect.width - 2)
    }
}
