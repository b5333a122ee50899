import Foundation
import XCTest
@testable import VNetConsole

final class ThemeTests: XCTestCase {
    private var themesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("themes").path
    }

    func testShippedThemeFilesMatchTheBuiltInOnes() throws {
        for name in Theme.builtinNames {
            let loaded = try ThemeLoader.load(name: name, directories: [themesDirectory])
            XCTAssertEqual(loaded.path, themesDirectory + "/\(name).theme", "themes/\(name).theme is shipped")
            XCTAssertEqual(loaded.warnings, [])
            XCTAssertEqual(loaded.theme.colors, Theme.builtin(named: name)?.colors, name)
            XCTAssertEqual(Set(loaded.theme.colors.keys), Set(ThemeKey.allCases), "\(name) sets every key")
        }
    }

    func testParseAcceptsBtopSyntaxAndReportsBadLines() {
        let text = """
            # comment
            main_bg = "#102030"
            theme[main_fg]="#A0b0C0"
            title = default
            bogus_key = "#000000"
            bad = "#12345"
            no equals here
            """
        let (theme, warnings) = Theme.parse(name: "x", text: text, base: .dark)
        XCTAssertEqual(theme.color(.mainBackground), .rgb(0x10, 0x20, 0x30))
        XCTAssertEqual(theme.color(.mainForeground), .rgb(0xA0, 0xB0, 0xC0))
        XCTAssertEqual(theme.color(.title), .terminalDefault)
        XCTAssertEqual(theme.color(.bad), Theme.dark.color(.bad), "a bad value keeps the base colour")
        XCTAssertEqual(warnings, [
            "line 5: unknown key \"bogus_key\"",
            "line 6: bad: \"#12345\" is not #RRGGBB or default",
            "line 7: expected key = \"#RRGGBB\", got \"no equals here\"",
        ])
        XCTAssertEqual(Theme.parse(name: "dark", text: Theme.dark.fileText, base: .monochrome).theme.colors, Theme.dark.colors)
    }

    func testResolveHonoursNoColorAndFallsBack() {
        XCTAssertEqual(ThemeLoader.resolve(name: "light", directories: [], environment: ["NO_COLOR": "1"]).theme, .monochrome)
        XCTAssertEqual(ThemeLoader.resolve(name: "light", directories: [], environment: ["NO_COLOR": ""]).theme, .light,
                       "an empty NO_COLOR does not count (no-color.org)")
        let missing = ThemeLoader.resolve(name: "solarized", directories: ["/nonexistent"], environment: [:])
        XCTAssertEqual(missing.theme, .dark)
        XCTAssertEqual(missing.warnings.count, 1)
        XCTAssertTrue(missing.warnings[0].contains("theme \"solarized\" not found"))
        XCTAssertThrowsError(try ThemeLoader.load(name: "../etc/passwd", directories: ["/tmp"]))
    }

    func testCustomFileOverridesOnlyItsKeys() throws {
        let dir = NSTemporaryDirectory() + "vnet-console-themes-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "bad = \"#00FF00\"\n".write(toFile: dir + "/light.theme", atomically: true, encoding: .utf8)
        let loaded = try ThemeLoader.load(name: "light", directories: [dir])
        XCTAssertEqual(loaded.theme.color(.bad), .rgb(0, 255, 0))
        XCTAssertEqual(loaded.theme.color(.mainBackground), Theme.light.color(.mainBackground), "missing keys come from the built-in")
    }

    func testColorMapping() {
        XCTAssertEqual(ColorMapper.index(for: .rgb(0, 0, 0), depth: .ansi256), 16)
        XCTAssertEqual(ColorMapper.index(for: .rgb(255, 255, 255), depth: .ansi256), 231)
        XCTAssertEqual(ColorMapper.index(for: .rgb(0x5f, 0x87, 0xff), depth: .ansi256), 16 + 36 * 1 + 6 * 2 + 5)
        XCTAssertEqual(ColorMapper.index(for: .rgb(0x80, 0x80, 0x80), depth: .ansi256), 244, "greys use the grey ramp")
        XCTAssertEqual(ColorMapper.index(for: .rgb(250, 10, 10), depth: .sixteen), 9)
        XCTAssertEqual(ColorMapper.index(for: .rgb(180, 0, 0), depth: .eight), 1)
        XCTAssertEqual(ColorMapper.index(for: .rgb(30, 30, 30), depth: .eight), 0)
        XCTAssertEqual(ColorMapper.index(for: .terminalDefault, depth: .ansi256), -1)
        XCTAssertEqual(ColorMapper.index(for: .rgb(1, 2, 3), depth: .none), -1)
        for i in 0..<256 {
            let (r, g, b) = ColorMapper.rgb(of: i)
            if i >= 16 { XCTAssertEqual(ColorMapper.index(for: .rgb(r, g, b), depth: .ansi256), i, "palette colour \(i) maps to itself") }
        }
    }

    func testPaletteKeepsTextReadableOnFewColours() {
        for depth in [ColorDepth.eight, .sixteen, .ansi256] {
            for theme in [Theme.dark, .light, .highContrast] {
                let palette = Palette(theme: theme, depth: depth)
                for role in StyleRole.allCases {
                    let e = palette.entry(for: role)
                    XCTAssertTrue(e.foreground != e.background || e.foreground < 0, "\(theme.name) \(role) at \(depth)")
                }
            }
        }
        let mono = Palette(theme: .monochrome, depth: .ansi256)
        XCTAssertEqual(mono.depth, .none)
        XCTAssertEqual(mono.entry(for: .selected).attributes, [.reverse])
        XCTAssertEqual(mono.entry(for: .header).foreground, -1)
        let distinct = Set(StyleRole.allCases.map { mono.entry(for: $0).attributes })
        XCTAssertGreaterThanOrEqual(distinct.count, 5, "monochrome still tells roles apart")
    }
}
