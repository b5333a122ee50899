import XCTest
import VNetModel
@testable import VNetConsole

/// Destructive dialogs: the plan is captured when the dialog opens, focus starts on Cancel, Cancel calls
/// no action, confirming performs exactly the captured plan, and read-only refuses everything.
final class ControllerActionTests: XCTestCase {
    private func confirm(_ c: ConsoleController) -> ConfirmState? {
        if case .confirm(let state)? = c.state.topOverlay { return state }
        return nil
    }

    func testDetachDialogStartsOnCancelAndEnterCancels() throws {
        let (c, _, spy) = makeController()
        c.handle(.character("2"))
        c.handle(.character("d"))
        let dialog = try XCTUnwrap(confirm(c))
        XCTAssertEqual(dialog.focus, .cancel)
        let selected = c.visibleIDs(.endpoints)[0]
        XCTAssertEqual(spy?.calls.first, .planDetach(try XCTUnwrap(c.data?.snapshot.endpoints.first { $0.key.description == selected }?.key)))
        c.handle(.enter)
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(spy?.performed.count, 0, "Enter on the initial focus must never apply")
        XCTAssertEqual(c.state.status?.text, "cancelled: nothing was changed")
    }

    func testEscAndNAndQCancelWithoutAction() throws {
        for key in [Key.escape, .character("n"), .character("q")] {
            let (c, _, spy) = makeController()
            c.handle(.character("2"))
            c.handle(.character("d"))
            c.handle(.tab)
            XCTAssertEqual(confirm(c)?.focus, .apply)
            c.handle(key)
            XCTAssertNil(c.state.topOverlay)
            XCTAssertFalse(c.shouldQuit, "q in a dialog cancels, never quits")
            XCTAssertEqual(spy?.performed.count, 0)
        }
    }

    func testConfirmPerformsTheCapturedPlanEvenAfterRefresh() throws {
        let (c, source, spy) = makeController()
        c.handle(.character("2"))
        c.handle(.down)
        c.handle(.character("d"))
        let captured = try XCTUnwrap(confirm(c)).plan
        // The node changes while the dialog is open: the dialog keeps its plan.
        spy?.generation = 43
        source.snapshots = [FakeSnapshots.snapshot(pods: Array(FakeSnapshots.pods.prefix(2)))]
        c.refresh()
        XCTAssertEqual(confirm(c)?.plan, captured)
        c.handle(.right)
        c.handle(.enter)
        XCTAssertEqual(spy?.performed, [captured], "perform gets exactly the plan shown")
        XCTAssertEqual(captured.stateGeneration, 42)
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(c.state.status?.kind, .success)
        XCTAssertEqual(c.state.status?.text, "detach done: 3 changes")
    }

    func testDialogWarnsWhenTheNodeMovedSinceThePlan() throws {
        let (c, source, _) = makeController()
        c.handle(.character("2"))
        c.handle(.character("d"))
        XCTAssertFalse(c.render(size: TerminalSize(width: 80, height: 24)).text.contains("node changed"))
        var moved = FakeSnapshots.snapshot()
        moved.stateGeneration = 43
        source.snapshots = [moved]
        c.refresh()
        let text = c.render(size: TerminalSize(width: 120, height: 40)).text
        XCTAssertTrue(text.contains("! the node changed since this plan (generation 42 -> 43)"), text)
        XCTAssertEqual(confirm(c)?.focus, .cancel)
    }

    func testMarksOfVanishedSuspectsAreDropped() {
        let (c, source, _) = makeController()
        c.handle(.character("5"))
        c.handle(.character(" "))
        c.handle(.character(" "))
        XCTAssertEqual(c.state.marks.count, 2)
        var fixed = FakeSnapshots.snapshot()
        fixed.leaks.removeFirst()
        source.snapshots = [fixed]
        c.refresh()
        XCTAssertEqual(c.state.marks, ["veth:vn0badc0ffee01"])
    }

    func testPerformErrorIsShown() throws {
        let (c, _, spy) = makeController()
        spy?.performError = FakeError(description: "target changed since the plan: veth ifindex 11 is now 57")
        c.handle(.character("2"))
        c.handle(.character("d"))
        c.handle(.tab)
        c.handle(.enter)
        XCTAssertEqual(c.state.status?.kind, .error)
        XCTAssertEqual(c.state.status?.text, "detach failed: target changed since the plan: veth ifindex 11 is now 57")
    }

    func testPlanErrorOpensNoDialog() {
        let (c, _, spy) = makeController()
        spy?.planError = FakeError(description: "endpoint is gone")
        c.handle(.character("2"))
        c.handle(.character("d"))
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(c.state.status?.text, "cannot plan detach: endpoint is gone")
    }

    func testDetachFromDetailAndNotFromOtherScreens() throws {
        let (c, _, spy) = makeController()
        c.handle(.character("3"))
        c.handle(.character("d"))
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(spy?.calls.count, 0)
        c.handle(.character("2"))
        c.handle(.down)
        c.handle(.enter)
        c.handle(.character("d"))
        XCTAssertNotNil(confirm(c))
        XCTAssertEqual(spy?.calls, [.planDetach(FakeSnapshots.key(FakeSnapshots.pods[0]))])
        c.handle(.tab)
        c.handle(.enter)
        XCTAssertNil(c.state.topOverlay, "after detaching, the detail of the gone endpoint closes too")
    }

    func testReclaimMarkedOrSelected() throws {
        let (c, _, spy) = makeController()
        c.handle(.character("5"))
        c.handle(.character("r"))
        XCTAssertEqual(spy?.calls, [.planReclaim([IPv4Address(10, 240, 0, 15)])], "no marks: the selected one")
        c.handle(.escape)
        c.handle(.home)
        c.handle(.character(" "))
        c.handle(.character(" "))
        c.handle(.character(" "))
        XCTAssertEqual(c.state.marks.count, 3)
        c.handle(.character("r"))
        XCTAssertEqual(spy?.calls.last, .planReclaim([IPv4Address(10, 240, 0, 15), IPv4Address(10, 240, 0, 20)]),
                       "the suspect without an address is left out")
        XCTAssertTrue(c.state.status?.text.contains("1 marked suspect(s) hold no address") ?? false)
        c.handle(.tab)
        c.handle(.enter)
        XCTAssertTrue(c.state.marks.isEmpty, "marks clear after a reclaim")
        XCTAssertEqual(spy?.performed.count, 1)
    }

    func testReclaimOnlyOnLeaksAndNeedsAnAddress() {
        let (c, _, spy) = makeController()
        c.handle(.character("2"))
        c.handle(.character("r"))
        XCTAssertEqual(spy?.calls.count, 0)
        c.handle(.character("5"))
        c.handle(.down)
        c.handle(.character("r"))
        XCTAssertEqual(spy?.calls.count, 0, "the veth-only suspect holds no address")
        XCTAssertTrue(c.state.status?.text.contains("hold no address") ?? false)
    }

    func testAttachFormValidatesPlansAndConfirms() throws {
        let (c, _, spy) = makeController()
        c.handle(.character("a"))
        guard case .attach? = c.state.topOverlay else { return XCTFail("a opens the form") }
        c.handle(.enter)
        guard case .attach(let form)? = c.state.topOverlay else { return XCTFail() }
        XCTAssertEqual(form.error, "netns is required (a path or a name under /var/run/netns)")
        for s in "pod-a".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        for s in "abc123".unicodeScalars { c.handle(.character(s)) }
        c.handle(.down)
        c.handle(.control("u"))
        for s in "net1".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        for s in "default".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        for s in "web-9x".unicodeScalars { c.handle(.character(s)) }
        c.handle(.backspace)
        c.handle(.enter)
        let request = AttachRequest(key: AttachmentKey(containerID: "abc123", ifname: "net1"), netns: "/var/run/netns/pod-a",
                                    pod: PodIdentity(namespace: "default", name: "web-9"))
        XCTAssertEqual(spy?.calls, [.planAttach(request)])
        let dialog = try XCTUnwrap(confirm(c))
        XCTAssertEqual(dialog.focus, .cancel)
        // Cancel returns to the form with the values kept.
        c.handle(.escape)
        guard case .attach(let kept)? = c.state.topOverlay else { return XCTFail("cancel returns to the form") }
        XCTAssertEqual(kept[.podName], "web-9")
        c.handle(.enter)
        c.handle(.left)
        c.handle(.enter)
        XCTAssertNil(c.state.topOverlay, "applying closes the dialog and the form")
        XCTAssertEqual(spy?.performed.first?.action, .attach)
    }

    func testAttachPlanErrorStaysInTheForm() {
        let (c, _, spy) = makeController()
        spy?.planError = FakeError(description: "netns /var/run/netns/nope does not exist")
        c.handle(.character("a"))
        for s in "nope".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        c.handle(.character("x"))
        c.handle(.enter)
        guard case .attach(let form)? = c.state.topOverlay else { return XCTFail("stays in the form") }
        XCTAssertEqual(form.error, "cannot plan: netns /var/run/netns/nope does not exist")
    }

    func testReadOnlyRefusesEveryChange() {
        let (c, _, spy) = makeController(readOnly: true)
        c.handle(.character("a"))
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(c.state.status?.text, "read-only: attach is disabled (started read-only)")
        XCTAssertEqual(c.state.status?.kind, .error)
        c.handle(.character("2"))
        c.handle(.character("d"))
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(c.state.status?.text, "read-only: detach is disabled (started read-only)")
        c.handle(.character("5"))
        c.handle(.character("r"))
        XCTAssertNil(c.state.topOverlay)
        XCTAssertEqual(spy?.calls.count, 0, "read-only never even plans")
        let hints = c.render(size: TerminalSize(width: 200, height: 60)).line(59)
        XCTAssertFalse(hints.contains("Reclaim"))
        c.handle(.character("?"))
        let help = c.render(size: TerminalSize(width: 80, height: 24)).text
        XCTAssertEqual(help.components(separatedBy: "disabled, read-only").count - 1, 3)
    }

    func testNoActionsMeansReadOnly() {
        let (c, _, _) = makeController(actions: nil)
        XCTAssertTrue(c.isReadOnly)
        c.handle(.character("a"))
        XCTAssertEqual(c.state.status?.text, "read-only: attach is disabled (no actions are available)")
    }

    func testLongPlanScrolls() throws {
        let (c, source, spy) = makeController()
        var snapshot = FakeSnapshots.snapshot()
        snapshot.leaks = (0..<40).map {
            LeakSuspect(key: nil, address: IPv4Address(10, 240, 1, UInt8($0)), hostVeth: nil, netns: nil, evidence: [.leaseWithoutEndpoint])
        }
        source.snapshots = [snapshot]
        c.refresh()
        c.handle(.character("5"))
        for _ in 0..<40 { c.handle(.character(" ")) }
        c.handle(.character("r"))
        XCTAssertEqual(spy?.calls.count, 1)
        let before = c.render(size: TerminalSize(width: 80, height: 24))
        XCTAssertTrue(before.text.contains("Up/Down"), "a long plan says it scrolls")
        c.handle(.down)
        XCTAssertEqual(confirm(c)?.scroll, 1)
        let after = c.render(size: TerminalSize(width: 80, height: 24))
        XCTAssertNotEqual(before.text, after.text)
        XCTAssertEqual(confirm(c)?.focus, .cancel, "scrolling does not move the focus")
    }
}
