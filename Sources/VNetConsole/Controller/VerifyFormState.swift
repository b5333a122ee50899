import VNetModel

/// The Security screen's verify form: the flow to ask about, field by field, which field has the cursor,
/// and the last answer (or why there is none). Verify only reads, so Enter asks at once, with no plan and no
/// confirmation; the form stays open with the answer so the next question can change one field.
public struct VerifyFormState: Hashable, Sendable {
    public enum Field: Int, CaseIterable, Hashable, Sendable {
        case pod, direction, transport, remote, port

        public var label: String {
            switch self {
            case .pod: return "pod"
            case .direction: return "direction (in/out)"
            case .transport: return "protocol (tcp/udp/icmp)"
            case .remote: return "remote address"
            case .port: return "port"
            }
        }
    }

    public var values: [Field: String]
    public var focus: Field = .remote
    /// What is wrong with the input, or why the node could not answer; said in the form.
    public var error: String?
    public var answer: RuleAnswer?

    /// A form about `pod` (the selected pod), asking about new inbound TCP, the question most often asked:
    /// "why can this pod not be reached".
    public init(pod: String) {
        values = [.pod: pod, .direction: "inbound", .transport: "tcp"]
    }

    public subscript(field: Field) -> String {
        get { values[field] ?? "" }
        set { values[field] = newValue }
    }

    /// The question, or what is wrong with the input: the same checks as `vnetctl rules verify`.
    public func question() -> Result<RuleQuestion, FormError> {
        let pod = self[.pod].trimmed
        guard !pod.isEmpty else { return .failure(FormError(message: "pod is required (namespace/name, name or container ID)")) }
        guard let direction = Self.direction(self[.direction]) else {
            return .failure(FormError(message: "direction must be inbound or outbound (in, out)"))
        }
        guard let transport = SecurityRule.TransportProtocol(rawValue: self[.transport].trimmed.lowercased()), transport != .any else {
            return .failure(FormError(message: "protocol must be tcp, udp or icmp"))
        }
        let remoteText = self[.remote].trimmed
        guard let remote = IPv4Address(remoteText) else {
            return .failure(FormError(message: remoteText.isEmpty ? "remote address is required (an IPv4 address)"
                                                                  : "remote \(remoteText) is not an IPv4 address"))
        }
        let portText = self[.port].trimmed
        var port: UInt16?
        if transport.hasPorts {
            guard let value = UInt16(portText), value > 0 else {
                return .failure(FormError(message: portText.isEmpty ? "port is needed for \(transport.rawValue)"
                                                                    : "port must be a number from 1 to 65535"))
            }
            port = value
        } else if !portText.isEmpty {
            return .failure(FormError(message: "icmp has no ports: clear the port field"))
        }
        return .success(RuleQuestion(pod: pod, direction: direction, transport: transport, remote: remote, port: port))
    }

    /// "in", "inbound", "out", "outbound", any case: typing the whole word is not worth the keys.
    static func direction(_ text: String) -> SecurityRule.Direction? {
        let word = text.trimmed.lowercased()
        guard !word.isEmpty else { return nil }
        return SecurityRule.Direction.allCases.first { $0.rawValue.hasPrefix(word) }
    }
}
