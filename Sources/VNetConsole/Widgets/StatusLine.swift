import VNetModel

/// The line above the hints: the last action's result or error, otherwise a quiet "ready".
struct StatusLine {
    var message: StatusMessage?

    func render(into frame: inout Frame, y: Int) {
        frame.fill(Rect(x: 0, y: y, width: frame.width, height: 1), role: .status)
        guard let message else { return }
        let role: StyleRole
        switch message.kind {
        case .error: role = .statusError
        case .success: role = .good
        case .info: role = .status
        }
        frame.put(" \(Format.clock(message.at)) \(message.text)", x: 0, y: y, role: role)
    }
}
