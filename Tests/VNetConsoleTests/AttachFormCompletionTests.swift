import XCTest
import VNetModel
@testable import VNetConsole

/// Tab in the attach form's netns field completes from a listing of /var/run/netns handed in (a fake one
/// here): the longest common prefix first, then each Tab the next match; typing starts over.
final class AttachFormCompletionTests: XCTestCase {
    private let names = ["vdemo1-gone0", "vdemo1-node", "vdemo1-pod0", "vdemo1-pod1", "vdemo1-pod10", "other"]

    private func form(_ typed: String) -> AttachFormState {
        var form = AttachFormState()
        form[.netns] = typed
        return form
    }

    func testFirstTabExtendsToTheLongestCommonPrefix() {
        var f = form("vd")
        XCTAssertEqual(f.completeNetns(among: names), .extended)
        XCTAssertEqual(f[.netns], "vdemo1-")
        var pods = form("vdemo1-p")
        XCTAssertEqual(pods.completeNetns(among: names), .extended)
        XCTAssertEqual(pods[.netns], "vdemo1-pod")
    }

    func testAUniqueMatchCompletesTheWholeNameThenIsComplete() {
        var f = form("vdemo1-n")
        XCTAssertEqual(f.completeNetns(among: names), .extended)
        XCTAssertEqual(f[.netns], "vdemo1-node")
        XCTAssertNil(f.completion)
        XCTAssertEqual(f.completeNetns(among: names), .complete, "nothing more to complete: Tab moves on")
    }

    func testFurtherTabsCycleThroughTheMatchesAndWrap() {
        var f = form("vdemo1-pod")
        XCTAssertEqual(f.completeNetns(among: names), .cycled)
        XCTAssertEqual(f[.netns], "vdemo1-pod0")
        XCTAssertEqual(f.completeNetns(among: names), .cycled)
        XCTAssertEqual(f[.netns], "vdemo1-pod1")
        XCTAssertEqual(f.completeNetns(among: names), .cycled)
        XCTAssertEqual(f[.netns], "vdemo1-pod10")
        XCTAssertEqual(f.completeNetns(among: names), .cycled)
        XCTAssertEqual(f[.netns], "vdemo1-pod0", "wraps to the first")
        XCTAssertEqual(f.completion?.matches, ["vdemo1-pod0", "vdemo1-pod1", "vdemo1-pod10"])
    }

    func testCyclingAfterTheCommonPrefixUsesTheMatchesOfTheFirstTab() {
        var f = form("vdemo1-p")
        XCTAssertEqual(f.completeNetns(among: names), .extended)
        // The listing changes between Tabs: the cycle keeps the matches it started with.
        XCTAssertEqual(f.completeNetns(among: []), .cycled)
        XCTAssertEqual(f[.netns], "vdemo1-pod0")
    }

    func testEmptyFieldOffersEveryName() {
        var f = form("")
        XCTAssertEqual(f.completeNetns(among: names), .cycled, "no common prefix: the first name")
        XCTAssertEqual(f[.netns], "other")
        XCTAssertEqual(f.completion?.matches.count, names.count)
    }

    func testPathsAndUnknownPrefixesAreLeftAlone() {
        var path = form("/var/run/netns/vdemo1")
        XCTAssertEqual(path.completeNetns(among: names), .complete)
        XCTAssertEqual(path[.netns], "/var/run/netns/vdemo1")
        var unknown = form("zz")
        XCTAssertEqual(unknown.completeNetns(among: names), .noMatch)
        XCTAssertEqual(unknown[.netns], "zz")
    }

    func testLongestCommonPrefix() {
        XCTAssertEqual(AttachFormState.longestCommonPrefix(["abc", "abd", "ab"]), "ab")
        XCTAssertEqual(AttachFormState.longestCommonPrefix(["pod-é1", "pod-é2"]), "pod-é")
        XCTAssertEqual(AttachFormState.longestCommonPrefix(["x"]), "x")
        XCTAssertEqual(AttachFormState.longestCommonPrefix([]), "")
    }

    // Through the controller: the names come from the actions, Tab completes in netns and moves on elsewhere.

    private func attachForm(_ c: ConsoleController) -> AttachFormState? {
        if case .attach(let form)? = c.state.topOverlay { return form }
        return nil
    }

    func testTabInTheFormCompletesFromTheActionsListing() throws {
        let (c, _, spy) = makeController()
        spy?.namespaceNames = names
        c.handle(.character("a"))
        for s in "vdemo1-po".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        XCTAssertEqual(attachForm(c)?[.netns], "vdemo1-pod")
        XCTAssertEqual(attachForm(c)?.focus, .netns)
        c.handle(.tab)
        c.handle(.tab)
        XCTAssertEqual(attachForm(c)?[.netns], "vdemo1-pod1")
        let text = c.render(size: TerminalSize(width: 80, height: 24)).text
        XCTAssertTrue(text.contains("3 matches: vdemo1-pod0 [vdemo1-pod1] vdemo1-pod10"), text)
        c.handle(.character("0"))
        XCTAssertNil(attachForm(c)?.completion, "typing ends the cycle")
        c.handle(.tab)
        XCTAssertEqual(attachForm(c)?.focus, .containerID, "a complete name: Tab moves on")
        c.handle(.tab)
        XCTAssertEqual(attachForm(c)?.focus, .ifname, "other fields: Tab moves on")
        XCTAssertEqual(attachForm(c)?[.netns], "vdemo1-pod10")
    }

    func testTabWithNoMatchSaysSoAndMovesOn() throws {
        let (c, _, spy) = makeController()
        spy?.namespaceNames = names
        c.handle(.character("a"))
        for s in "zz".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        XCTAssertEqual(attachForm(c)?.error, "no name in /var/run/netns starts with \"zz\"")
        XCTAssertEqual(attachForm(c)?.focus, .containerID)
    }

    func testFormWithMatchesGolden() {
        let (c, _, spy) = makeController()
        spy?.namespaceNames = names
        c.handle(.character("a"))
        for s in "vdemo1-pod".unicodeScalars { c.handle(.character(s)) }
        c.handle(.tab)
        assertGolden(c.render(size: TerminalSize(width: 80, height: 24)).text, "attach-form-80x24.completion")
    }
}
