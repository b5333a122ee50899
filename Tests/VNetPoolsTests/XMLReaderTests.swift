import XCTest
@testable import VNetPools

final class XMLReaderTests: XCTestCase {
    func testElementsAttributesAndText() throws {
        let root = try XMLReader.parse("""
        \u{FEFF}<?xml version='1.0' encoding='UTF-8' standalone="yes"?>
        <!-- leading comment -->
        <?app-hint skip me?>
        <a x="1" y = 'two words' z="&lt;&amp;&gt;&quot;&apos;&#65;&#x42;&#x1F600;">
          hello &amp; <b/><c k="v">inner<![CDATA[<raw> & ]]></c><!-- c --> bye
        </a>
        <!-- trailing -->
        """)
        XCTAssertEqual(root.name, "a")
        XCTAssertEqual(root.attributes.map(\.name), ["x", "y", "z"])
        XCTAssertEqual(root.attribute("y"), "two words")
        XCTAssertEqual(root.attribute("z"), "<&>\"'AB\u{1F600}")
        XCTAssertNil(root.attribute("X"))
        XCTAssertEqual(root.children.map(\.name), ["b", "c"])
        XCTAssertEqual(root.elements(named: "c").first?.text, "inner<raw> & ")
        XCTAssertEqual(root.elements(named: "c").first?.attribute("k"), "v")
        XCTAssertEqual(root.text.split(whereSeparator: \.isWhitespace), ["hello", "&", "bye"])
    }

    func testAttributeWhitespaceIsNormalised() throws {
        XCTAssertEqual(try XMLReader.parse("<a v=\"1\t2\n3\"/>").attribute("v"), "1 2 3")
    }

    func testSelfClosingRootAndNamespacedNames() throws {
        let root = try XMLReader.parse("<ns:Root xmlns:ns=\"urn:x\" a-b.c_d=\"1\"/>")
        XCTAssertEqual(root.name, "ns:Root")
        XCTAssertEqual(root.attribute("a-b.c_d"), "1")
        XCTAssertTrue(root.children.isEmpty)
    }

    func testMalformedDocumentsAreRejectedWithAPosition() {
        let cases: [(String, String)] = [
            ("", "no root element"),
            ("   ", "no root element"),
            ("hello", "expected the root element"),
            ("<a>", "ends inside <a>"),
            ("<a></b>", "</b> does not close <a>"),
            ("<a><b></a></b>", "</a> does not close <b>"),
            ("<a/><b/>", "content after the root element"),
            ("<a/>junk", "content after the root element"),
            ("<a x=1/>", "must be quoted"),
            ("<a x=\"1/>", "unterminated attribute value"),
            ("<a x=\"1\"y=\"2\"/>", "separated by whitespace"),
            ("<a x=\"1\" x=\"2\"/>", "appears twice"),
            ("<a x=\"<\"/>", "\"<\" is not allowed"),
            ("<a>&nbsp;</a>", "unknown entity &nbsp;"),
            ("<a>&amp</a>", "ending in \";\""),
            ("<a>&#0;</a>", "not a valid character reference"),
            ("<a>&#xD800;</a>", "not a valid character reference"),
            ("<a>&#x110000;</a>", "not a valid character reference"),
            ("<a>]]></a>", "\"]]>\" is not allowed"),
            ("<a><!-- x -- y --></a>", "\"--\" is not allowed"),
            ("<a><!-- open</a>", "unterminated comment"),
            ("<a><![CDATA[x</a>", "unterminated CDATA"),
            ("<!DOCTYPE a [<!ENTITY e \"boom\">]><a>&e;</a>", "DOCTYPE declarations are not supported"),
            ("<a><!ELEMENT a></a>", "markup declarations are not allowed"),
            ("<a/><?xml version=\"1.0\"?>", "must be at the very start"),
            ("<?xml version=\"2.0\"?><a/>", "version \"2.0\" is not supported"),
            ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>", "encoding \"UTF-16\" is not supported"),
            ("<?xml encoding=\"UTF-8\"?><a/>", "must start with version"),
            ("<a>\u{1}</a>", "U+1 is not allowed"),
            ("<1a/>", "expected a name"),
            ("< a/>", "expected a name"),
            ("<a", "ends inside a tag"),
            ("<a b", "expected \"=\""),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try XMLReader.parse(text), text) { error in
                guard let error = error as? XMLParseError else { return XCTFail("\(text): \(error)") }
                XCTAssertTrue(error.reason.contains(expected), "\(text): got \"\(error.reason)\", expected \"\(expected)\"")
                XCTAssertGreaterThanOrEqual(error.line, 1)
                XCTAssertGreaterThanOrEqual(error.column, 1)
            }
        }
    }

    func testErrorPositionIsLineAndColumn() {
        XCTAssertThrowsError(try XMLReader.parse("<a>\n  <b x='1'>\n  </c>\n</a>")) { error in
            let error = error as? XMLParseError
            XCTAssertEqual(error?.line, 3)
            XCTAssertEqual(error?.description.hasPrefix("XML line 3, column "), true)
        }
    }

    func testInvalidUTF8IsRejected() {
        XCTAssertThrowsError(try XMLReader.parse([0x3C, 0x61, 0xFF, 0x2F, 0x3E])) { error in
            XCTAssertEqual((error as? XMLParseError)?.reason, "the document is not valid UTF-8")
        }
    }

    func testDeepNestingFailsInsteadOfOverflowingTheStack() throws {
        let depth = 200_000
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        XCTAssertThrowsError(try XMLReader.parse(text)) { error in
            XCTAssertTrue((error as? XMLParseError)?.reason.contains("nested deeper") == true, "\(error)")
        }
        let allowed = XMLReader.maximumDepth
        let ok = String(repeating: "<a>", count: allowed) + "x" + String(repeating: "</a>", count: allowed)
        var element = try XMLReader.parse(ok)
        var levels = 1
        while let child = element.children.first { element = child; levels += 1 }
        XCTAssertEqual(levels, allowed)
        XCTAssertEqual(element.text, "x")
    }

    /// Random bytes and random mutations of a real document: every input parses or throws; none crashes
    /// or hangs. (A libFuzzer target will run the same entry points far longer.)
    func testGarbageNeverCrashes() {
        var random = SplitMix(seed: 0x5EED)
        let seed = Array(Fixtures.wireserver.utf8)
        let alphabet = Array("<>/=\"'&;#x!-?[]CDATA: \n\tabc123".utf8) + [0x00, 0xC3, 0xFF, 0xE2, 0x82]
        var parsed = 0
        for round in 0..<3_000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = (0..<random.below(200)).map { _ in alphabet[random.below(alphabet.count)] }
            } else {
                bytes = seed
                for _ in 0..<(1 + random.below(8)) {
                    let position = random.below(bytes.count + 1)
                    switch random.below(4) {
                    case 0: if position < bytes.count { bytes.remove(at: position) }
                    case 1: bytes.insert(alphabet[random.below(alphabet.count)], at: position)
                    case 2: if position < bytes.count { bytes[position] = alphabet[random.below(alphabet.count)] }
                    default: bytes = Array(bytes.prefix(position))
                    }
                }
            }
            if let root = try? XMLReader.parse(bytes) {
                parsed += 1
                XCTAssertFalse(root.name.isEmpty)
            }
            _ = try? WireserverDocument.parse(bytes)
        }
        XCTAssertGreaterThan(parsed, 0, "some mutations keep the document well-formed")
    }
}

/// A small deterministic generator, so a failing round can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
