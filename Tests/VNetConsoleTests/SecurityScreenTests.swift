import XCTest
import VNetModel
@testable import VNetConsole

/// Screen 8: the rules with counters and movement, the selected pod's effective rules, the verify form, and
/// the endpoint details' rules line; goldens from the fake node under `FakeSecurity.rules`.
final class SecurityScreenTests: XCTestCase {
    private let small = TerminalSize(width: 80, height: 24)
    private let large = TerminalSize(width: 200, height: 60)

    private func type(_ c: ConsoleController, _ text: String) {
        for scalar in text.unicodeScalars { c.handle(.character(scalar)) }
    }

    /// The Security screen about default/web-1 (selected on screen 2), with the verify form asking `remote`:`port`.
    private func verifying(remote: String, port: String) -> ConsoleController {
        let c = FakeSecurity.controller()
        for key: Key in [.character("2"), .down, .character("8"), .character("v")] { c.handle(key) }
        type(c, remote)
        c.handle(.tab)
        type(c, port)
        c.handle(.enter)
        return c
    }

    func testRulesWithCountersAndMovement() {
        let c = FakeSecurity.controller()
        c.handle(.character("8"))
        let f = c.render(size: small)
        assertGolden(f.text, "security-80x24")
        assertGolden(f.roleText, "security-80x24.roles")
        assertGolden(c.render(size: large).text, "security-200x60")
        XCTAssertTrue(f.text.contains("ssh-deny"), "a rule by name")
        XCTAssertTrue(f.text.contains("DenyAllInBound"), "the defaults are listed")
        // ssh-deny: 120 packets now, 108 two seconds earlier: 6 packets a second.
        let line = f.text.split(separator: "\n").first { $0.contains("ssh-deny") } ?? ""
        XCTAssertTrue(line.contains("120") && line.contains("6.0/s"), String(line))
    }

    func testRulesInEvaluationOrderInboundFirst() {
        let c = FakeSecurity.controller()
        c.handle(.character("8"))
        XCTAssertEqual(c.visibleIDs(.security), [
            "inbound/100", "inbound/200", "inbound/65000", "inbound/65001", "inbound/65500",
            "outbound/100", "outbound/300", "outbound/65000", "outbound/65001", "outbound/65500",
        ])
    }

    func testNetworkWithoutRulesSaysNothingIsFiltered() {
        let c = FakeSecurity.controller(rules: false)
        c.handle(.character("8"))
        let f = c.render(size: small)
        assertGolden(f.text, "security-80x24.no-rules")
        XCTAssertTrue(f.text.contains("no pod's traffic is filtered"))
        XCTAssertTrue(f.text.contains("docs/security-rules.md"))
        c.handle(.character("v"))
        XCTAssertNil(c.state.topOverlay, "nothing to verify without rules")
        XCTAssertTrue(c.state.status?.text.contains("no securityRules") ?? false)
    }

    func testVerifyAllow() {
        let c = verifying(remote: "203.0.113.10", port: "80")
        let f = c.render(size: small)
        assertGolden(f.text, "security-80x24.verify-allow")
        XCTAssertEqual(c.state.status?.text, "ALLOW: inbound tcp 203.0.113.10 -> 10.240.0.11:80 decided by web-in (priority 100)")
        XCTAssertTrue(f.text.contains("ALLOW: inbound tcp 203.0.113.10 -> 10.240.0.11:80"), f.text)
        XCTAssertTrue(f.text.contains("decided by web-in (priority 100)"), f.text)
        XCTAssertEqual(c.selectedID(), "inbound/100", "the deciding rule is selected in the list")
    }

    func testVerifyDenyFromThePeer() {
        let c = verifying(remote: "10.240.0.12", port: "22")
        let f = c.render(size: small)
        assertGolden(f.text, "security-80x24.verify-deny")
        XCTAssertEqual(c.state.status?.text, "DENY: inbound tcp 10.240.0.12 -> 10.240.0.11:22 decided by ssh-deny (priority 200)")
        XCTAssertTrue(f.text.contains("DENY: inbound tcp 10.240.0.12 -> 10.240.0.11:22"), f.text)
        XCTAssertTrue(f.text.contains("decided by ssh-deny (priority 200)"), f.text)
        XCTAssertEqual(c.selectedID(), "inbound/200")
        // Closed, the pod's pane keeps the deciding rule selected.
        c.handle(.escape)
        XCTAssertNil(c.state.topOverlay)
        let pane = c.render(size: large)
        let paneTop = (0..<pane.height).first { pane.line($0).contains("pod default/web-1") } ?? pane.height
        let selected = (paneTop..<(pane.height - 2)).first { y in pane.line(y).contains("ssh-deny") }
        XCTAssertNotNil(selected, "the pod's pane lists ssh-deny")
        if let y = selected { XCTAssertEqual(pane[2, y].role, .selected, "and selects it") }
    }

    func testBadInputIsSaidInTheForm() {
        let c = verifying(remote: "not-an-address", port: "22")
        guard case .verify(let form)? = c.state.topOverlay else { return XCTFail("the form stays open") }
        XCTAssertEqual(form.error, "remote not-an-address is not an IPv4 address")
        XCTAssertNil(form.answer)
        assertGolden(c.render(size: small).text, "security-80x24.verify-error")

        var f = VerifyFormState(pod: "web-1")
        f[.remote] = "10.0.0.1"
        XCTAssertEqual(f.question().failureMessage, "port is needed for tcp")
        f[.port] = "70000"
        XCTAssertEqual(f.question().failureMessage, "port must be a number from 1 to 65535")
        f[.transport] = "icmp"
        XCTAssertEqual(f.question().failureMessage, "icmp has no ports: clear the port field")
        f[.port] = ""
        f[.direction] = "sideways"
        XCTAssertEqual(f.question().failureMessage, "direction must be inbound or outbound (in, out)")
        f[.direction] = "out"
        XCTAssertEqual(try f.question().get().direction, .outbound)
    }

    func testVerifierErrorsStayInTheForm() {
        let c = FakeSecurity.controller()
        for key: Key in [.character("8"), .character("v"), .up, .up, .up, .control("u")] { c.handle(key) }
        type(c, "nobody")
        for _ in 0..<3 { c.handle(.tab) }
        type(c, "10.0.0.1")
        c.handle(.tab)
        type(c, "80")
        c.handle(.enter)
        guard case .verify(let form)? = c.state.topOverlay else { return XCTFail("the form stays open") }
        XCTAssertEqual(form.error, "cannot verify: no attached pod or container matches \"nobody\" (see vnetctl endpoints)")
    }

    func testVerifyWorksReadOnlyAndWithoutAVerifierSaysSo() {
        let readOnly = FakeSecurity.controller(readOnly: true)
        for key: Key in [.character("8"), .character("v")] { readOnly.handle(key) }
        guard case .verify? = readOnly.state.topOverlay else { return XCTFail("verify reads only: read-only keeps it") }
        let none = FakeSecurity.controller(verifier: nil)
        for key: Key in [.character("8"), .character("v")] { none.handle(key) }
        XCTAssertNil(none.state.topOverlay)
        XCTAssertTrue(none.state.status?.text.contains("not available") ?? false)
    }

    func testTheLowerPaneFollowsTheEndpointsSelection() {
        let c = FakeSecurity.controller()
        for key: Key in [.character("2"), .down, .down, .down, .character("8")] { c.handle(key) }
        let f = c.render(size: large)
        XCTAssertTrue(f.text.contains("pod kube-system/coredns-5d78c9869d-abcde 10.240.0.13"), f.text)
        XCTAssertTrue(f.text.contains("dns-out"), "its rule with a glob")
    }

    func testKeyInHelpAndHints() {
        let c = FakeSecurity.controller()
        c.handle(.character("8"))
        XCTAssertTrue(c.hints().contains { $0.key == "v" && $0.label == "Verify" })
        c.handle(.character("v"))
        XCTAssertTrue(c.hints().contains { $0.key == "Enter" && $0.label == "Verify" }, "\(c.hints())")
        c.handle(.escape)
        c.handle(.character("2"))
        XCTAssertFalse(c.hints().contains { $0.key == "v" }, "only the Security screen offers it")
        c.handle(.character("?"))
        let help = c.render(size: TerminalSize(width: 120, height: 40)).text
        XCTAssertTrue(help.contains("verify a flow against a pod's security rules"), help)
        XCTAssertTrue(help.contains("1-8 Tab S-Tab"))
    }

    func testClickOnARuleSelectsIt() {
        let c = FakeSecurity.controller()
        c.handle(.character("8"))
        _ = c.render(size: small)
        guard let table = c.lastTable else { return XCTFail("the rules table is clickable") }
        c.handle(MouseEvent(.click, x: 10, y: table.y + 3))
        XCTAssertEqual(c.selectedID(), "inbound/65000", "the third row under the header")
    }

    func testASCIIAndTooSmall() {
        let c = FakeSecurity.controller()
        c.handle(.character("8"))
        c.glyphs = .ascii
        XCTAssertTrue(c.render(size: small).text.unicodeScalars.allSatisfy(\.isASCII))
        XCTAssertTrue(c.render(size: TerminalSize(width: 70, height: 20)).text.contains("terminal too small"))
    }

    func testEndpointDetailRulesLine() {
        let c = FakeSecurity.controller()
        for key: Key in [.character("2"), .down, .enter] { c.handle(key) }
        let text = c.render(size: small).text
        XCTAssertTrue(text.contains("rules: 5 in / 4 out, 100 new in, 30 new out"), text)
        let (plain, _, _) = makeController()
        for key: Key in [.character("2"), .down, .enter] { plain.handle(key) }
        XCTAssertFalse(plain.render(size: small).text.contains("rules:"), "nothing without rules")
    }
}

/// The movement of rule counters between two readings.
final class SecurityRatesTests: XCTestCase {
    private let key = RuleCounterKey(direction: .inbound, priority: 200)

    private func reading(_ seconds: Double, _ packets: UInt64?) -> SecurityReading {
        SecurityReading(takenAt: FakeSnapshots.takenAt.addingTimeInterval(seconds), rules: FakeSecurity.rules,
                        counters: packets.map { [key: TrafficCounter(packets: $0, bytes: $0 * 100)] } ?? [:])
    }

    func testPacketsPerSecondOverTheTimeBetweenReadings() {
        let rates = SecurityRates(previous: reading(0, 100), current: reading(4, 300))
        XCTAssertEqual(rates.seconds, 4)
        XCTAssertEqual(rates.rule(key)?.packets, 200)
        XCTAssertEqual(rates.rule(key)?.packetsPerSecond, 50)
        XCTAssertEqual(rates.total?.bytesPerSecond, 5000)
    }

    func testNoRateWithoutTwoReadings() {
        XCTAssertNil(SecurityRates(previous: nil, current: reading(0, 100)).rule(key))
        XCTAssertNil(SecurityRates(previous: reading(0, 100), current: nil).seconds)
        XCTAssertNil(SecurityRates(previous: reading(0, nil), current: reading(2, 100)).rule(key), "not counted before")
        XCTAssertNil(SecurityRates(previous: reading(2, 100), current: reading(2, 200)).seconds, "no time passed")
    }

    func testACounterThatWentBackwardsGivesNoRate() {
        // `vnetctl rules apply` rebuilt the table: the counters start again from zero.
        let rates = SecurityRates(previous: reading(0, 5_000), current: reading(2, 10))
        XCTAssertNil(rates.rule(key))
        XCTAssertNil(rates.total)
    }

    func testTheControllerMeasuresSuccessiveReadings() {
        let c = FakeSecurity.controller()
        // 5000 packets now, 4500 two seconds before.
        XCTAssertEqual(c.data?.securityRates.rule(RuleCounterKey(direction: .inbound, priority: 100))?.packetsPerSecond, 250)
    }
}

private extension Result where Failure == FormError {
    var failureMessage: String? {
        if case .failure(let error) = self { return error.message }
        return nil
    }
}
